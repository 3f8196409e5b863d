package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type trainingBody struct {
	Year          int `json:"year"`
	RequiredHours int `json:"required_hours"`
	Hours         int `json:"hours"`
	Items         []struct {
		Kind            string    `json:"kind"`
		Title           string    `json:"title"`
		Hours           int       `json:"hours"`
		CompletedAt     time.Time `json:"completed_at"`
		CertificateCode string    `json:"certificate_code"`
	} `json:"items"`
}

// heldCertificate is a certificate as the fixtures write it: issued by
// the certificates domain in its time, which the test does not replay.
type heldCertificate struct {
	code, kind, title string
	hours             int
	completed, issued time.Time
	revoked           bool
	application       string // an in-person participant's
}

func holdCertificate(t *testing.T, db *database.DB, userID string, c heldCertificate) {
	t.Helper()
	source, sourceKind := uuid.NewString(), "enrolment"
	if c.application != "" {
		source, sourceKind = c.application, "programme_participant"
	}
	var revokedAt *time.Time
	if c.revoked {
		revokedAt = &c.issued
	}
	err := db.Conn(context.Background()).Exec(`INSERT INTO certificates (id, code, source_kind, source_id, user_id, holder_name, kind, title,
		methodology_title, hours, period_from, period_to, completed_at, issued_at, pdf_key, revoked_at, revocation_reason)
		VALUES (?, ?, ?, ?, ?, 'x', ?, ?, 'Metodika', ?, ?, ?, ?, ?, 'certificates/x.pdf', ?, '')`,
		uuid.NewString(), c.code, sourceKind, source, userID, c.kind, c.title, c.hours,
		c.completed.AddDate(0, -1, 0), c.completed, c.completed, c.issued, revokedAt).Error
	if err != nil {
		t.Fatal(err)
	}
}

// attended gives a person a seat in a new programme with the hours they
// attended, and returns the application.
func attended(t *testing.T, db *database.DB, methodologyID, userID string, hours int, ends time.Time) string {
	t.Helper()
	conn, programme, application := db.Conn(context.Background()), uuid.NewString(), uuid.NewString()
	starts := ends.AddDate(0, 0, -20)
	if err := conn.Exec(`INSERT INTO programmes (id, methodology_id, title, hours, group_size, location, region, starts_at, ends_at,
		applications_open_at, applications_close_at, completion_percent, created_at, updated_at)
		VALUES (?, ?, 'Supervīzija', 96, 20, 'Cēsis', 'Vidzeme', ?, ?, ?, ?, 90, ?, ?)`,
		programme, methodologyID, starts, ends, starts.AddDate(0, -2, 0), starts.AddDate(0, -1, 0), starts, starts).Error; err != nil {
		t.Fatal(err)
	}
	if err := conn.Exec(`INSERT INTO applications (id, programme_id, user_id, municipality, took_part_in_pilot, status, queue_seq,
		attended_hours, applied_at, updated_at) VALUES (?, ?, ?, 'Cēsu novads', ?, 'accepted', 1, ?, ?, ?)`,
		application, programme, userID, false, hours, starts, ends).Error; err != nil {
		t.Fatal(err)
	}
	return application
}

// The record counts by hand: Jānis Bērziņš completed two online courses
// in 2027 (8 and 12 hours) and attended 90 of a programme's 96 hours,
// whose certificate was issued at 22:30 UTC on 31 December 2026, past
// midnight in Riga: 110 hours in 2027. An online course completed at
// 23:30 in Riga that evening counts in 2026, though its certificate was
// issued after midnight; a revoked certificate counts nowhere, and
// another person's not for him.
func TestTrainingHours(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Supervīzija", "direction": "crisis"})
		body := registration()
		body["given_name"], body["family_name"] = "Jānis", "Bērziņš"
		janis, token := c.register(body)
		liga, ligaToken := c.signUp()

		newYear := time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC) // 00:30 on 1 January 2027 in Riga
		seat := attended(t, db, c.methodology, janis.ID, 90, time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC))
		for _, h := range []heldCertificate{
			{code: "AAAA-2222-2222", kind: "course", title: "Krīzes intervence", hours: 12,
				completed: time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC), issued: time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC)},
			{code: "BBBB-2222-2222", kind: "course", title: "Darbs ar ģimenēm", hours: 8,
				completed: time.Date(2027, 1, 20, 12, 0, 0, 0, time.UTC), issued: time.Date(2027, 1, 21, 8, 0, 0, 0, time.UTC)},
			{code: "CCCC-2222-2222", kind: "programme", title: "Supervīzija: klātienes mācības", hours: 96,
				completed: time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), issued: newYear, application: seat},
			{code: "DDDD-2222-2222", kind: "course", title: "Vecogās dienas", hours: 6,
				completed: time.Date(2026, 12, 31, 21, 30, 0, 0, time.UTC), issued: newYear},
			{code: "EEEE-2222-2222", kind: "course", title: "Atsauktais kurss", hours: 10,
				completed: time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC), issued: time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC), revoked: true},
		} {
			holdCertificate(t, db, janis.ID, h)
		}
		holdCertificate(t, db, liga.ID, heldCertificate{code: "FFFF-2222-2222", kind: "course", title: "Līgas kurss", hours: 5,
			completed: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), issued: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC)})

		var rec trainingBody
		c.do(request{method: "GET", path: "/api/v1/me/training-hours?year=2027", token: token}).expect(t, 200).json(t, &rec)
		got := []string{}
		for _, it := range rec.Items {
			got = append(got, it.Kind+" "+it.CertificateCode+" "+it.Title+" "+time.Duration(it.Hours).String()+" "+it.CompletedAt.UTC().Format(time.RFC3339))
		}
		want := []string{
			"in_person CCCC-2222-2222 Supervīzija: klātienes mācības 90ns 2026-12-31T22:30:00Z",
			"online BBBB-2222-2222 Darbs ar ģimenēm 8ns 2027-01-20T12:00:00Z",
			"online AAAA-2222-2222 Krīzes intervence 12ns 2027-02-10T09:00:00Z",
		}
		if rec.Year != 2027 || rec.RequiredHours != 24 || rec.Hours != 110 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("2027: %d of %d hours in %d:\n%s", rec.Hours, rec.RequiredHours, rec.Year, strings.Join(got, "\n"))
		}
		var current trainingBody
		c.do(request{method: "GET", path: "/api/v1/me/training-hours", token: token}).expect(t, 200).json(t, &current)
		if current.Year != 2027 || current.Hours != 110 {
			t.Fatalf("the current year: %+v", current)
		}
		var last trainingBody
		c.do(request{method: "GET", path: "/api/v1/me/training-hours?year=2026", token: token}).expect(t, 200).json(t, &last)
		if last.Hours != 6 || len(last.Items) != 1 || last.Items[0].CertificateCode != "DDDD-2222-2222" {
			t.Fatalf("2026: %+v", last)
		}
		var next trainingBody
		c.do(request{method: "GET", path: "/api/v1/me/training-hours?year=2028", token: token}).expect(t, 200).json(t, &next)
		if next.Hours != 0 || next.Items == nil || len(next.Items) != 0 {
			t.Fatalf("2028: %+v", next)
		}
		var hers trainingBody
		c.do(request{method: "GET", path: "/api/v1/me/training-hours?year=2027", token: ligaToken}).expect(t, 200).json(t, &hers)
		if hers.Hours != 5 || len(hers.Items) != 1 {
			t.Fatalf("Līga's 2027: %+v", hers)
		}
		for _, bad := range []string{"2014", "2029", "abc", "2027.5", "-2027"} {
			for _, path := range []string{"/api/v1/me/training-hours?year=" + bad, "/api/v1/users/" + janis.ID + "/training-hours?year=" + bad} {
				p := c.do(request{method: "GET", path: path, token: c.team}).problem(t, 422, "validation_failed")
				if len(p.Errors) != 1 || p.Errors[0].Field != "year" {
					t.Fatalf("%s: %+v", path, p.Errors)
				}
			}
		}

		// The team sees the same of anyone; nobody else does.
		team := "/api/v1/users/" + janis.ID + "/training-hours?year=2027"
		var seen trainingBody
		c.do(request{method: "GET", path: team, token: c.team}).expect(t, 200).json(t, &seen)
		if seen.Hours != 110 || len(seen.Items) != 3 {
			t.Fatalf("the team's view: %+v", seen)
		}
		c.do(request{method: "GET", path: team, token: token}).problem(t, 403, "forbidden")
		c.do(request{method: "GET", path: team, token: c.author}).problem(t, 403, "forbidden")
		c.do(request{method: "GET", path: team}).problem(t, 401, "unauthorized")
		c.do(request{method: "GET", path: "/api/v1/users/" + uuid.NewString() + "/training-hours", token: c.team}).problem(t, 404, "not_found")
		c.do(request{method: "GET", path: "/api/v1/users/not-an-id/training-hours", token: c.team}).problem(t, 404, "not_found")

		// The transcript, read back.
		pdf := func(path, token string) string {
			t.Helper()
			r := c.do(request{method: "GET", path: path, token: token, header: map[string]string{"Accept": "application/pdf"}}).expect(t, 200)
			if r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF")) {
				t.Fatalf("%s: %v", path, r.header)
			}
			return testkit.PDFText(t, r.body)
		}
		for _, text := range []string{pdf("/api/v1/me/training-hours?year=2027", token), pdf(team, c.team)} {
			for _, want := range []string{"IZZIŅA", "2027. gadā", "Jānis Bērziņš", "„Supervīzija: klātienes mācības”", "90 akadēmiskās stundas",
				"„Darbs ar ģimenēm”", "8 stundas", "CCCC-2222-2222", "BBBB-2222-2222", "AAAA-2222-2222", "/verify/AAAA-2222-2222",
				"Kopā: 110 stundas", "Gada prasība: 24 stundas", "Prasība izpildīta."} {
				if !strings.Contains(text, want) {
					t.Errorf("the transcript lacks %q:\n%s", want, text)
				}
			}
			for _, not := range []string{"DDDD", "EEEE", "FFFF"} {
				if strings.Contains(text, not) {
					t.Errorf("the transcript shows %s:\n%s", not, text)
				}
			}
		}
		text := pdf("/api/v1/me/training-hours?year=2027", ligaToken)
		for _, want := range []string{"Līga Ozoliņa", "„Līgas kurss”", "Kopā: 5 stundas", "trūkst 19 stundas"} {
			if !strings.Contains(text, want) {
				t.Errorf("Līga's transcript lacks %q:\n%s", want, text)
			}
		}
	})
}
