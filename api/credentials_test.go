package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/config"
	"mooc/credentials"
	"mooc/internal/database"
	"mooc/internal/testenv"
	vcverify "mooc/tools/vc-verify"
)

// credentialOf is a learner's certified enrolment with its credential.
type credentialOf struct {
	cert    certificateBody
	learner string
	raw     []byte
	doc     map[string]any
}

func (s *school) certifiedCredential() credentialOf {
	s.t.Helper()
	c := s.cohort(200, 30*24*time.Hour)
	_, learner := s.signUp()
	e := s.enrolled(learner, c.ID)
	s.complete(learner, e.ID)
	var out credentialOf
	out.learner = learner
	s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(s.t, 201).json(s.t, &out.cert)
	r := s.do(request{method: "GET", path: "/api/v1/certificates/" + out.cert.Code + "/credential", token: learner}).expect(s.t, 200)
	if ct := r.header.Get("Content-Type"); ct != "application/ld+json" {
		s.t.Fatalf("content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".json") {
		s.t.Fatalf("content disposition %q", cd)
	}
	out.raw = r.body
	r.json(s.t, &out.doc)
	return out
}

// localPath is the path of one of the server's own URLs.
func localPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Host != "mooc.test" {
		t.Fatalf("not a URL of the server: %q", raw)
	}
	return u.Path
}

// statusBit fetches the status list an entry names and reads its bit.
func (s *server) statusBit(entry map[string]any) (bool, map[string]any) {
	s.t.Helper()
	r := s.do(request{method: "GET", path: localPath(s.t, entry["statusListCredential"].(string))}).expect(s.t, 200)
	if r.header.Get("Content-Type") != "application/ld+json" || !strings.Contains(r.header.Get("Cache-Control"), "max-age=") {
		s.t.Fatalf("status list headers %v", r.header)
	}
	var list map[string]any
	r.json(s.t, &list)
	subject := list["credentialSubject"].(map[string]any)
	if subject["type"] != "BitstringStatusList" || subject["statusPurpose"] != "revocation" {
		s.t.Fatalf("status list subject %v", subject)
	}
	encoded := subject["encodedList"].(string)
	if !strings.HasPrefix(encoded, "u") {
		s.t.Fatalf("encodedList %q is not multibase base64url", encoded)
	}
	zipped, err := base64.RawURLEncoding.DecodeString(encoded[1:])
	if err != nil {
		s.t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		s.t.Fatal(err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil {
		s.t.Fatal(err)
	}
	if len(bits)*8 < credentials.ListSize {
		s.t.Fatalf("a list of %d bits", len(bits)*8)
	}
	var index int
	if err := json.Unmarshal([]byte(entry["statusListIndex"].(string)), &index); err != nil {
		s.t.Fatal(err)
	}
	return bits[index/8]&(0x80>>(index%8)) != 0, list
}

type verdictBody struct {
	Valid       bool   `json:"valid"`
	Reason      string `json:"reason"`
	Detail      string `json:"detail"`
	Code        string `json:"code"`
	HolderName  string `json:"holder_name"`
	CourseTitle string `json:"course_title"`
}

func (s *server) verifyPasted(body []byte, contentType string) verdictBody {
	s.t.Helper()
	var v verdictBody
	s.do(request{method: "POST", path: "/api/v1/credentials/verify", body: body, header: map[string]string{"Content-Type": contentType}}).
		expect(s.t, 200).json(s.t, &v)
	return v
}

func TestCredentials(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		cc := s.certifiedCredential()
		doc, cert := cc.doc, cc.cert

		// The shape: VC 2.0 and OB 3.0 contexts, the issuer, the holder and
		// the achievement, the proof and the status entry.
		ctx, _ := doc["@context"].([]any)
		if len(ctx) != 2 || ctx[0] != credentials.ContextCredentials || ctx[1] != credentials.ContextOpenBadges {
			t.Fatalf("@context %v", doc["@context"])
		}
		if types, _ := doc["type"].([]any); len(types) != 2 || types[0] != "VerifiableCredential" || types[1] != "OpenBadgeCredential" {
			t.Fatalf("type %v", doc["type"])
		}
		issuer := doc["issuer"].(map[string]any)
		did := s.platform.Credentials.DID()
		if issuer["id"] != did || !strings.HasPrefix(did, "did:key:z6Mk") || issuer["name"] != config.DefaultIssuerName { // the tests configure no name: the default one
			t.Fatalf("issuer %v (did %s)", issuer, did)
		}
		if doc["validFrom"] != cert.IssuedAt.UTC().Format(time.RFC3339) {
			t.Fatalf("validFrom %v, issued %v", doc["validFrom"], cert.IssuedAt)
		}
		subject := doc["credentialSubject"].(map[string]any)
		ids := subject["identifier"].([]any)
		holder := ids[0].(map[string]any)
		if subject["name"] != "Līga Ozoliņa" || holder["identityHash"] != "Līga Ozoliņa" || holder["identityType"] != "name" || holder["hashed"] != false {
			t.Fatalf("subject %v", subject)
		}
		achievement := subject["achievement"].(map[string]any)
		criteria := achievement["criteria"].(map[string]any)
		if achievement["achievementType"] != "Course" || achievement["name"] != "Krīzes intervence sociālajā darbā" ||
			!strings.Contains(criteria["narrative"].(string), "12 stundas") || !strings.HasPrefix(achievement["id"].(string), "urn:uuid:") {
			t.Fatalf("achievement %v", achievement)
		}
		proof := doc["proof"].(map[string]any)
		if proof["type"] != "DataIntegrityProof" || proof["cryptosuite"] != "eddsa-rdfc-2022" || proof["proofPurpose"] != "assertionMethod" ||
			!strings.HasPrefix(proof["verificationMethod"].(string), did+"#") || !strings.HasPrefix(proof["proofValue"].(string), "z") {
			t.Fatalf("proof %v", proof)
		}
		entry := doc["credentialStatus"].(map[string]any)
		if entry["type"] != "BitstringStatusListEntry" || entry["statusPurpose"] != "revocation" ||
			!strings.HasPrefix(entry["statusListCredential"].(string), "http://mooc.test/credentials/status/") {
			t.Fatalf("status %v", entry)
		}
		// The holder's list links to it.
		var mine struct {
			Items []struct {
				Code          string `json:"code"`
				CredentialURL string `json:"credential_url"`
			} `json:"items"`
		}
		s.do(request{method: "GET", path: "/api/v1/me/certificates", token: cc.learner}).expect(t, 200).json(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].CredentialURL != "http://mooc.test/api/v1/certificates/"+cert.Code+"/credential" {
			t.Fatalf("my certificates %+v", mine.Items)
		}
		// The same bytes at every download, for the team too.
		again := s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/credential", token: s.team}).expect(t, 200)
		if !bytes.Equal(again.body, cc.raw) {
			t.Fatal("the team's download differs from the holder's")
		}

		// The DID document names the key that signed.
		var didDoc credentials.DIDDocument
		s.do(request{method: "GET", path: "/.well-known/did.json"}).expect(t, 200).json(t, &didDoc)
		if didDoc.ID != did || len(didDoc.VerificationMethod) != 1 || didDoc.VerificationMethod[0].ID != proof["verificationMethod"] ||
			didDoc.VerificationMethod[0].Type != "Multikey" || !strings.HasPrefix(did, "did:key:"+didDoc.VerificationMethod[0].PublicKeyMultibase) ||
			len(didDoc.AssertionMethod) != 1 || didDoc.AssertionMethod[0] != didDoc.VerificationMethod[0].ID {
			t.Fatalf("did document %+v", didDoc)
		}

		if revoked, _ := s.statusBit(entry); revoked {
			t.Fatal("a valid certificate's bit is set")
		}
		if v := s.verifyPasted(cc.raw, "application/ld+json"); !v.Valid || v.Code != cert.Code || v.HolderName != "Līga Ozoliņa" {
			t.Fatalf("verdict on the credential as issued: %+v", v)
		}

		// What is not a valid credential of ours gets 200 and the reason.
		edited := bytes.Replace(cc.raw, []byte("Līga Ozoliņa"), []byte("Līga Ozoliņb"), 1)
		other := bytes.Replace(cc.raw, []byte(`"id": "`+did+`"`), []byte(`"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"`), 1)
		broken := bytes.Replace(cc.raw, []byte(`"proofValue": "z`), []byte(`"proofValue": "z2`), 1)
		for _, c := range []struct {
			name, contentType string
			body              []byte
			reason            string
		}{
			{"edited by one character", "application/json", edited, credentials.ReasonBadProof},
			{"not JSON", "text/plain", []byte("apliecinājums ABCD-EFGH-JKLM"), credentials.ReasonNotJSON},
			{"JSON with garbage after it", "text/plain", append(append([]byte{}, cc.raw...), []byte("}{")...), credentials.ReasonNotJSON},
			{"over 64 KiB", "text/plain", bytes.Repeat([]byte(" "), credentials.MaxPasted+1), credentials.ReasonTooLarge},
			{"another issuer", "application/json", other, credentials.ReasonOtherIssuer},
			{"a broken proof", "application/json", broken, credentials.ReasonBadProof},
			{"the DID document", "application/json", []byte(mustJSON(t, didDoc)), credentials.ReasonNotCredential},
			{"a term added that no context defines", "application/json", bytes.Replace(cc.raw, []byte(`"credentialSubject": {`),
				[]byte(`"credentialSubject": {"grade": "izcili",`), 1), credentials.ReasonBadProof},
			{"a credential of a hundred objects", "application/json", bytes.Replace(cc.raw, []byte(`"credentialSubject": {`),
				[]byte(`"credentialSubject": {"extra": [`+strings.Repeat(`{},`, 99)+`{}],`), 1), credentials.ReasonNotCredential},
		} {
			if v := s.verifyPasted(c.body, c.contentType); v.Valid || v.Reason != c.reason || v.Detail == "" {
				t.Errorf("%s: %+v, want reason %s", c.name, v, c.reason)
			}
		}

		// Revoking flips the bit at once.
		s.do(request{method: "POST", path: "/api/v1/certificates/" + cert.Code + "/revoke", token: s.team, body: map[string]string{"reason": "kļūda datos"}}).expect(t, 200)
		if revoked, _ := s.statusBit(entry); !revoked {
			t.Fatal("a revoked certificate's bit is not set")
		}
		if v := s.verifyPasted(cc.raw, "application/json"); v.Valid || v.Reason != credentials.ReasonRevoked || v.Code != cert.Code {
			t.Fatalf("verdict on a revoked credential: %+v", v)
		}

		for _, path := range []string{"/credentials/status/99", "/credentials/status/0", "/credentials/status/saraksts"} {
			s.do(request{method: "GET", path: path}).problem(t, 404, "not_found")
		}
	})
}

// Each certificate gets a slot of its own however many ask at once.
func TestCredentialSlotsConcurrent(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		const n = 8
		type held struct{ token, code string }
		var certs []held
		for range n {
			_, learner := s.signUp()
			e := s.enrolled(learner, c.ID)
			s.complete(learner, e.ID)
			var cert certificateBody
			s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)
			certs = append(certs, held{learner, cert.Code})
		}
		var wg sync.WaitGroup
		entries := make([]string, 2*n)
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := certs[i%n]
				r, err := s.try(request{method: "GET", path: "/api/v1/certificates/" + h.code + "/credential", token: h.token})
				if err != nil || r.status != 200 {
					t.Errorf("credential %d: %v %d %s", i, err, r.status, r.body)
					return
				}
				var doc struct {
					Status struct {
						ID string `json:"id"`
					} `json:"credentialStatus"`
				}
				if err := json.Unmarshal(r.body, &doc); err != nil {
					t.Error(err)
				}
				entries[i] = doc.Status.ID
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for i, id := range entries {
			if j, ok := seen[id]; ok && j%n != i%n {
				t.Fatalf("certificates %d and %d share the status entry %s", j%n, i%n, id)
			}
			seen[id] = i
		}
		for i := range n {
			if entries[i] != entries[i+n] {
				t.Fatalf("certificate %d got two entries: %s and %s", i, entries[i], entries[i+n])
			}
		}
	})
}

// thirdPartyVerify runs the third-party verifier (tools/vc-verify) on a
// credential with what the server serves: the DID document and the status
// list, and the contexts the credentials package embeds.
func (s *server) thirdPartyVerify(credential []byte) vcverify.Verdict {
	s.t.Helper()
	var doc struct {
		Status struct {
			List string `json:"statusListCredential"`
		} `json:"credentialStatus"`
	}
	if err := json.Unmarshal(credential, &doc); err != nil {
		s.t.Fatal(err)
	}
	var didDoc any
	s.do(request{method: "GET", path: "/.well-known/did.json"}).expect(s.t, 200).json(s.t, &didDoc)
	list := s.do(request{method: "GET", path: localPath(s.t, doc.Status.List)}).expect(s.t, 200).body
	v, err := vcverify.Verify(vcverify.Input{Credential: credential, DIDDocument: didDoc, Contexts: vcverify.Contexts(credentials.Contexts()),
		StatusLists: map[string]json.RawMessage{doc.Status.List: list}})
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// Someone else's verifier accepts the credential, tells when it is
// revoked, and rejects one edited by a character.
func TestCredentialThirdPartyVerifier(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		cc := s.certifiedCredential()
		if v := s.thirdPartyVerify(cc.raw); !v.Verified || v.Revoked == nil || *v.Revoked {
			t.Fatalf("as issued: %+v", v)
		}
		edited := bytes.Replace(cc.raw, []byte("Krīzes intervence sociālajā darbā"), []byte("Krīzes intervence sociālajā darbā!"), 1)
		if bytes.Equal(edited, cc.raw) {
			t.Fatal("nothing edited")
		}
		if v := s.thirdPartyVerify(edited); v.Verified {
			t.Fatalf("edited by a character: %+v", v)
		}
		s.do(request{method: "POST", path: "/api/v1/certificates/" + cc.cert.Code + "/revoke", token: s.team, body: map[string]string{"reason": "kļūda datos"}}).expect(t, 200)
		if v := s.thirdPartyVerify(cc.raw); !v.Verified || v.Revoked == nil || !*v.Revoked {
			t.Fatalf("after revocation: %+v", v)
		}
	})
}
