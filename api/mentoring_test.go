package api_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type mentoringBody struct {
	ParticipantID string `json:"participant_id"`
	MentorID      string `json:"mentor_id"`
	Mode          string `json:"mode"`
}

type mentoringOverview struct {
	Participants []struct {
		Participant struct{ ID string } `json:"participant"`
		Mentor      struct{ ID string } `json:"mentor"`
		Mode        string              `json:"mode"`
		Months      []struct {
			Month   string `json:"month"`
			Minutes int    `json:"minutes"`
			Short   bool   `json:"short"`
		} `json:"months"`
	} `json:"participants"`
}

// months renders one participant's months as "2026-11:150 2026-12:30!",
// a ! marking a short month; "-" when the participant is not listed.
func (o mentoringOverview) months(participantID string) string {
	for _, p := range o.Participants {
		if p.Participant.ID == participantID {
			out := ""
			for i, m := range p.Months {
				if i > 0 {
					out += " "
				}
				out += fmt.Sprintf("%s:%d", m.Month, m.Minutes)
				if m.Short {
					out += "!"
				}
			}
			return out
		}
	}
	return "-"
}

func (o mentoringOverview) ids() []string {
	var out []string
	for _, p := range o.Participants {
		out = append(out, p.Participant.ID)
	}
	slices.Sort(out)
	return out
}

// mentoringProgramme is a programme whose seats have been given out to n
// people who applied, at the clock's time; it returns their users and
// moves the clock on 90 minutes.
func mentoringProgramme(t *testing.T, c *catalogue, clock *testClock, n int) (string, []userBody) {
	t.Helper()
	now := clock.Now()
	p := c.programme(map[string]any{"applications_open_at": now.Add(-2 * time.Hour), "applications_close_at": now.Add(time.Hour),
		"starts_at": now.Add(2 * time.Hour), "ends_at": now.Add(48 * time.Hour)})
	path := "/api/v1/programmes/" + p.ID
	users := make([]userBody, n)
	for i := range users {
		var token string
		users[i], token = c.signUp()
		c.do(request{method: "POST", path: path + "/applications", token: token, body: map[string]any{"municipality": "Ogres novads", "took_part_in_pilot": false}}).expect(t, 201)
	}
	clock.Set(now.Add(90 * time.Minute))
	c.do(request{method: "POST", path: path + "/allocation", token: c.team}).expect(t, 200)
	return p.ID, users
}

func fieldNamed(t *testing.T, p problemBody, field string) {
	t.Helper()
	for _, e := range p.Errors {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("problem %+v does not name %s", p, field)
}

func TestMentoringLimitsSessionsAndMonths(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		// 29 November 2026, 12:00 in Riga (UTC+2).
		clock := newClock(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Kopienas sociālais darbs", "direction": "target_group"})
		id, p := mentoringProgramme(t, c, clock, 6)
		path := "/api/v1/programmes/" + id + "/mentoring"
		m1, _ := c.signUp("mentor")
		m2, _ := c.signUp("mentor")
		plain, plainToken := c.signUp()
		outsider, _ := c.signUp()
		assign := func(participant, mentor, mode string) reply {
			return c.do(request{method: "PUT", path: path + "/" + participant, token: c.team, body: map[string]string{"mentor_id": mentor, "mode": mode}})
		}

		// Bad assignments.
		fieldNamed(t, assign(p[0].ID, m1.ID, "pair").problem(t, 422, "validation_failed"), "mode")
		fieldNamed(t, c.do(request{method: "PUT", path: path + "/" + p[0].ID, token: c.team, body: map[string]string{"mode": "group"}}).problem(t, 422, "validation_failed"), "mentor_id")
		fieldNamed(t, assign(p[0].ID, plain.ID, "individual").problem(t, 422, "validation_failed"), "mentor_id")
		assign(outsider.ID, m1.ID, "individual").problem(t, 422, "not_participant")
		c.do(request{method: "PUT", path: "/api/v1/programmes/00000000-0000-4000-8000-000000000000/mentoring/" + p[0].ID, token: c.team,
			body: map[string]string{"mentor_id": m1.ID, "mode": "individual"}}).problem(t, 404, "not_found")
		c.do(request{method: "PUT", path: path + "/" + p[0].ID, token: plainToken, body: map[string]string{"mentor_id": m1.ID, "mode": "individual"}}).problem(t, 403, "forbidden")

		// m1: two individually leave no room, of either kind.
		var m mentoringBody
		assign(p[0].ID, m1.ID, "individual").expect(t, 200).json(t, &m)
		if m.ParticipantID != p[0].ID || m.MentorID != m1.ID || m.Mode != "individual" {
			t.Fatalf("mentoring %+v", m)
		}
		assign(p[1].ID, m1.ID, "individual").expect(t, 200)
		assign(p[2].ID, m1.ID, "group").problem(t, 422, "mentor_full")
		assign(p[2].ID, m1.ID, "individual").problem(t, 422, "mentor_full")
		// p1 moves into the group (1:1 + group of one), which fills to
		// three: 1:3+1:1, four in all.
		assign(p[1].ID, m1.ID, "group").expect(t, 200)
		assign(p[2].ID, m1.ID, "group").expect(t, 200)
		assign(p[3].ID, m1.ID, "group").expect(t, 200)
		assign(p[4].ID, m1.ID, "group").problem(t, 422, "mentor_full")
		assign(p[4].ID, m1.ID, "individual").problem(t, 422, "mentor_full")
		// Changing an assignment counts the participant once: p0 may stay
		// individual, and p3 leaving for m2 frees a group place.
		assign(p[0].ID, m1.ID, "individual").expect(t, 200)
		assign(p[3].ID, m2.ID, "individual").expect(t, 200)
		assign(p[4].ID, m1.ID, "group").expect(t, 200)

		// Sessions, a day later across the month's end in Riga.
		clock.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
		m1Token, m2Token := c.login(m1.Email, testkit.Password), c.login(m2.Email, testkit.Password)
		_, c.team = c.signUp("team")
		_, plainToken = c.signUp()
		log := func(token string, body map[string]any) reply {
			return c.do(request{method: "POST", path: path + "/sessions", token: token, body: body})
		}
		session := func(minutes int, heldAt time.Time, ids ...string) map[string]any {
			return map[string]any{"participant_ids": ids, "minutes": minutes, "held_at": heldAt}
		}
		nov30 := time.Date(2026, 11, 30, 21, 59, 0, 0, time.UTC) // 23:59 on 30 November in Riga
		dec1 := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)   // 00:00 on 1 December in Riga
		var logged struct {
			ID             string   `json:"id"`
			MentorID       string   `json:"mentor_id"`
			ParticipantIDs []string `json:"participant_ids"`
			Minutes        int      `json:"minutes"`
		}
		log(m1Token, session(60, time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), p[0].ID)).expect(t, 201).json(t, &logged)
		if logged.ID == "" || logged.MentorID != m1.ID || logged.Minutes != 60 || len(logged.ParticipantIDs) != 1 {
			t.Fatalf("session %+v", logged)
		}
		log(m1Token, session(90, nov30, p[0].ID, p[1].ID)).expect(t, 201)
		log(m1Token, session(30, dec1, p[0].ID)).expect(t, 201)
		// The team logs any one mentor's session; its mentor is theirs.
		log(c.team, session(120, dec1, p[2].ID)).expect(t, 201).json(t, &logged)
		if logged.MentorID != m1.ID {
			t.Fatalf("team's session %+v", logged)
		}
		log(m1Token, session(1, dec1, p[4].ID)).expect(t, 201)
		log(m1Token, session(600, dec1, p[4].ID)).expect(t, 201)

		// Someone else's participant, or someone with no mentor: 403 to a
		// mentor; not a mentor at all: 403.
		log(m1Token, session(60, dec1, p[0].ID, p[3].ID)).problem(t, 403, "not_your_participant")
		log(m1Token, session(60, dec1, p[5].ID)).problem(t, 403, "not_your_participant")
		log(m2Token, session(60, dec1, p[0].ID)).problem(t, 403, "not_your_participant")
		log(plainToken, session(60, dec1, p[0].ID)).problem(t, 403, "forbidden")
		// Bad input names its field.
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{session(0, dec1, p[0].ID), "minutes"},
			{session(601, dec1, p[0].ID), "minutes"},
			{map[string]any{"participant_ids": []string{p[0].ID}, "held_at": dec1}, "minutes"},
			{map[string]any{"participant_ids": []string{p[0].ID}, "minutes": 60}, "held_at"},
			{session(60, clock.Now().Add(time.Minute), p[0].ID), "held_at"},
			{session(60, dec1), "participant_ids"},
			{session(60, dec1, p[0].ID, p[0].ID), "participant_ids"},
		} {
			fieldNamed(t, log(m1Token, bad.body).problem(t, 422, "validation_failed"), bad.field)
		}
		fieldNamed(t, log(c.team, session(60, dec1, p[0].ID, p[3].ID)).problem(t, 422, "validation_failed"), "participant_ids[1]")
		fieldNamed(t, log(c.team, session(60, dec1, p[5].ID)).problem(t, 422, "validation_failed"), "participant_ids[0]")

		// Minutes per calendar month in Riga, from the assignment's month
		// to the current one; under 120 is short (120 is enough).
		var all, own, other mentoringOverview
		c.do(request{method: "GET", path: path, token: c.team}).expect(t, 200).json(t, &all)
		for _, want := range []struct{ who, months string }{
			{p[0].ID, "2026-11:150 2026-12:30!"},
			{p[1].ID, "2026-11:90! 2026-12:0!"},
			{p[2].ID, "2026-11:0! 2026-12:120"},
			{p[3].ID, "2026-11:0! 2026-12:0!"},
			{p[4].ID, "2026-11:0! 2026-12:601"},
			{p[5].ID, "-"},
		} {
			if got := all.months(want.who); got != want.months {
				t.Errorf("months of %s: %s, want %s", want.who, got, want.months)
			}
		}
		// A mentor sees only their own participants.
		c.do(request{method: "GET", path: path, token: m1Token}).expect(t, 200).json(t, &own)
		c.do(request{method: "GET", path: path, token: m2Token}).expect(t, 200).json(t, &other)
		mine := []string{p[0].ID, p[1].ID, p[2].ID, p[4].ID}
		slices.Sort(mine)
		if !slices.Equal(own.ids(), mine) || !slices.Equal(other.ids(), []string{p[3].ID}) || own.months(p[0].ID) != all.months(p[0].ID) {
			t.Fatalf("m1 sees %v, m2 sees %v", own.ids(), other.ids())
		}
		c.do(request{method: "GET", path: path, token: plainToken}).problem(t, 403, "forbidden")
	})
}

// Assignments racing for a mentor's places: of three participants sent at
// once to be supported individually, exactly two get the mentor's two
// places and the third is refused.
func TestMentoringAssignmentRace(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		c := catalogueOn(t, newServer(t, db.Dialect(), options{db: db, clock: clock}), map[string]string{"title": "Kopienas sociālais darbs", "direction": "target_group"})
		id, p := mentoringProgramme(t, c, clock, 3)
		for round := range 3 {
			mentor, _ := c.signUp("mentor")
			codes := make([]int, len(p))
			var wg sync.WaitGroup
			for i := range p {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := c.try(request{method: "PUT", path: "/api/v1/programmes/" + id + "/mentoring/" + p[i].ID, token: c.team,
						body: map[string]string{"mentor_id": mentor.ID, "mode": "individual"}})
					if err != nil {
						t.Error(err)
						return
					}
					codes[i] = r.status
				}()
			}
			wg.Wait()
			slices.Sort(codes)
			if !slices.Equal(codes, []int{200, 200, 422}) {
				t.Fatalf("round %d: statuses %v, want two 200 and one 422", round, codes)
			}
		}
	})
}
