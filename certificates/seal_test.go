package certificates

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/testkit"
)

const testIssuer = "Rīgas sociālais dienests: Ģimeņu atbalsta nodaļa"

// testSeal is a generated seal in a directory of its own.
func testSeal(t testing.TB) *Seal {
	t.Helper()
	s, err := OpenSeal(SealConfig{DataDir: t.TempDir(), IssuerName: testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A seal generated once is kept: the second start, and every process
// starting at the same moment, signs with the same certificate, and the
// key is readable by the owner only.
func TestGeneratedSealIsKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const starts = 6
	seals := make([]*Seal, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Go(func() {
			s, err := OpenSeal(SealConfig{DataDir: dir, IssuerName: testIssuer})
			if err != nil {
				t.Error(err)
			}
			seals[i] = s
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	again, err := OpenSeal(SealConfig{DataDir: dir, IssuerName: "Cits nosaukums"})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range append(seals, again) {
		if !bytes.Equal(s.Certificate().Raw, seals[0].Certificate().Raw) {
			t.Fatalf("start %d signs with another certificate than the first", i)
		}
	}
	cert := again.Certificate()
	if cert.Subject.CommonName != testIssuer {
		t.Errorf("the seal's subject is %q, want the issuer %q", cert.Subject.CommonName, testIssuer)
	}
	if years := time.Until(cert.NotAfter).Hours() / 24 / 365; years < 25 {
		t.Errorf("the generated seal is valid for %.1f years only", years)
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name() != generatedSealFile {
		t.Fatalf("the data directory holds %v, want only %s", files, generatedSealFile)
	}
	info, err := os.Stat(filepath.Join(dir, generatedSealFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the seal's key file has mode %v, want 0600", info.Mode().Perm())
	}
}

// pemFile writes PEM blocks to a file of the test's.
func pemFile(t *testing.T, name string, blocks ...*pem.Block) string {
	t.Helper()
	var buf bytes.Buffer
	for _, b := range blocks {
		if err := pem.Encode(&buf, b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testCA is a certification authority and a seal certificate it issued,
// as an organisation would be given them.
type testCA struct {
	caCert, leaf *x509.Certificate
	leafKey      crypto.Signer
}

func newTestCA(t *testing.T, leafKey crypto.Signer, commonName string) testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTemplate := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Testa sertifikācijas iestāde"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(20, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafTemplate := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: commonName, Organization: []string{commonName}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, caCert, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	return testCA{caCert: caCert, leaf: leaf, leafKey: leafKey}
}

func (ca testCA) files(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := x509.MarshalPKCS8PrivateKey(ca.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	return pemFile(t, "seal.crt", &pem.Block{Type: "CERTIFICATE", Bytes: ca.leaf.Raw}, &pem.Block{Type: "CERTIFICATE", Bytes: ca.caCert.Raw}),
		pemFile(t, "seal.key", &pem.Block{Type: "PRIVATE KEY", Bytes: key})
}

// A configured seal, an RSA key in PKCS #1 form too, is the one used, with
// its chain; nothing is generated.
func TestConfiguredSeal(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"rsa": rsaKey, "ecdsa": ecKey} {
		t.Run(name, func(t *testing.T) {
			ca := newTestCA(t, key, "Labklājības ministrija "+name)
			certFile, keyFile := ca.files(t)
			if name == "rsa" { // the older form
				keyFile = pemFile(t, "seal.key", &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
			}
			dataDir := t.TempDir()
			s, err := OpenSeal(SealConfig{CertFile: certFile, KeyFile: keyFile, DataDir: dataDir, IssuerName: testIssuer})
			if err != nil {
				t.Fatal(err)
			}
			if !s.Certificate().Equal(ca.leaf) || len(s.chain) != 2 || !s.chain[1].Equal(ca.caCert) {
				t.Fatal("the configured certificate and its chain are not the seal's")
			}
			if files, _ := os.ReadDir(dataDir); len(files) != 0 {
				t.Errorf("a seal was generated although one is configured: %v", files)
			}
			testkit.AssertSealed(t, sealedCertificate(t, s), "Labklājības ministrija "+name)
		})
	}
}

// A key that is not the certificate's, or files that hold no PEM, stop
// the start with an error naming the variable.
func TestBrokenSealConfiguration(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	certFile, _ := newTestCA(t, key, testIssuer).files(t)
	_, otherKeyFile := newTestCA(t, other, testIssuer).files(t)
	_, keyFile := newTestCA(t, key, testIssuer).files(t)
	junk := pemFile(t, "junk.pem")
	for _, c := range []struct {
		name, cert, key, want string
	}{
		{"mismatched key", certFile, otherKeyFile, "MOOC_SEAL_KEY: the key does not belong to the certificate"},
		{"no certificate", junk, keyFile, "MOOC_SEAL_CERT: no PEM CERTIFICATE block"},
		{"no key", certFile, junk, "MOOC_SEAL_KEY: no PEM PRIVATE KEY block"},
		{"key file missing", certFile, filepath.Join(t.TempDir(), "none.key"), "MOOC_SEAL_KEY: open"},
	} {
		_, err := OpenSeal(SealConfig{CertFile: c.cert, KeyFile: c.key, DataDir: t.TempDir(), IssuerName: testIssuer})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
