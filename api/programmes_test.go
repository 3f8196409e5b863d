package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type programmeBody struct {
	ID                string `json:"id"`
	Hours             int    `json:"hours"`
	GroupSize         int    `json:"group_size"`
	Region            string `json:"region"`
	ApplicationsOpen  bool   `json:"applications_open"`
	CompletionPercent int    `json:"completion_percent"`
}

type applicationBody struct {
	ID               string `json:"id"`
	UserID           string `json:"user_id"`
	Status           string `json:"status"`
	TookPartInPilot  bool   `json:"took_part_in_pilot"`
	WaitlistPosition *int   `json:"waitlist_position"`
}

// programmeFields is a valid create body with the given fields changed; a
// nil value leaves the field out.
func (c *catalogue) programmeFields(change map[string]any) map[string]any {
	now := time.Now().UTC()
	full := map[string]any{
		"methodology_id": c.methodology, "title": "Krīzes intervence: klātienes mācības", "hours": 96, "location": "Cēsis, Raunas iela 4",
		"region": "Vidzeme", "starts_at": now.Add(30 * 24 * time.Hour), "ends_at": now.Add(90 * 24 * time.Hour),
		"applications_open_at": now.Add(-time.Hour), "applications_close_at": now.Add(24 * time.Hour),
	}
	for k, v := range change {
		if v == nil {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	return full
}

func (c *catalogue) programme(change map[string]any) programmeBody {
	c.t.Helper()
	var p programmeBody
	c.do(request{method: "POST", path: "/api/v1/programmes", token: c.team, body: c.programmeFields(change)}).expect(c.t, 201).json(c.t, &p)
	return p
}

// Each case is the valid body with exactly one field changed, on either
// side of each bound: a case refused is refused for that field alone, and
// a case accepted shows that the body around it is valid.
func TestProgrammeFieldBounds(t *testing.T) {
	c := newCatalogue(t, database.SQLite, testenv.SQLite(t))
	now := time.Now().UTC()
	for _, tc := range []struct {
		field string
		value any
		ok    bool // else refused, naming field
	}{
		{"hours", 87, false},
		{"hours", 88, true},
		{"hours", 100, true},
		{"hours", 101, false},
		{"hours", nil, false},
		{"group_size", 0, false},
		{"group_size", 1, true},
		{"group_size", 100, true},
		{"group_size", 101, false},
		{"completion_percent", 0, false},
		{"completion_percent", 1, true},
		{"completion_percent", 100, true},
		{"completion_percent", 101, false},
		{"region", "Sēlija", false},
		{"region", "Latgale", true},
		{"title", strings.Repeat("x", 300), true},
		{"title", strings.Repeat("x", 301), false},
		{"location", strings.Repeat("x", 301), false},
		{"methodology_id", "00000000-0000-4000-8000-000000000000", false},
		{"ends_at", now, false},                                   // before starts_at
		{"applications_close_at", now.Add(-2 * time.Hour), false}, // before applications_open_at
	} {
		name := fmt.Sprint(tc.field, "=", tc.value)
		if v, ok := tc.value.(string); ok && len(v) > 40 {
			name = fmt.Sprintf("%s=%d characters", tc.field, len(v))
		} else if v, ok := tc.value.(time.Time); ok {
			name = fmt.Sprintf("%s=%s", tc.field, v.Sub(now))
		}
		t.Run(name, func(t *testing.T) {
			r := c.do(request{method: "POST", path: "/api/v1/programmes", token: c.team, body: c.programmeFields(map[string]any{tc.field: tc.value})})
			if tc.ok {
				var p map[string]any
				r.expect(t, 201).json(t, &p)
				if fmt.Sprint(p[tc.field]) != fmt.Sprint(tc.value) {
					t.Fatalf("%s came back %v, want %v", tc.field, p[tc.field], tc.value)
				}
				return
			}
			p := r.problem(t, 422, "validation_failed")
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
				t.Fatalf("want one error, for %s: %+v", tc.field, p.Errors)
			}
		})
	}
}

func TestProgrammesAllocationAndAttendance(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Krīzes intervence", "direction": "crisis"})
		p := c.programme(map[string]any{"group_size": 3})
		if p.Hours != 96 || p.GroupSize != 3 || !p.ApplicationsOpen || p.CompletionPercent != 90 {
			t.Fatalf("programme %+v", p)
		}
		c.do(request{method: "POST", path: "/api/v1/programmes", token: c.author, body: map[string]any{"title": "x"}}).problem(t, 403, "forbidden")
		c.do(request{method: "POST", path: "/api/v1/programmes", token: c.team, body: map[string]any{"title": "x"}}).problem(t, 422, "validation_failed")

		// Five apply: two were in the pilot, three were not.
		path := "/api/v1/programmes/" + p.ID
		pilot := []bool{true, false, true, false, false}
		var ids, tokens, emails []string
		for i, inPilot := range pilot {
			clock.Set(clock.Now().Add(time.Second)) // applications in a known order
			u, token := c.signUp()
			ids, tokens, emails = append(ids, u.ID), append(tokens, token), append(emails, u.Email)
			var a applicationBody
			c.do(request{method: "POST", path: path + "/applications", token: token, body: map[string]any{"municipality": fmt.Sprintf("Novads %d", i), "took_part_in_pilot": inPilot}}).expect(t, 201).json(t, &a)
			if a.Status != "applied" {
				t.Fatalf("application %+v", a)
			}
		}
		c.do(request{method: "POST", path: path + "/applications", token: tokens[0], body: map[string]any{"municipality": "x", "took_part_in_pilot": false}}).problem(t, 409, "already_applied")
		c.do(request{method: "POST", path: path + "/applications", token: c.learner, body: map[string]any{"municipality": "x"}}).problem(t, 422, "validation_failed")
		c.do(request{method: "POST", path: path + "/allocation", token: c.team}).problem(t, 422, "applications_open")

		// Close the window, then allocate: non-pilot first, then by time.
		c.do(request{method: "PATCH", path: path, token: c.team, body: map[string]any{"applications_close_at": time.Now().UTC().Add(-time.Minute), "applications_open_at": time.Now().UTC().Add(-2 * time.Hour)}}).expect(t, 200)
		c.do(request{method: "POST", path: path + "/applications", token: c.learner, body: map[string]any{"municipality": "x", "took_part_in_pilot": false}}).problem(t, 422, "applications_closed")
		var alloc struct{ Accepted, Waitlisted []applicationBody }
		first := c.do(request{method: "POST", path: path + "/allocation", token: c.team}).expect(t, 200)
		first.json(t, &alloc)
		got := []string{}
		for _, a := range append(alloc.Accepted, alloc.Waitlisted...) {
			got = append(got, a.UserID)
		}
		want := []string{ids[1], ids[3], ids[4], ids[0], ids[2]}
		if strings.Join(got, ",") != strings.Join(want, ",") || len(alloc.Accepted) != 3 || *alloc.Waitlisted[0].WaitlistPosition != 1 {
			t.Fatalf("allocation %v, want %v", got, want)
		}
		if again := c.do(request{method: "POST", path: path + "/allocation", token: c.team}).expect(t, 200); string(again.body) != string(first.body) {
			t.Fatalf("second allocation differs:\n%s\n%s", again.body, first.body)
		}

		// A seat frees up; the team gives it to the head of the waitlist.
		c.do(request{method: "POST", path: path + "/applications/" + alloc.Waitlisted[0].ID + "/accept", token: c.team}).problem(t, 422, "no_free_seat")
		c.do(request{method: "DELETE", path: path + "/applications/me", token: tokens[3]}).expect(t, 204)
		c.do(request{method: "POST", path: path + "/applications/" + alloc.Waitlisted[0].ID + "/accept", token: c.team}).expect(t, 200)
		c.do(request{method: "POST", path: path + "/applications/" + alloc.Waitlisted[0].ID + "/accept", token: c.team}).problem(t, 422, "not_waitlisted")

		// Attendance, once the programme has been held (its 96 hours all
		// held; tokens of 12 hours ago have expired): completing takes 90 %
		// of the 96 hours, 86.4, so 87 hours: 86 (89.6 %) does not
		// complete, 87 (90.6 %) completes and certifies.
		clock.Set(clock.Now().Add(91 * 24 * time.Hour))
		_, c.team = c.signUp("team")
		tokens[1] = c.login(emails[1], testkit.Password)
		attend := func(i, hours int) reply {
			return c.do(request{method: "PUT", path: path + "/attendance/" + ids[i], token: c.team, body: map[string]int{"hours": hours}})
		}
		attend(2, 10).problem(t, 422, "not_participant")
		var at struct {
			AttendedHours   int    `json:"attended_hours"`
			RequiredHours   int    `json:"required_hours"`
			Completed       bool   `json:"completed"`
			CertificateCode string `json:"certificate_code"`
		}
		attend(1, 86).expect(t, 200).json(t, &at)
		if at.Completed || at.RequiredHours != 87 || at.CertificateCode != "" {
			t.Fatalf("86 of 96 hours: %+v", at)
		}
		attend(1, 97).problem(t, 422, "validation_failed")
		attend(1, 87).expect(t, 200).json(t, &at)
		if !at.Completed || at.RequiredHours != 87 || at.CertificateCode == "" {
			t.Fatalf("87 of 96 hours: %+v", at)
		}
		code := at.CertificateCode
		attend(1, 96).expect(t, 200).json(t, &at)
		if at.CertificateCode != code {
			t.Fatal("a second certificate for one participant")
		}
		var v map[string]any
		c.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/verify"}).expect(t, 200).json(t, &v)
		if v["hours"] != float64(96) || v["valid"] != true {
			t.Fatalf("programme certificate %v", v)
		}
		var mine struct{ Items []certificateBody }
		c.do(request{method: "GET", path: "/api/v1/me/certificates", token: tokens[1]}).expect(t, 200).json(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].Code != code {
			t.Fatalf("my certificates %+v", mine.Items)
		}
		r := c.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/pdf", token: tokens[1]}).expect(t, 200)
		if text := testkit.PDFText(t, r.body); !strings.Contains(text, "96") || !strings.Contains(text, "klātienes") {
			t.Fatalf("programme PDF:\n%s", text)
		}
		_ = context.Background()
	})
}
