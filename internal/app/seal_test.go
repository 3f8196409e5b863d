package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mooc/certificates"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/testkit"
)

// sealFiles writes a self-signed seal certificate for commonName and a
// private key: its own, or another one when mismatched.
func sealFiles(t *testing.T, commonName string, mismatched bool) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	template := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: commonName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	if mismatched {
		key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "seal.crt"), filepath.Join(dir, "seal.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func platformConfig(t *testing.T) config.Config {
	return config.Config{DataDir: t.TempDir(), TokenSecret: "a-test-secret-of-at-least-thirty-two-bytes", TokenTTL: time.Hour,
		PublicURL: "http://mooc.test", MaxUploadBytes: 1 << 20, PrivacyNoticeVersion: "2026-12",
		Issuer: config.Issuer{Name: "Valmieras novada pašvaldība"}}
}

// The configured seal is the one the platform signs with; a key that is
// not its certificate's stops the start, naming the variable.
func TestConfiguredSealSignsThePDFs(t *testing.T) {
	cfg := platformConfig(t)
	cfg.Issuer.SealCert, cfg.Issuer.SealKey = sealFiles(t, "Valmieras novada pašvaldības zīmogs", false)
	platform, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = platform.Close() }()
	pdf, err := platform.Certificates.TranscriptPDF(certificates.Transcript{HolderName: "Ilze Kalniņa", Year: 2026, RequiredHours: 24,
		IssuedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	testkit.AssertSealed(t, pdf, "Valmieras novada pašvaldības zīmogs")
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "seal.pem")); err == nil {
		t.Error("a seal was generated although one is configured")
	}

	broken := platformConfig(t)
	broken.Issuer.SealCert, broken.Issuer.SealKey = sealFiles(t, "Valmieras novada pašvaldības zīmogs", true)
	if p, err := app.New(context.Background(), broken, app.Options{}); err == nil || !strings.Contains(err.Error(), "MOOC_SEAL_KEY") {
		if p != nil {
			_ = p.Close()
		}
		t.Fatalf("a mismatched key: %v, want a start-up error naming MOOC_SEAL_KEY", err)
	}
}
