package credentials

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/mr-tron/base58"
)

// The Data Integrity proof this package makes and accepts (W3C vc-di-eddsa).
const (
	proofType    = "DataIntegrityProof"
	cryptosuite  = "eddsa-rdfc-2022"
	proofPurpose = "assertionMethod"
)

var errBadProof = errors.New("credentials: the proof does not verify")

// signer signs documents with the issuer key as eddsa-rdfc-2022.
type signer struct {
	key   ed25519.PrivateKey
	keyID string // the verification method, did#fragment
}

// sign adds a proof to doc (a generic JSON object without one).
func (s signer) sign(doc map[string]any, created time.Time) error {
	proof := map[string]any{
		"type": proofType, "cryptosuite": cryptosuite, "created": created.UTC().Format(time.RFC3339),
		"verificationMethod": s.keyID, "proofPurpose": proofPurpose,
	}
	data, err := hashData(doc, proof)
	if err != nil {
		return err
	}
	proof["proofValue"] = "z" + base58.Encode(ed25519.Sign(s.key, data))
	doc["proof"] = proof
	return nil
}

// hashData is what eddsa-rdfc-2022 signs: the SHA-256 of the canonical
// proof configuration (the proof without its value, in the document's
// contexts) followed by the SHA-256 of the canonical document without
// its proof.
func hashData(unsecured map[string]any, proofConfig map[string]any) ([]byte, error) {
	cfg := make(map[string]any, len(proofConfig)+1)
	for k, v := range proofConfig {
		if k != "proofValue" {
			cfg[k] = v
		}
	}
	cfg["@context"] = unsecured["@context"]
	c1, err := canonical(cfg)
	if err != nil {
		return nil, fmt.Errorf("credentials: canonical proof configuration: %w", err)
	}
	c2, err := canonical(unsecured)
	if err != nil {
		return nil, fmt.Errorf("credentials: canonical document: %w", err)
	}
	h1, h2 := sha256.Sum256(c1), sha256.Sum256(c2)
	return append(h1[:], h2[:]...), nil
}

// verifyProof checks doc's proof against the public key and the
// verification method expected; doc is a generic JSON object.
func verifyProof(doc map[string]any, pub ed25519.PublicKey, keyID string) error {
	proof, ok := doc["proof"].(map[string]any)
	if !ok {
		return fmt.Errorf("%w: no single proof object", errBadProof)
	}
	if proof["type"] != proofType || proof["cryptosuite"] != cryptosuite {
		return fmt.Errorf("%w: not a %s %s proof", errBadProof, proofType, cryptosuite)
	}
	if proof["proofPurpose"] != proofPurpose {
		return fmt.Errorf("%w: the proof's purpose is not %s", errBadProof, proofPurpose)
	}
	if proof["verificationMethod"] != keyID {
		return fmt.Errorf("%w: signed by another key", errBadProof)
	}
	value, _ := proof["proofValue"].(string)
	if len(value) < 2 || value[0] != 'z' {
		return fmt.Errorf("%w: the proof value is not base58btc multibase", errBadProof)
	}
	sig, err := base58.Decode(value[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: the proof value is not an Ed25519 signature", errBadProof)
	}
	unsecured := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	data, err := hashData(unsecured, proof)
	if err != nil {
		return fmt.Errorf("%w: %v", errBadProof, err)
	}
	if !ed25519.Verify(pub, data, sig) {
		return fmt.Errorf("%w: the signature does not match", errBadProof)
	}
	return nil
}
