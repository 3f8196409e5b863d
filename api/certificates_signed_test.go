package api_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mooc/config"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// pdfsigSays is what poppler's pdfsig reports of a PDF's signatures. It
// exits non-zero when a signature does not verify; the callers read what
// it says rather than its status.
func pdfsigSays(t *testing.T, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdfsig")
	if err != nil {
		t.Fatal("pdfsig is required to check the PDFs' seal (Debian package poppler-utils; `make test` installs it)")
	}
	file := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, file).CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return string(out)
}

// assertSealed checks that pdfsig finds the whole PDF signed, validly, by
// the platform's seal, which names the issuer.
func assertSealed(t *testing.T, what string, pdf []byte) {
	t.Helper()
	out := pdfsigSays(t, pdf)
	for _, want := range []string{"Signer Certificate Common Name: " + config.DefaultIssuerName + "\n",
		"Total document signed", "Signature Validation: Signature is Valid."} {
		if !strings.Contains(out, want) {
			t.Errorf("%s: pdfsig does not say %q:\n%s", what, want, out)
		}
	}
}

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
	assertSealed(t, "the certificate", pdf)
	if text := testkit.PDFText(t, pdf); !strings.Contains(text, config.DefaultIssuerName) {
		t.Errorf("the certificate does not name its issuer %q:\n%s", config.DefaultIssuerName, text)
	}
	changed := bytes.Clone(pdf)
	changed[bytes.Index(changed, []byte("stream\n"))+20] ^= 0x01
	if out := pdfsigSays(t, changed); strings.Contains(out, "Signature is Valid") {
		t.Errorf("a changed byte still verifies:\n%s", out)
	}

	s.do(request{method: "POST", path: "/api/v1/certificates/" + cert.Code + "/revoke", token: s.team,
		body: map[string]string{"reason": "Izsniegts kļūdas dēļ"}}).expect(t, 200)
	revoked := s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: learner}).expect(t, 200).body
	assertSealed(t, "the revoked certificate", revoked)
	if text := testkit.PDFText(t, revoked); !strings.Contains(text, "ATSAUKTS") {
		t.Errorf("the revoked certificate lacks its stamp:\n%s", text)
	}

	transcript := s.do(request{method: "GET", path: "/api/v1/me/training-hours", token: learner,
		header: map[string]string{"Accept": "application/pdf"}}).expect(t, 200).body
	assertSealed(t, "the transcript", transcript)
	if text := testkit.PDFText(t, transcript); !strings.Contains(text, config.DefaultIssuerName) || !strings.Contains(text, "IZZIŅA") {
		t.Errorf("the transcript does not name its issuer:\n%s", text)
	}
}
