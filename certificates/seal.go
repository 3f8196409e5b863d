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
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"mooc/internal/clock"
)

// Seal is the issuer's electronic seal: the X.509 certificate and private
// key that sign every certificate PDF and transcript (sign.go), so that
// anyone can check with a PDF reader, without this server, that a PDF is
// the issuer's and unchanged.
type Seal struct {
	cert  *x509.Certificate
	chain []*x509.Certificate // cert first, then the certificates that issued it
	key   crypto.Signer
}

// SealConfig says where the seal comes from.
type SealConfig struct {
	// CertFile and KeyFile are MOOC_SEAL_CERT and MOOC_SEAL_KEY: PEM files
	// of the certificate (followed by its chain, if any) and of its RSA or
	// ECDSA private key. When both are empty, a self-signed seal is
	// generated once into DataDir and kept.
	CertFile, KeyFile string
	DataDir           string
	// IssuerName is the generated seal's subject. A seal once generated is
	// kept when the name changes later; removing seal.pem has a new one
	// made, and PDFs signed before stay valid (each carries its certificate).
	IssuerName string
	Now        func() time.Time
}

// generatedSealFile holds the generated seal, key and certificate in one
// file so that it appears whole or not at all.
const generatedSealFile = "seal.pem"

// generatedSealYears is how long a generated seal is valid: a reader
// checks a signature against the certificate's validity, and a PDF
// downloaded today should still check out in ten years and more.
const generatedSealYears = 30

// OpenSeal loads the configured seal, or the generated one, generating it
// on first start. Errors name the variable or the file at fault.
func OpenSeal(c SealConfig) (*Seal, error) {
	now := clock.Or(c.Now)
	if c.CertFile != "" || c.KeyFile != "" {
		certPEM, err := os.ReadFile(c.CertFile)
		if err != nil {
			return nil, fmt.Errorf("MOOC_SEAL_CERT: %w", err)
		}
		keyPEM, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("MOOC_SEAL_KEY: %w", err)
		}
		return parseSeal(certPEM, keyPEM, "MOOC_SEAL_CERT", "MOOC_SEAL_KEY", now())
	}
	path := filepath.Join(c.DataDir, generatedSealFile)
	kept, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		kept, err = generateSeal(c.DataDir, path, c.IssuerName, now())
	}
	if err != nil {
		return nil, fmt.Errorf("the generated seal (MOOC_SEAL_CERT and MOOC_SEAL_KEY unset): %w", err)
	}
	return parseSeal(kept, kept, path, path, now())
}

// Certificate is the seal's certificate, which every signature carries.
func (s *Seal) Certificate() *x509.Certificate { return s.cert }

// parseSeal reads a certificate, its chain and a private key that must
// belong to it, valid at now.
func parseSeal(certPEM, keyPEM []byte, certName, keyName string, now time.Time) (*Seal, error) {
	var chain []*x509.Certificate
	for rest := certPEM; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", certName, len(chain)+1, err)
		}
		chain = append(chain, cert)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%s: no PEM CERTIFICATE block", certName)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyName, err)
	}
	cert := chain[0]
	type publicKey interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := key.Public().(publicKey); !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s: the key does not belong to the certificate in %s", keyName, certName)
	}
	switch {
	case now.Before(cert.NotBefore) || now.After(cert.NotAfter):
		return nil, fmt.Errorf("%s: the certificate is valid from %s to %s, not now",
			certName, cert.NotBefore.UTC().Format(time.DateOnly), cert.NotAfter.UTC().Format(time.DateOnly))
	case cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		// A reader refuses a signature whose certificate may not sign.
		return nil, fmt.Errorf("%s: the certificate's key usage allows neither digital signature nor non-repudiation", certName)
	}
	return &Seal{cert: cert, chain: chain, key: key}, nil
}

// parseKey reads the first private key block of a PEM file: PKCS #8, or
// the older RSA (PKCS #1) and EC (SEC 1) forms.
func parseKey(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, errors.New("no PEM PRIVATE KEY block")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		switch k := key.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case *ecdsa.PrivateKey:
			return k, nil
		default:
			return nil, fmt.Errorf("a %T key cannot seal PDFs: use RSA or ECDSA", key)
		}
	}
}

// generateSeal makes a self-signed seal and keeps it at path, unless
// another process starting at the same time kept one first: the file is
// written whole under a temporary name and then linked to path, which
// fails rather than overwrite. Either way it returns what path holds.
//
// The key is ECDSA P-256: poppler, Acrobat and the Java and .NET
// validators all check it, and it signs several times faster than RSA.
func generateSeal(dir, path, issuer string, now time.Time) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{CommonName: issuer, Organization: []string{issuer}, Country: []string{"LV"}}
	template := &x509.Certificate{
		SerialNumber: serial, Subject: subject, Issuer: subject,
		NotBefore: now.Add(-time.Hour).UTC(), NotAfter: now.AddDate(generatedSealYears, 0, 0).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	var file bytes.Buffer
	_ = pem.Encode(&file, &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	_ = pem.Encode(&file, &pem.Block{Type: "CERTIFICATE", Bytes: der})

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".seal-*.pem") // 0600
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.Write(file.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return os.ReadFile(path)
}
