package api_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"mooc/config"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// The certificate PDF downloaded from the API, before and after its
// revocation, and the transcript carry the issuer's name and seal; a byte
// changed in a downloaded certificate shows.
func TestDownloadedPDFsAreSealed(t *testing.T) {
	s := newSchool(t, testenv.DB(t, database.SQLite), options{})
	c := s.cohort(200, 30*24*time.Hour)
	_, learner := s.signUp()
	e := s.enrolled(learner, c.ID)
	s.complete(learner, e.ID)
	var cert certificateBody
	s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)

	pdf := s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: learner}).expect(t, 200).body
	testkit.AssertSealed(t, pdf, config.DefaultIssuerName)
	if text := testkit.PDFText(t, pdf); !strings.Contains(text, config.DefaultIssuerName) {
		t.Errorf("the certificate does not name its issuer %q:\n%s", config.DefaultIssuerName, text)
	}
	changed := bytes.Clone(pdf)
	changed[bytes.Index(changed, []byte("stream\n"))+20] ^= 0x01
	if out := testkit.PDFSig(t, changed); strings.Contains(out, "Signature is Valid") {
		t.Errorf("a changed byte still verifies:\n%s", out)
	}

	s.do(request{method: "POST", path: "/api/v1/certificates/" + cert.Code + "/revoke", token: s.team,
		body: map[string]string{"reason": "Izsniegts kļūdas dēļ"}}).expect(t, 200)
	revoked := s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: learner}).expect(t, 200).body
	testkit.AssertSealed(t, revoked, config.DefaultIssuerName)
	if text := testkit.PDFText(t, revoked); !strings.Contains(text, "ATSAUKTS") {
		t.Errorf("the revoked certificate lacks its stamp:\n%s", text)
	}

	transcript := s.do(request{method: "GET", path: "/api/v1/me/training-hours", token: learner,
		header: map[string]string{"Accept": "application/pdf"}}).expect(t, 200).body
	testkit.AssertSealed(t, transcript, config.DefaultIssuerName)
	if text := testkit.PDFText(t, transcript); !strings.Contains(text, config.DefaultIssuerName) || !strings.Contains(text, "IZZIŅA") {
		t.Errorf("the transcript does not name its issuer:\n%s", text)
	}
}
