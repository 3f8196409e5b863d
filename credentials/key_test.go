package credentials

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func writePEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A configured key is read as it is; another kind of key is refused.
func TestLoadConfiguredKey(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	got, err := LoadKey(writePEM(t, key), t.TempDir())
	if err != nil || !got.Equal(key) {
		t.Fatalf("LoadKey: %v", err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := LoadKey(writePEM(t, ec), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not Ed25519") {
		t.Fatalf("an ECDSA key: %v", err)
	}
	if _, err := LoadKey(filepath.Join(t.TempDir(), "none.pem"), t.TempDir()); err == nil {
		t.Fatal("a missing configured key was not an error")
	}
}

// Without a configured key, processes starting at once all end up with
// the one key kept in the data directory, and keep it after a restart.
func TestGeneratedKeyIsOne(t *testing.T) {
	dir := t.TempDir()
	const starts = 16
	keys := make([]ed25519.PrivateKey, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Go(func() {
			k, err := LoadKey("", dir)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for i, k := range keys {
		if !k.Equal(keys[0]) {
			t.Fatalf("start %d got another key", i)
		}
	}
	again, err := LoadKey("", dir)
	if err != nil || !again.Equal(keys[0]) {
		t.Fatalf("after a restart: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != KeyFile {
		t.Fatalf("left in the data directory: %v", entries)
	}
	if info, _ := os.Stat(filepath.Join(dir, KeyFile)); info.Mode().Perm()&0o077 != 0 {
		t.Fatalf("the key file is readable by others: %v", info.Mode())
	}
}

// did:web names the public host (its port as %3A) when it is https;
// otherwise the DID is the key's own did:key.
func TestIssuerDID(t *testing.T) {
	pub := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	for url, want := range map[string]string{
		"https://macibas.example.lv":          "did:web:macibas.example.lv",
		"https://Macibas.Example.lv:8443/app": "did:web:macibas.example.lv%3A8443",
		"http://localhost:8080":               "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP", // as @digitalbazaar/ed25519-multikey reads it,
	} {
		if got := issuerDID(url, pub); got != want {
			t.Errorf("%s: %s, want %s", url, got, want)
		}
	}
	s := testService(t, "https://macibas.example.lv")
	d := s.DIDDocument()
	if d.ID != "did:web:macibas.example.lv" || d.VerificationMethod[0].Controller != d.ID ||
		!strings.HasPrefix(d.VerificationMethod[0].PublicKeyMultibase, "z6Mk") || d.Context[0] != ContextDID || d.Context[1] != ContextMultikey {
		t.Fatalf("did document %+v", d)
	}
}
