package credentials

import (
	"encoding/json"
	"strings"
	"testing"

	vcverify "mooc/tools/vc-verify"
)

// Digital Bazaar's verifier accepts a credential of a did:web issuer and of
// a did:key one, reads the one bit of its status entry (the bits on either
// side set or not), and refuses a credential signed by another key.
func TestThirdPartyVerifierReadsTheBit(t *testing.T) {
	for _, publicURL := range []string{"https://macibas.example.lv", "http://localhost:8080"} {
		t.Run(publicURL, func(t *testing.T) {
			s := testService(t, publicURL)
			const slot = ListSize + 7 // list 2, index 7
			credential, err := json.Marshal(signedCredential(t, s))
			if err != nil {
				t.Fatal(err)
			}
			verify := func(signer *Service, revoked ...int64) vcverify.Verdict {
				t.Helper()
				list, err := signer.statusList(2, revoked)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(list)
				v, err := vcverify.Verify(vcverify.Input{Credential: credential, DIDDocument: s.DIDDocument(), Contexts: vcverify.Contexts(Contexts()),
					StatusLists: map[string]json.RawMessage{s.listURL(2): b}})
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			if v := verify(s, slot-1, slot+1); !v.Verified || v.Revoked == nil || *v.Revoked {
				t.Fatalf("the neighbours revoked: %+v", v)
			}
			if v := verify(s, slot); !v.Verified || v.Revoked == nil || !*v.Revoked {
				t.Fatalf("revoked: %+v", v)
			}
			// A status list signed by another key does not count.
			other := testService(t, publicURL)
			if v := verify(other, slot); v.Verified {
				t.Fatalf("a status list of another key: %+v", v)
			}
			if want := map[bool]string{true: "did:web:", false: "did:key:"}[strings.HasPrefix(publicURL, "https:")]; !strings.HasPrefix(s.did, want) {
				t.Fatalf("did %s, want %s…", s.did, want)
			}
		})
	}
}
