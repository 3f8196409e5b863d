package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/lv"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type certificateBody struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	HolderName  string    `json:"holder_name"`
	CourseTitle string    `json:"course_title"`
	Hours       int       `json:"hours"`
	IssuedAt    time.Time `json:"issued_at"`
	PDFURL      string    `json:"pdf_url"`
	VerifyURL   string    `json:"verify_url"`
}

// complete does everything a learner must: every lesson, and a pass in the
// final test.
func (s *school) complete(token, enrolmentID string) {
	s.t.Helper()
	s.completeLessons(token, enrolmentID)
	var a startedBody
	s.start(token, enrolmentID, s.finalTest()).expect(s.t, 201).json(s.t, &a)
	s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: token, body: answers(a, "Pareizi")}).expect(s.t, 200)
}

// pdfText extracts a PDF's text with poppler's pdftotext, as a person's
// viewer would see it.
var codeShape = regexp.MustCompile(`^[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$`)

func TestCertificates(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				s := newSchool(t, db, options{s3: storage == "s3"})
				c := s.cohort(200, 30*24*time.Hour)
				holder, learner := s.signUp()
				_, other := s.signUp()
				e := s.enrolled(learner, c.ID)
				path := "/api/v1/enrolments/" + e.ID + "/certificate"

				p := s.do(request{method: "POST", path: path, token: learner}).problem(t, 422, "not_eligible")
				if len(p.Errors) != 2 || p.Errors[0].Field != "lessons" || p.Errors[1].Field != "final_test" {
					t.Fatalf("missing %+v", p.Errors)
				}
				s.complete(learner, e.ID)
				s.do(request{method: "POST", path: path, token: other}).problem(t, 404, "not_found")

				var cert certificateBody
				s.do(request{method: "POST", path: path, token: learner}).expect(t, 201).json(t, &cert)
				if !codeShape.MatchString(cert.Code) || cert.HolderName != "Līga Ozoliņa" || cert.Hours != 12 ||
					cert.CourseTitle != "Krīzes intervence sociālajā darbā" || !strings.HasSuffix(cert.VerifyURL, "/verify/"+cert.Code) ||
					!strings.HasSuffix(cert.PDFURL, "/api/v1/certificates/"+cert.Code+"/pdf") {
					t.Fatalf("certificate %+v", cert)
				}
				var again certificateBody
				s.do(request{method: "POST", path: path, token: learner}).expect(t, 200).json(t, &again)
				if again.Code != cert.Code || again.ID != cert.ID {
					t.Fatalf("a second certificate: %+v", again)
				}

				// The PDF, in Latvian, read back as text.
				r := s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: learner}).expect(t, 200)
				if r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF")) {
					t.Fatalf("pdf reply %v", r.header)
				}
				text := testkit.PDFText(t, r.body)
				for _, want := range []string{"APLIECINĀJUMS", "Līga Ozoliņa", "Krīzes intervence sociālajā darbā", "12", cert.Code} {
					if !strings.Contains(text, want) {
						t.Errorf("the PDF lacks %q:\n%s", want, text)
					}
				}
				s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: other}).problem(t, 404, "not_found")
				s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: s.team}).expect(t, 200)
				s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf"}).problem(t, 401, "unauthorized")

				// Verification: anyone, any way the code is typed, nothing personal beyond the name.
				var v map[string]any
				typed := strings.ToLower(strings.ReplaceAll(cert.Code, "-", ""))
				s.do(request{method: "GET", path: "/api/v1/certificates/" + typed + "/verify"}).expect(t, 200).json(t, &v)
				if v["valid"] != true || v["holder_name"] != "Līga Ozoliņa" || v["hours"] != float64(12) || v["code"] != cert.Code {
					t.Fatalf("verification %v", v)
				}
				for _, private := range []string{holder.Email, "Ogres novads", holder.ID} {
					if strings.Contains(string(s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/verify"}).body), private) {
						t.Fatalf("verification shows %q", private)
					}
				}
				s.do(request{method: "GET", path: "/api/v1/certificates/ZZZZ-ZZZZ-ZZZZ/verify"}).problem(t, 404, "not_found")
				s.do(request{method: "GET", path: "/api/v1/certificates/not-a-code/verify"}).problem(t, 404, "not_found")
				page := string(s.do(request{method: "GET", path: "/verify/" + cert.Code}).expect(t, 200).body)
				if !strings.Contains(page, "Apliecinājums ir derīgs") || !strings.Contains(page, "Līga Ozoliņa") {
					t.Fatalf("verify page:\n%s", page)
				}
				if r := s.do(request{method: "GET", path: "/verify/ZZZZ-ZZZZ-ZZZZ"}); r.status != 404 || !strings.Contains(string(r.body), "nav atrasts") {
					t.Fatalf("unknown code page %d", r.status)
				}

				// Revocation.
				revoke := "/api/v1/certificates/" + cert.Code + "/revoke"
				s.do(request{method: "POST", path: revoke, token: learner, body: map[string]string{"reason": "x"}}).problem(t, 403, "forbidden")
				s.do(request{method: "POST", path: revoke, token: s.team, body: map[string]string{"reason": ""}}).problem(t, 422, "validation_failed")
				s.do(request{method: "POST", path: revoke, token: s.team, body: map[string]string{"reason": "Izsniegts kļūdas dēļ"}}).expect(t, 200)
				s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/verify"}).expect(t, 200).json(t, &v)
				if v["valid"] != false || v["revocation_reason"] != "Izsniegts kļūdas dēļ" || v["revoked_at"] == nil {
					t.Fatalf("after revocation %v", v)
				}
				if page := string(s.do(request{method: "GET", path: "/verify/" + cert.Code}).body); !strings.Contains(page, "atsaukts") || !strings.Contains(page, "kļūdas dēļ") {
					t.Fatalf("verify page after revocation:\n%s", page)
				}
				// The PDF downloaded after the revocation says so, with its date and reason.
				revokedAt, err := time.Parse(time.RFC3339Nano, v["revoked_at"].(string))
				if err != nil {
					t.Fatal(err)
				}
				revoked := testkit.PDFText(t, s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: learner}).expect(t, 200).body)
				for _, want := range []string{"ATSAUKTS", "Atsaukts " + lv.DateIn(revokedAt), "Izsniegts kļūdas dēļ", "Līga Ozoliņa", cert.Code} {
					if !strings.Contains(revoked, want) {
						t.Errorf("the revoked PDF lacks %q:\n%s", want, revoked)
					}
				}
			})
		})
	}
}

// Many requests for one certificate at once still make exactly one, with
// one PDF.
func TestCertificateIssuedOnceUnderConcurrency(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		s.complete(learner, e.ID)
		before := s.objectCount()

		codes := make(chan string, 20)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.try(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner})
				if err != nil {
					t.Error(err)
					return
				}
				if r.status != 201 && r.status != 200 {
					t.Errorf("status %d: %s", r.status, r.body)
					return
				}
				var cert certificateBody
				if err := json.Unmarshal(r.body, &cert); err != nil {
					t.Errorf("reply %d is not JSON: %v: %s", r.status, err, r.body)
					return
				}
				codes <- cert.Code
			}()
		}
		wg.Wait()
		close(codes)
		distinct := map[string]bool{}
		for code := range codes {
			distinct[code] = true
		}
		if len(distinct) != 1 || s.rowCount("certificates") != 1 {
			t.Fatalf("codes %v, %d rows", distinct, s.rowCount("certificates"))
		}
		if got := s.objectCount() - before; got != 1 {
			t.Fatalf("%d PDFs stored for one certificate", got)
		}
	})
}

// Hostile names are stored verbatim and escaped on the page; the verify
// page is also written out for a look in a real browser
// (scripts/verify-page-screenshot.sh).
func TestVerifyPageEscapes(t *testing.T) {
	s := newSchool(t, testenv.SQLite(t), options{})
	c := s.cohort(200, 30*24*time.Hour)
	body := registration()
	body["given_name"], body["family_name"] = `<script>alert("x")</script>`, "Bērziņš'; DROP TABLE users; --"
	u, token := s.register(body)
	if u.GivenName != body["given_name"] {
		t.Fatalf("name changed: %q", u.GivenName)
	}
	e := s.enrolled(token, c.ID)
	s.complete(token, e.ID)
	var cert certificateBody
	s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: token}).expect(t, 201).json(t, &cert)
	if cert.HolderName != `<script>alert("x")</script> Bērziņš'; DROP TABLE users; --` {
		t.Fatalf("holder %q", cert.HolderName)
	}
	page := string(s.do(request{method: "GET", path: "/verify/" + cert.Code}).expect(t, 200).body)
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatalf("the name is not escaped:\n%s", page)
	}
}

func TestBulkCertificates(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		for i := 0; i < 5; i++ {
			_, token := s.signUp()
			e := s.enrolled(token, c.ID)
			if i < 3 {
				s.complete(token, e.ID)
			}
			if i == 0 { // one has taken theirs already
				s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: token}).expect(t, 201)
			}
		}
		s.do(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/certificates", token: s.learner}).problem(t, 403, "forbidden")
		var job struct {
			ID, Status                      string
			Total, Issued, Existing, Failed int
			NotEligible                     int `json:"not_eligible"`
		}
		r := s.do(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/certificates", token: s.team}).expect(t, 202)
		r.json(t, &job)
		deadline := time.Now().Add(60 * time.Second)
		for job.Status != "done" {
			if time.Now().After(deadline) {
				t.Fatalf("job not done: %+v", job)
			}
			time.Sleep(20 * time.Millisecond) // a client polling the job, as a browser would
			s.do(request{method: "GET", path: "/api/v1/certificate-jobs/" + job.ID, token: s.team}).expect(t, 200).json(t, &job)
		}
		if job.Total != 5 || job.Issued != 2 || job.Existing != 1 || job.NotEligible != 2 || job.Failed != 0 {
			t.Fatalf("job %+v", job)
		}
		if n := s.rowCount("certificates"); n != 3 {
			t.Fatalf("%d certificates", n)
		}
		_ = context.Background()
	})
}
