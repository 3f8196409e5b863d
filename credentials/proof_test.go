package credentials

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"mooc/certificates"
)

func testService(t testing.TB, publicURL string) *Service {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{PublicURL: publicURL, IssuerName: "Sociālā darba e-mācības", Key: key})
}

func signedCredential(t *testing.T, s *Service) map[string]any { return signedCredentialTB(t, s) }

func signedCredentialTB(t testing.TB, s *Service) map[string]any {
	t.Helper()
	f := certificates.Facts{ID: "0b0c6f51-7f0a-4d8e-9d63-6a8f2b1f3e11", Code: "ABCDEFGHJKLM", HolderName: "Ērika Ķēniņa-Šņore",
		Kind: "course", Title: "Darbs ar ģimenēm krīzē", MethodologyTitle: "Krīzes intervence", Hours: 12,
		IssuedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	doc, err := generic(s.credential(f, ListSize+7))
	if err != nil {
		t.Fatal(err)
	}
	m := doc.(map[string]any)
	if err := s.signer.sign(m, f.IssuedAt); err != nil {
		t.Fatal(err)
	}
	return m
}

// A signed credential verifies, and one changed by a character does not.
func TestProofRoundTrip(t *testing.T) {
	s := testService(t, "http://localhost:8080")
	m := signedCredential(t, s)
	if err := verifyProof(m, s.pub, s.signer.keyID); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if dump := os.Getenv("MOOC_CREDENTIAL_DUMP"); dump != "" {
		contexts := map[string]any{}
		for url, b := range Contexts() {
			var c any
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			contexts[url] = c
		}
		b, _ := json.Marshal(map[string]any{"credential": m, "didDocument": s.DIDDocument(), "contexts": contexts})
		if err := os.WriteFile(dump, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := json.Marshal(m)
	edited := strings.Replace(string(raw), "Ērika", "Ěrika", 1)
	var e map[string]any
	if err := json.Unmarshal([]byte(edited), &e); err != nil {
		t.Fatal(err)
	}
	if err := verifyProof(e, s.pub, s.signer.keyID); err == nil {
		t.Fatal("an edited credential verified")
	}
}

// An in-person programme's credential is a Certificate of academic hours.
func TestProgrammeAchievement(t *testing.T) {
	s := testService(t, "http://localhost:8080")
	doc := s.credential(certificates.Facts{ID: "9d1c6f51-7f0a-4d8e-9d63-6a8f2b1f3e11", Code: "ABCDEFGHJKLM", HolderName: "Anna Kalniņa",
		Kind: "programme", Title: "Krīzes intervence: klātienes mācības", Hours: 91, IssuedAt: time.Now()}, 3)
	a := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	if a["achievementType"] != "Certificate" || !strings.Contains(a["criteria"].(map[string]any)["narrative"].(string), "91 akadēmiskā stunda") {
		t.Fatalf("achievement %v", a)
	}
	if _, ok := a["description"]; ok {
		t.Fatal("a description without a methodology")
	}
	if st := doc["credentialStatus"].(map[string]any); st["statusListIndex"] != "3" || st["statusListCredential"] != "http://localhost:8080/credentials/status/1" {
		t.Fatalf("status %v", st)
	}
}

// A term no context defines is not silently left out of what is signed:
// a credential with one added does not verify.
func TestUndefinedTermFails(t *testing.T) {
	s := testService(t, "http://localhost:8080")
	m := signedCredential(t, s)
	m["credentialSubject"].(map[string]any)["grade"] = "izcili"
	if err := verifyProof(m, s.pub, s.signer.keyID); err == nil {
		t.Fatal("a credential with an undefined term verified")
	}
	m = signedCredential(t, s)
	m["@context"] = append(m["@context"].([]any), map[string]any{"@vocab": "https://example.org/#"})
	m["credentialSubject"].(map[string]any)["grade"] = "izcili"
	if err := verifyProof(m, s.pub, s.signer.keyID); err == nil {
		t.Fatal("a credential with a term of an added context verified")
	}
}
