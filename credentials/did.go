package credentials

import (
	"crypto/ed25519"
	"net/url"
	"strings"

	"github.com/mr-tron/base58"
)

// ed25519Multicodec is the multicodec prefix of an Ed25519 public key
// (0xed, as an unsigned varint 0xed 0x01).
var ed25519Multicodec = []byte{0xed, 0x01}

// publicKeyMultibase is the Multikey form of an Ed25519 public key:
// base58btc ("z") of the multicodec prefix and the key, z6Mk….
func publicKeyMultibase(pub ed25519.PublicKey) string {
	return "z" + base58.Encode(append(append([]byte{}, ed25519Multicodec...), pub...))
}

// issuerDID is the platform's DID: did:web of the public host when the
// platform is served over https (a port written %3A, as did:web says),
// else the did:key of the public key, which needs no server at all.
// did:web names the host only: its document is at the host's root
// (/.well-known/did.json), whatever path the public URL has.
func issuerDID(publicURL string, pub ed25519.PublicKey) string {
	if u, err := url.Parse(publicURL); err == nil && u.Scheme == "https" && u.Host != "" {
		return "did:web:" + strings.ReplaceAll(strings.ToLower(u.Host), ":", "%3A")
	}
	return "did:key:" + publicKeyMultibase(pub)
}

// DIDDocument is the issuer's DID document: one Multikey, which asserts
// (signs) credentials.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
	Authentication     []string             `json:"authentication"`
}

// VerificationMethod is a Multikey of the DID document.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}
