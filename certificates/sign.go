package certificates

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	pdfread "github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// sealReason is the signature's stated purpose, shown by PDF readers.
const sealReason = "Izsniedzēja elektroniskais zīmogs"

// Sign seals a PDF: github.com/digitorus/pdfsign appends an incremental
// update holding a certification signature (DocMDP, no changes allowed)
// over the whole file, a detached CMS signature (SubFilter
// adbe.pkcs7.detached, SHA-256) carrying the seal's certificate and chain
// and the ESS signing-certificate-v2 attribute that binds the signature to
// that certificate. at is the signing time stated in the signature
// dictionary; the CMS carries its own from the system clock. The rendered
// bytes are left as they are, so the seal covers exactly what was drawn.
//
// No time-stamp authority is asked, so the time is the issuer's claim:
// PAdES B-T would need an RFC 3161 time stamp over the signature, B-LT the
// certificates' revocation data in a document security store as well.
func (s *Seal) Sign(doc []byte, at time.Time) ([]byte, error) {
	rdr, err := pdfread.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("certificates: seal: read the PDF: %w", err)
	}
	var out bytes.Buffer
	out.Grow(len(doc) + 8<<10)
	err = sign.Sign(bytes.NewReader(doc), &out, rdr, int64(len(doc)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.CertificationSignature, DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
			// No /Name: the library writes a non-ASCII name as raw UTF-16
			// in a literal string, where "č" (U+010D) holds a carriage
			// return that readers turn into a line feed. The signer's name
			// is the certificate's, which readers show anyway.
			Info: sign.SignDataSignatureInfo{Reason: sealReason, Location: "Latvija", Date: at.UTC()},
		},
		Signer: s.key, DigestAlgorithm: crypto.SHA256,
		Certificate: s.cert, CertificateChains: [][]*x509.Certificate{s.chain},
	})
	if err != nil {
		return nil, fmt.Errorf("certificates: seal: %w", err)
	}
	return out.Bytes(), nil
}
