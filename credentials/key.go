package credentials

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyFile is the issuer key generated into the data directory when none
// is configured.
const KeyFile = "issuer-key.pem"

// LoadKey reads the issuer key: the PEM (PKCS#8) Ed25519 private key at
// path, or, when path is empty, the one kept in dataDir, generated there
// on first start. Two processes starting at once end up with the same
// key: each writes a key of its own to a temporary file and links it into
// place, which fails for the one that comes second, and that one reads
// the winner's.
func LoadKey(path, dataDir string) (ed25519.PrivateKey, error) {
	if path != "" {
		return readKey(path)
	}
	kept := filepath.Join(dataDir, KeyFile)
	key, err := readKey(kept)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return key, err
	}
	if err := generateKey(kept); err != nil {
		return nil, err
	}
	return readKey(kept)
}

func readKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: the issuer key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("credentials: the issuer key %s is not a PEM \"PRIVATE KEY\" (PKCS#8)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("credentials: the issuer key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("credentials: the issuer key %s is a %T, not Ed25519", path, k)
	}
	return key, nil
}

// generateKey writes a new key to path unless a file is there already.
func generateKey(path string) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), KeyFile+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// A link never replaces a file: the first process's key stays.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("credentials: keep the issuer key: %w", err)
	}
	return nil
}
