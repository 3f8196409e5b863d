package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// FuzzVerify: whatever is pasted, Verify answers a verdict without an
// error, and a changed credential is never valid. (No input a fuzzer
// makes carries a valid proof, so the store is never reached.)
func FuzzVerify(f *testing.F) {
	s := testService(f, "http://localhost:8080")
	doc := signedCredentialTB(f, s)
	raw, err := json.Marshal(doc)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		bytes.Replace(raw, []byte("Ērika"), []byte("Erika"), 1),
		bytes.Replace(raw, []byte(`"proofValue":"z`), []byte(`"proofValue":"zz`), 1),
		bytes.Replace(raw, []byte(`"validFrom":"2026`), []byte(`"validFrom":"2027`), 1),
		[]byte(`{}`), []byte(`[]`), []byte(``), []byte(`{"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"` + s.did + `"},"proof":{}}`),
		[]byte(`{"@context":["https://example.org/ctx"],"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"` + s.did + `","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","verificationMethod":"` + s.signer.keyID + `","proofValue":"z3"}}`),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pasted []byte) {
		v, err := s.Verify(context.Background(), pasted)
		if err != nil {
			t.Fatalf("Verify(%q): %v", pasted, err)
		}
		if bytes.Equal(pasted, raw) { // the credential as issued, should the fuzzer find it
			if !v.Valid {
				t.Fatalf("the credential as issued: %+v", v)
			}
			return
		}
		if v.Valid || v.Reason == "" || v.Detail == "" {
			t.Fatalf("Verify(%q) = %+v", pasted, v)
		}
	})
}
