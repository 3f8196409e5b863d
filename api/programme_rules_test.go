package api_test

import (
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/lv"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// rig is a catalogue on a test clock with one programme.
type rig struct {
	*catalogue
	clock *testClock
	path  string
}

func newRig(t *testing.T, db *database.DB) *rig {
	clock := newClock(time.Now().UTC().Truncate(time.Second))
	c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Krīzes intervence", "direction": "crisis"})
	return &rig{catalogue: c, clock: clock}
}

// at moves the clock and signs the team in again (tokens last 12 hours of
// the clock).
func (r *rig) at(t time.Time) {
	r.clock.Set(t)
	_, r.team = r.signUp("team")
}

// apply has a new learner apply, a second after whatever came before, and
// returns them, their token and the application.
func (r *rig) apply(inPilot bool) (userBody, string, applicationBody) {
	r.t.Helper()
	r.clock.Set(r.clock.Now().Add(time.Second))
	u, token := r.signUp()
	var a applicationBody
	r.do(request{method: "POST", path: r.path + "/applications", token: token, body: map[string]any{"municipality": "Cēsu novads", "took_part_in_pilot": inPilot}}).
		expect(r.t, 201).json(r.t, &a)
	return u, token, a
}

func (r *rig) closeApplications() {
	r.t.Helper()
	now := r.clock.Now()
	r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"applications_open_at": now.Add(-2 * time.Hour), "applications_close_at": now.Add(-time.Minute)}}).expect(r.t, 200)
}

func (r *rig) reopenApplications() {
	r.t.Helper()
	now := r.clock.Now()
	r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"applications_open_at": now.Add(-time.Hour), "applications_close_at": now.Add(time.Hour)}}).expect(r.t, 200)
}

type allocationBody struct{ Accepted, Waitlisted []applicationBody }

func (r *rig) allocate() allocationBody {
	r.t.Helper()
	var a allocationBody
	r.do(request{method: "POST", path: r.path + "/allocation", token: r.team}).expect(r.t, 200).json(r.t, &a)
	return a
}

func userIDs(as []applicationBody) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.UserID
	}
	return strings.Join(ids, ",")
}

// Attendance counts from the programme's start and never above the hours
// held so far (96 hours over 12 days in Riga: 8 a day); lowering it below
// the threshold revokes the certificate it earned, and the PDF says so.
func TestProgrammeAttendanceFollowsTheProgramme(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		r := newRig(t, db)
		y, m, d := r.clock.Now().Add(10 * 24 * time.Hour).In(lv.Riga).Date()
		starts := time.Date(y, m, d, 9, 0, 0, 0, lv.Riga)
		ends := time.Date(y, m, d+11, 17, 0, 0, 0, lv.Riga)
		p := r.programme(map[string]any{"hours": 96, "group_size": 2, "starts_at": starts, "ends_at": ends})
		r.path = "/api/v1/programmes/" + p.ID
		u, _, _ := r.apply(false)
		r.closeApplications()
		r.allocate()
		attend := func(hours int) reply {
			return r.do(request{method: "PUT", path: r.path + "/attendance/" + u.ID, token: r.team, body: map[string]int{"hours": hours}})
		}
		var at struct {
			AttendedHours   int    `json:"attended_hours"`
			Completed       bool   `json:"completed"`
			CertificateCode string `json:"certificate_code"`
		}

		// Ten days before the start: nothing can be attended yet.
		attend(90).problem(t, 422, "programme_not_started")
		attend(0).problem(t, 422, "programme_not_started")
		r.at(starts.Add(-time.Second))
		attend(1).problem(t, 422, "programme_not_started")

		// The first day holds 8 hours; the third day, 24.
		r.at(starts)
		attend(8).expect(t, 200)
		if p := attend(9).problem(t, 422, "validation_failed"); len(p.Errors) != 1 || p.Errors[0].Field != "hours" {
			t.Fatalf("9 hours on the first day: %+v", p.Errors)
		}
		r.at(starts.Add(2*24*time.Hour + 3*time.Hour))
		attend(25).problem(t, 422, "validation_failed")
		attend(24).expect(t, 200).json(t, &at)
		if at.Completed || at.CertificateCode != "" {
			t.Fatalf("24 hours: %+v", at)
		}
		// The last day: all 96 hours are held; 90 earn the certificate.
		r.at(ends.Add(-time.Hour))
		attend(97).problem(t, 422, "validation_failed")
		attend(90).expect(t, 200).json(t, &at)
		if !at.Completed || at.CertificateCode == "" {
			t.Fatalf("90 of 96 hours held: %+v", at)
		}
		code := at.CertificateCode
		var v struct {
			Valid            bool       `json:"valid"`
			RevokedAt        *time.Time `json:"revoked_at"`
			RevocationReason string     `json:"revocation_reason"`
		}
		r.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/verify"}).expect(t, 200).json(t, &v)
		if !v.Valid {
			t.Fatalf("fresh certificate %+v", v)
		}

		// Two days later the team corrects the hours to 10.
		corrected := ends.Add(2 * 24 * time.Hour)
		r.at(corrected)
		attend(10).expect(t, 200).json(t, &at)
		if at.Completed || at.AttendedHours != 10 {
			t.Fatalf("10 hours: %+v", at)
		}
		r.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/verify"}).expect(t, 200).json(t, &v)
		if v.Valid || v.RevocationReason != "attendance corrected" || v.RevokedAt == nil || !v.RevokedAt.Equal(corrected) {
			t.Fatalf("after the correction %+v", v)
		}
		holder := r.login(u.Email, testkit.Password)
		pdf := r.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/pdf", token: holder}).expect(t, 200)
		text := testkit.PDFText(t, pdf.body)
		for _, want := range []string{"ATSAUKTS", "Atsaukts " + lv.DateIn(corrected), "attendance corrected", code} {
			if !strings.Contains(text, want) {
				t.Errorf("the revoked PDF lacks %q:\n%s", want, text)
			}
		}
		// The revocation keeps its first date when the hours change again.
		r.at(corrected.Add(24 * time.Hour))
		attend(5).expect(t, 200)
		r.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/verify"}).expect(t, 200).json(t, &v)
		if !v.RevokedAt.Equal(corrected) {
			t.Fatalf("revocation moved to %v", v.RevokedAt)
		}
	})
}

// A withdrawn applicant may apply again, at the back of the queue.
func TestProgrammeReapplyAfterWithdrawal(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		r := newRig(t, db)
		p := r.programme(map[string]any{"group_size": 2})
		r.path = "/api/v1/programmes/" + p.ID
		a, aToken, first := r.apply(false)
		b, _, _ := r.apply(false)
		r.clock.Set(r.clock.Now().Add(time.Minute))
		r.do(request{method: "DELETE", path: r.path + "/applications/me", token: aToken}).expect(t, 204)
		c, _, _ := r.apply(false)
		r.clock.Set(r.clock.Now().Add(time.Minute))
		var again applicationBody
		r.do(request{method: "POST", path: r.path + "/applications", token: aToken, body: map[string]any{"municipality": "Valmieras novads", "took_part_in_pilot": false}}).
			expect(t, 201).json(t, &again)
		if again.Status != "applied" || again.ID != first.ID {
			t.Fatalf("applied again: %+v (first %+v)", again, first)
		}
		r.do(request{method: "POST", path: r.path + "/applications", token: aToken, body: map[string]any{"municipality": "x", "took_part_in_pilot": false}}).problem(t, 409, "already_applied")
		r.closeApplications()
		alloc := r.allocate()
		if got, want := userIDs(alloc.Accepted)+"|"+userIDs(alloc.Waitlisted), b.ID+","+c.ID+"|"+a.ID; got != want {
			t.Fatalf("allocation %s, want %s", got, want)
		}
	})
}

// Applications made after the allocation are allocated by running it
// again, by the same priority, or accepted by the team into free seats;
// the group can never shrink below those accepted.
func TestProgrammeApplicationsAfterAllocation(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		r := newRig(t, db)
		p := r.programme(map[string]any{"group_size": 3})
		r.path = "/api/v1/programmes/" + p.ID
		a, _, _ := r.apply(false)
		b, _, _ := r.apply(true)
		r.closeApplications()
		if alloc := r.allocate(); userIDs(alloc.Accepted) != a.ID+","+b.ID || len(alloc.Waitlisted) != 0 {
			t.Fatalf("first allocation %+v", alloc)
		}

		// Applications reopen: a pilot municipality's worker applies before
		// two others; the one free seat goes to the first of those others,
		// and the waitlist is in the same order (non-pilot first).
		r.reopenApplications()
		pilot, _, _ := r.apply(true)
		d, _, _ := r.apply(false)
		e, _, _ := r.apply(false)
		r.closeApplications()
		alloc := r.allocate()
		if got, want := userIDs(alloc.Accepted)+"|"+userIDs(alloc.Waitlisted), a.ID+","+d.ID+","+b.ID+"|"+e.ID+","+pilot.ID; got != want {
			t.Fatalf("second allocation %s, want %s", got, want)
		}
		if *alloc.Waitlisted[0].WaitlistPosition != 1 || *alloc.Waitlisted[1].WaitlistPosition != 2 {
			t.Fatalf("waitlist %+v", alloc.Waitlisted)
		}

		// A later applicant gets no seat while others wait for it, even when
		// the group grows (the team gives such seats with accept); they join
		// the waitlist in allocation order: behind those of their kind,
		// ahead of the pilot municipality's worker.
		r.reopenApplications()
		f, _, fApp := r.apply(false)
		r.closeApplications()
		r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"group_size": 4}}).expect(t, 200)
		alloc = r.allocate()
		if got, want := userIDs(alloc.Waitlisted), e.ID+","+f.ID+","+pilot.ID; got != want || len(alloc.Accepted) != 3 {
			t.Fatalf("third allocation waitlist %s, want %s (accepted %d)", got, want, len(alloc.Accepted))
		}
		r.reopenApplications()
		g, _, gApp := r.apply(false)
		r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"group_size": 5}}).expect(t, 200)
		// The team accepts a new applicant into a free seat, and one waiting.
		var accepted applicationBody
		r.do(request{method: "POST", path: r.path + "/applications/" + gApp.ID + "/accept", token: r.team}).expect(t, 200).json(t, &accepted)
		if accepted.Status != "accepted" || accepted.UserID != g.ID {
			t.Fatalf("accepted %+v", accepted)
		}
		r.do(request{method: "POST", path: r.path + "/applications/" + fApp.ID + "/accept", token: r.team}).expect(t, 200)
		r.do(request{method: "POST", path: r.path + "/applications/" + alloc.Waitlisted[0].ID + "/accept", token: r.team}).problem(t, 422, "no_free_seat")

		// Five are accepted now: the group cannot be cut below five.
		r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"group_size": 4}}).problem(t, 422, "group_size_below_accepted")
		var now programmeBody
		r.do(request{method: "PATCH", path: r.path, token: r.team, body: map[string]any{"group_size": 5}}).expect(t, 200).json(t, &now)
		if now.GroupSize != 5 {
			t.Fatalf("group %d", now.GroupSize)
		}
	})
}

// A certificate issued before the cohort ends states the day its learner
// completed the course, not the cohort's period: the later of the last
// lesson and the final test.
func TestCertificateStatesTheCompletionDate(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		c := s.cohort(200, 30*24*time.Hour) // ends in five days
		body := registration()
		s.register(body)
		signIn := func() string { return s.login(body["email"].(string), body["password"].(string)) }
		token := signIn()
		e := s.enrolled(token, c.ID)

		// The final test first, then, a day later, the lessons; the
		// certificate two days after that.
		var a startedBody
		s.start(token, e.ID, s.finalTest()).expect(t, 201).json(t, &a)
		s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: token, body: answers(a, "Pareizi")}).expect(t, 200)
		lessonsDone := clock.Now().Add(24 * time.Hour)
		clock.Set(lessonsDone)
		token = signIn()
		s.completeLessons(token, e.ID)
		issued := lessonsDone.Add(2 * 24 * time.Hour)
		clock.Set(issued)
		token = signIn()
		var cert struct {
			Code        string     `json:"code"`
			CompletedAt *time.Time `json:"completed_at"`
			IssuedAt    time.Time  `json:"issued_at"`
			To          time.Time  `json:"to"`
		}
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: token}).expect(t, 201).json(t, &cert)
		if cert.CompletedAt == nil || cert.CompletedAt.Sub(lessonsDone).Abs() > time.Second || !cert.IssuedAt.Equal(issued) || cert.To.Sub(c.EndsAt).Abs() > time.Millisecond {
			t.Fatalf("certificate %+v, want completed at %v", cert, lessonsDone)
		}
		text := testkit.PDFText(t, s.do(request{method: "GET", path: "/api/v1/certificates/" + cert.Code + "/pdf", token: token}).expect(t, 200).body)
		if !strings.Contains(text, "Apgūts: "+lv.Date(lessonsDone)) || !strings.Contains(text, lv.Date(issued)) {
			t.Errorf("the PDF does not state completion on %s:\n%s", lv.Date(lessonsDone), text)
		}
		if strings.Contains(text, lv.Date(c.EndsAt)) || strings.Contains(text, lv.Date(c.StartsAt)) {
			t.Errorf("the PDF states the cohort's period (%s – %s):\n%s", lv.Date(c.StartsAt), lv.Date(c.EndsAt), text)
		}
	})
}
