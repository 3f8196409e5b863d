package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// The audit log over HTTP: what the team does is on it, with who did it
// and to whom; the list narrows and pages; only the team reads it; a
// refused action leaves nothing on it.

type auditEntry struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    string         `json:"actor_id"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	SubjectID  string         `json:"subject_id"`
	Details    map[string]any `json:"details"`
}

type auditPage struct {
	Items      []auditEntry `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// auditList reads one page of GET /api/v1/audit?query as token.
func (s *server) auditList(token, query string) auditPage {
	s.t.Helper()
	var p auditPage
	s.do(request{method: "GET", path: "/api/v1/audit?" + query, token: token}).expect(s.t, 200).json(s.t, &p)
	if p.Items == nil {
		s.t.Fatalf("audit?%s: items missing or null", query)
	}
	return p
}

// auditWalk follows next_cursor from the first page to the last with the
// given page size and returns every entry in the order served. Every page
// but the last must be full and the last must not be empty: a cursor is
// handed out only when more entries follow.
func (s *server) auditWalk(token, query string, limit int) []auditEntry {
	s.t.Helper()
	var all []auditEntry
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			s.t.Fatalf("audit?%s: paging does not end", query)
		}
		q := query + fmt.Sprintf("&limit=%d", limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := s.auditList(token, q)
		if len(p.Items) > limit {
			s.t.Fatalf("audit?%s: %d items on a page of %d", q, len(p.Items), limit)
		}
		if p.NextCursor != "" && len(p.Items) < limit {
			s.t.Fatalf("audit?%s: a short page (%d of %d) with a next cursor", q, len(p.Items), limit)
		}
		if len(p.Items) == 0 && pages > 0 {
			s.t.Fatalf("audit?%s: an empty page after a cursor", q)
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all
		}
		cursor = p.NextCursor
	}
}

// auditTrail follows the entries matching one filter, so that each step of
// a test sees exactly the entries that step added: the log's order among
// entries of one instant is not for the test to guess.
type auditTrail struct {
	s     *server
	query string
	seen  map[string]bool
}

// trail starts following query from the entries there are now.
func (s *server) trail(token, query string) *auditTrail {
	s.t.Helper()
	tr := &auditTrail{s: s, query: query, seen: map[string]bool{}}
	for _, e := range s.auditWalk(token, query, 200) {
		tr.seen[e.ID] = true
	}
	return tr
}

// next returns the entries added since the last look, failing unless
// there are exactly n.
func (tr *auditTrail) next(t *testing.T, token string, n int) []auditEntry {
	t.Helper()
	var added []auditEntry
	for _, e := range tr.s.auditWalk(token, tr.query, 200) {
		if !tr.seen[e.ID] {
			tr.seen[e.ID] = true
			added = append(added, e)
		}
	}
	if len(added) != n {
		t.Fatalf("audit?%s: %d new entries, want %d: %+v", tr.query, len(added), n, added)
	}
	return added
}

// check compares an entry's who, what, to what, about whom and when.
func (e auditEntry) check(t *testing.T, actor, action, targetType, targetID, subject string, at time.Time) {
	t.Helper()
	if e.ActorID != actor || e.Action != action || e.TargetType != targetType || e.TargetID != targetID || e.SubjectID != subject {
		t.Fatalf("entry %+v,\nwant actor %q action %q target %s %q subject %q", e, actor, action, targetType, targetID, subject)
	}
	if !e.At.Equal(at) {
		t.Fatalf("%s at %s, want the time of the action %s", e.Action, e.At, at)
	}
	if e.ID == "" || e.Details == nil {
		t.Fatalf("entry without id or details: %+v", e)
	}
}

// detail is one field of the details as compact JSON, "null" when absent.
func (e auditEntry) detail(t *testing.T, key string) string {
	t.Helper()
	b, err := json.Marshal(e.Details[key])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantDetails checks each named field of the details (as compact JSON)
// and that the details say nothing else.
func (e auditEntry) wantDetails(t *testing.T, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := e.detail(t, k); got != v {
			t.Fatalf("%s details %s = %s, want %s (all: %v)", e.Action, k, got, v, e.Details)
		}
	}
	if len(e.Details) != len(want) {
		t.Fatalf("%s details %v, want only %v", e.Action, e.Details, want)
	}
}

// fromTo reads a details field {from, to} holding two times.
func (e auditEntry) fromTo(t *testing.T, key string) (from, to time.Time) {
	t.Helper()
	m, ok := e.Details[key].(map[string]any)
	if !ok {
		t.Fatalf("%s details %s = %v, want {from, to}", e.Action, key, e.Details[key])
	}
	parse := func(v any) time.Time {
		s, _ := v.(string)
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("%s details %s: %v is not a time", e.Action, key, v)
		}
		return at
	}
	return parse(m["from"]), parse(m["to"])
}

func byAction(t *testing.T, es []auditEntry, action string) auditEntry {
	t.Helper()
	i := slices.IndexFunc(es, func(e auditEntry) bool { return e.Action == action })
	if i < 0 {
		t.Fatalf("no %s among %+v", action, es)
	}
	return es[i]
}

func ids(es []auditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// Every kind of team action, done over HTTP by one team member, is on the
// log with that member as actor, the thing acted on, the person concerned
// and what changed; the person's own export and closure name the person.
// The clock moves a second before each action so that each entry's time
// can be checked to be the action's.
func TestAuditRecordsTeamActions(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		officer := s.me(s.team) // the catalogue's team member does every team action below
		byOfficer := s.trail(s.team, "actor_id="+officer.ID)
		step := func() time.Time {
			clock.Set(clock.Now().Add(time.Second))
			return clock.Now()
		}

		// Roles: from and to, about the person.
		u, _ := s.signUp()
		rolesPath := "/api/v1/users/" + u.ID + "/roles"
		at := step()
		s.do(request{method: "PUT", path: rolesPath, token: s.team, body: map[string]any{"roles": []string{"author"}}}).expect(t, 200)
		e := byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "user.roles_changed", "user", u.ID, u.ID, at)
		e.wantDetails(t, map[string]string{"from": `["learner"]`, "to": `["author","learner"]`})
		// The same roles again change nothing, so there is nothing to log.
		s.do(request{method: "PUT", path: rolesPath, token: s.team, body: map[string]any{"roles": []string{"author", "learner"}}}).expect(t, 200)
		byOfficer.next(t, s.team, 0)

		// A cohort's capacity, then its window and title: each field changed, from and to.
		c := s.cohortNow(s.cohort(5, -24*time.Hour).ID) // as stored, which the log's "from" is
		cohortPath := "/api/v1/cohorts/" + c.ID
		at = step()
		s.do(request{method: "PATCH", path: cohortPath, token: s.team, body: map[string]any{"capacity": 8}}).expect(t, 200)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "cohort.changed", "cohort", c.ID, "", at)
		e.wantDetails(t, map[string]string{"capacity": `{"from":5,"to":8}`})

		closes := c.EnrolmentClosesAt.Add(-48 * time.Hour).Truncate(time.Second)
		at = step()
		s.do(request{method: "PATCH", path: cohortPath, token: s.team, body: map[string]any{"enrolment_closes_at": closes, "title": "2026. gada rudens"}}).expect(t, 200)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "cohort.changed", "cohort", c.ID, "", at)
		if from, to := e.fromTo(t, "enrolment_closes_at"); !from.Equal(c.EnrolmentClosesAt) || !to.Equal(closes) {
			t.Fatalf("window change logged from %s to %s, want from %s to %s", from, to, c.EnrolmentClosesAt, closes)
		}
		if got := e.detail(t, "title"); got != `{"from":"2026. gada pavasaris","to":"2026. gada rudens"}` {
			t.Fatalf("title change logged as %s", got)
		}
		if len(e.Details) != 2 {
			t.Fatalf("details %v, want the window's close and the title only", e.Details)
		}

		// The CSV of the cohort's enrolments leaves the platform with
		// names and e-mails: an export of personal data. The JSON list is
		// the team's view on screen, not a download, and is not logged.
		_, l1 := s.signUp()
		_, l2 := s.signUp()
		s.enrolled(l1, c.ID)
		s.enrolled(l2, c.ID)
		s.do(request{method: "GET", path: cohortPath + "/enrolments", token: s.team}).expect(t, 200)
		byOfficer.next(t, s.team, 0)
		at = step()
		r := s.do(request{method: "GET", path: cohortPath + "/enrolments", token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("content type %q", r.header.Get("Content-Type"))
		}
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "personal_data.exported", "cohort", c.ID, "", at)
		e.wantDetails(t, map[string]string{"list": `"enrolments"`, "format": `"csv"`, "rows": `2`})

		// A certificate revoked by the team: about its holder, with the
		// reason; revoking it again keeps the first and logs nothing.
		running := s.cohort(200, 30*24*time.Hour)
		holder, learner := s.signUp()
		en := s.enrolled(learner, running.ID)
		s.complete(learner, en.ID)
		var cert certificateBody
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + en.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)
		byOfficer.next(t, s.team, 0) // the learner's own steps are not the team's
		revoke := request{method: "POST", path: "/api/v1/certificates/" + cert.Code + "/revoke", token: s.team, body: map[string]string{"reason": "Izsniegts kļūdas dēļ"}}
		at = step()
		s.do(revoke).expect(t, 200)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "certificate.revoked", "certificate", cert.Code, holder.ID, at)
		e.wantDetails(t, map[string]string{"reason": `"Izsniegts kļūdas dēļ"`})
		s.do(revoke).expect(t, 200)
		byOfficer.next(t, s.team, 0)

		// A programme of one seat, two applicants: the allocation, the CSV
		// of applications, and the acceptance of the waitlisted one when
		// the first gives the seat up.
		p := s.programme(map[string]any{"group_size": 1})
		pr := &rig{catalogue: s.catalogue, clock: clock, path: "/api/v1/programmes/" + p.ID}
		first, firstToken, _ := pr.apply(false)
		second, _, secondApp := pr.apply(false)
		pr.closeApplications()
		at = step()
		alloc := pr.allocate()
		if userIDs(alloc.Accepted) != first.ID || userIDs(alloc.Waitlisted) != second.ID {
			t.Fatalf("allocation %+v", alloc)
		}
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "programme.allocated", "programme", p.ID, "", at)
		e.wantDetails(t, map[string]string{"allocated": `2`, "accepted": `1`})

		at = step()
		s.do(request{method: "GET", path: pr.path + "/applications", token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "personal_data.exported", "programme", p.ID, "", at)
		e.wantDetails(t, map[string]string{"list": `"applications"`, "format": `"csv"`, "rows": `2`})

		s.do(request{method: "DELETE", path: pr.path + "/applications/me", token: firstToken}).expect(t, 204)
		byOfficer.next(t, s.team, 0)
		at = step()
		s.do(request{method: "POST", path: pr.path + "/applications/" + secondApp.ID + "/accept", token: s.team}).expect(t, 200)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "application.accepted", "application", secondApp.ID, second.ID, at)
		e.wantDetails(t, map[string]string{"programme_id": `"` + p.ID + `"`, "from": `"waitlisted"`})

		// Attendance once the programme has been held (tokens of 91 days
		// ago have expired): 90 of 96 hours earns the certificate; 80
		// takes it back, on the log as a revocation by the same team
		// member, "attendance corrected"; 70 revokes nothing more.
		clock.Set(clock.Now().Add(91 * 24 * time.Hour))
		s.team = s.login(officer.Email, testkit.Password)
		attend := func(hours int) (code string) {
			var a struct {
				CertificateCode string `json:"certificate_code"`
			}
			s.do(request{method: "PUT", path: pr.path + "/attendance/" + second.ID, token: s.team, body: map[string]int{"hours": hours}}).expect(t, 200).json(t, &a)
			return a.CertificateCode
		}
		at = step()
		code := attend(90)
		if code == "" {
			t.Fatal("90 of 96 hours earned no certificate")
		}
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "attendance.recorded", "application", secondApp.ID, second.ID, at)
		e.wantDetails(t, map[string]string{"programme_id": `"` + p.ID + `"`, "from": `0`, "to": `90`})

		at = step()
		attend(80)
		added := byOfficer.next(t, s.team, 2)
		e = byAction(t, added, "attendance.recorded")
		e.check(t, officer.ID, "attendance.recorded", "application", secondApp.ID, second.ID, at)
		e.wantDetails(t, map[string]string{"programme_id": `"` + p.ID + `"`, "from": `90`, "to": `80`})
		e = byAction(t, added, "certificate.revoked")
		e.check(t, officer.ID, "certificate.revoked", "certificate", code, second.ID, at)
		e.wantDetails(t, map[string]string{"reason": `"attendance corrected"`})
		var v struct {
			Valid bool `json:"valid"`
		}
		s.do(request{method: "GET", path: "/api/v1/certificates/" + code + "/verify"}).expect(t, 200).json(t, &v)
		if v.Valid {
			t.Fatal("the certificate is still valid after its attendance was lowered")
		}
		at = step()
		attend(70)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "attendance.recorded", "application", secondApp.ID, second.ID, at)

		// The team closes an account.
		at = step()
		s.do(request{method: "DELETE", path: "/api/v1/users/" + u.ID, token: s.team}).expect(t, 204)
		e = byOfficer.next(t, s.team, 1)[0]
		e.check(t, officer.ID, "user.account_closed", "user", u.ID, u.ID, at)

		// A person's own export and closure: the person is the actor.
		self, selfToken := s.signUp()
		bySelf := s.trail(s.team, "actor_id="+self.ID)
		at = step()
		s.do(request{method: "GET", path: "/api/v1/me/data", token: selfToken}).expect(t, 200)
		e = bySelf.next(t, s.team, 1)[0]
		e.check(t, self.ID, "personal_data.exported", "user", self.ID, self.ID, at)
		e.wantDetails(t, map[string]string{"list": `"own data"`, "format": `"json"`})
		at = step()
		s.do(request{method: "DELETE", path: "/api/v1/me", token: selfToken, body: map[string]string{"password": testkit.Password}}).expect(t, 204)
		e = bySelf.next(t, s.team, 1)[0]
		e.check(t, self.ID, "user.account_closed", "user", self.ID, self.ID, at)
		byOfficer.next(t, s.team, 0)
	})
}

// A change is logged with the fields it changed, as a roles change is
// logged only when the roles change: a team reading "title from X to X"
// would look for a change that never happened.
func TestAuditCohortChangeNamesOnlyWhatChanged(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(5, -24*time.Hour)
		team := s.me(s.team)
		byTeam := s.trail(s.team, "target_id="+c.ID)
		path := "/api/v1/cohorts/" + c.ID

		// A form sent back whole, with only the capacity changed.
		s.do(request{method: "PATCH", path: path, token: s.team, body: map[string]any{"title": c.Title, "capacity": 6}}).expect(t, 200)
		e := byTeam.next(t, s.team, 1)[0]
		if e.ActorID != team.ID {
			t.Fatalf("actor %q, want %q", e.ActorID, team.ID)
		}
		// Errorf, not Fatalf: the step below tells its own part of the story.
		if e.detail(t, "capacity") != `{"from":5,"to":6}` || len(e.Details) != 1 {
			t.Errorf("details %v, want only the capacity, from 5 to 6", e.Details)
		}

		// The same form again changes nothing.
		s.do(request{method: "PATCH", path: path, token: s.team, body: map[string]any{"title": c.Title, "capacity": 6}}).expect(t, 200)
		byTeam.next(t, s.team, 0)
	})
}

// Each filter gives exactly the entries of the whole log that match it, in
// the same order; paging with any page size walks every entry once, newest
// first, even across entries of one instant and while new entries arrive.
func TestAuditFiltersAndPaging(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		// The log keeps microseconds; a clock with nanoseconds checks that
		// a cursor names the time as stored, not as the clock gave it.
		clock := newClock(time.Now().UTC().Truncate(time.Second).Add(123456789))
		s := newServer(t, db.Dialect(), options{db: db, clock: clock})
		a, aToken := s.signUp("team")
		b, bToken := s.signUp("team")
		var people []userBody
		var tokens []string
		for range 3 {
			u, token := s.signUp()
			people, tokens = append(people, u), append(tokens, token)
		}
		setRoles := func(token, id string, roles ...string) {
			s.do(request{method: "PUT", path: "/api/v1/users/" + id + "/roles", token: token, body: map[string]any{"roles": roles}}).expect(t, 200)
		}
		// A's three changes and both sign-ups share one instant, so that
		// page boundaries fall inside a tie.
		for _, u := range people {
			setRoles(aToken, u.ID, "author")
		}
		clock.Set(clock.Now().Add(1500 * time.Millisecond))
		setRoles(bToken, people[0].ID)
		clock.Set(clock.Now().Add(time.Microsecond))
		setRoles(bToken, people[1].ID)
		clock.Set(clock.Now().Add(time.Second))
		s.do(request{method: "GET", path: "/api/v1/me/data", token: tokens[0]}).expect(t, 200)

		all := s.auditList(aToken, "limit=200").Items
		// Two team sign-ups (roles given by the platform), five changes by A and B, one export.
		if len(all) != 8 {
			t.Fatalf("%d entries, want 8: %+v", len(all), all)
		}
		for i := 1; i < len(all); i++ {
			if all[i].At.After(all[i-1].At) {
				t.Fatalf("entry %d (%s) is newer than entry %d (%s): not newest first", i, all[i].At, i-1, all[i-1].At)
			}
		}
		if all[0].Action != "personal_data.exported" || all[len(all)-1].Action != "user.roles_changed" {
			t.Fatalf("newest %s, oldest %s", all[0].Action, all[len(all)-1].Action)
		}

		for _, f := range []struct {
			query string
			want  int
			match func(auditEntry) bool
		}{
			{"actor_id=" + a.ID, 3, func(e auditEntry) bool { return e.ActorID == a.ID }},
			{"actor_id=" + b.ID, 2, func(e auditEntry) bool { return e.ActorID == b.ID }},
			{"subject_id=" + people[0].ID, 3, func(e auditEntry) bool { return e.SubjectID == people[0].ID }},
			{"target_id=" + people[1].ID, 2, func(e auditEntry) bool { return e.TargetID == people[1].ID }},
			{"action=personal_data.exported", 1, func(e auditEntry) bool { return e.Action == "personal_data.exported" }},
			{"action=user.roles_changed", 7, func(e auditEntry) bool { return e.Action == "user.roles_changed" }},
			{"actor_id=" + a.ID + "&target_id=" + people[1].ID, 1, func(e auditEntry) bool { return e.ActorID == a.ID && e.TargetID == people[1].ID }},
			{"actor_id=" + b.ID + "&subject_id=" + people[2].ID, 0, func(auditEntry) bool { return false }},
			{"action=user.account_closed", 0, func(auditEntry) bool { return false }},
		} {
			got := s.auditList(aToken, f.query)
			want := slices.DeleteFunc(slices.Clone(all), func(e auditEntry) bool { return !f.match(e) })
			if len(want) != f.want {
				t.Fatalf("%s: the log holds %d matching entries, the test expects %d", f.query, len(want), f.want)
			}
			if !slices.Equal(ids(got.Items), ids(want)) || got.NextCursor != "" {
				t.Fatalf("%s gave %+v (next %q),\nwant %+v", f.query, got.Items, got.NextCursor, want)
			}
			// A filter holds on every page, not only the first.
			if walked := s.auditWalk(aToken, f.query, 1); !slices.Equal(ids(walked), ids(want)) {
				t.Fatalf("%s paged one at a time gave %v, want %v", f.query, ids(walked), ids(want))
			}
		}

		// Every page size, including ones that divide the log exactly.
		for _, limit := range []int{1, 2, 3, 4, 7, 8, 9} {
			if walked := s.auditWalk(aToken, "", limit); !slices.Equal(ids(walked), ids(all)) {
				t.Fatalf("pages of %d gave %v,\nwant %v", limit, ids(walked), ids(all))
			}
		}

		// An entry made while the team pages through is newer than the
		// cursor: the rest of the walk neither repeats nor skips an entry.
		first := s.auditList(aToken, "limit=3")
		clock.Set(clock.Now().Add(time.Second))
		setRoles(aToken, people[2].ID)
		walked := first.Items
		for cursor := first.NextCursor; cursor != ""; {
			p := s.auditList(aToken, "limit=3&cursor="+url.QueryEscape(cursor))
			walked, cursor = append(walked, p.Items...), p.NextCursor
		}
		if !slices.Equal(ids(walked), ids(all)) {
			t.Fatalf("walk during a change gave %v,\nwant %v", ids(walked), ids(all))
		}
		if now := s.auditList(aToken, "limit=1").Items; len(now) != 1 || now[0].ActorID != a.ID || now[0].TargetID != people[2].ID {
			t.Fatalf("the newest entry is %+v, want A's last change", now)
		}
	})
}

// Only the team reads the log. A learner may not read it even for the
// entries about themselves: their own part comes with GET /me/data.
func TestAuditAccess(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, team := s.signUp("team")
		_, author := s.signUp("author")
		person, learner := s.signUp()
		// Entries about the learner: their own export, and the team
		// making them an author and a learner again.
		s.do(request{method: "GET", path: "/api/v1/me/data", token: learner}).expect(t, 200)
		for _, roles := range [][]string{{"author"}, {}} {
			s.do(request{method: "PUT", path: "/api/v1/users/" + person.ID + "/roles", token: team, body: map[string]any{"roles": roles}}).expect(t, 200)
		}
		about := s.auditList(team, "subject_id="+person.ID).Items
		if len(about) != 3 {
			t.Fatalf("%d entries about the learner, want 3: %+v", len(about), about)
		}

		for _, query := range []string{"", "?subject_id=" + person.ID, "?actor_id=" + person.ID, "?target_id=" + person.ID} {
			path := "/api/v1/audit" + query
			s.do(request{method: "GET", path: path}).problem(t, 401, "unauthorized")
			for who, token := range map[string]string{"learner": learner, "author": author} {
				r := s.do(request{method: "GET", path: path, token: token})
				if r.status != 403 {
					t.Fatalf("%s GET %s: %d, want 403: %s", who, path, r.status, r.body)
				}
				r.problem(t, 403, "forbidden")
				for _, e := range about {
					if strings.Contains(string(r.body), e.ID) {
						t.Fatalf("%s's refusal carries entry %s: %s", who, e.ID, r.body)
					}
				}
			}
		}
		s.do(request{method: "GET", path: "/api/v1/audit", token: team}).expect(t, 200)
	})
}

// An action that is refused changes nothing and logs nothing: the change
// and its entry are one transaction. The same team member's next allowed
// change is logged, so the silence is not a log that records nothing.
func TestAuditFailedActionLeavesNoEntry(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		lone := s.me(s.team) // the catalogue's team member is the only one
		byLone := s.trail(s.team, "actor_id="+lone.ID)
		all := s.trail(s.team, "")

		// The only team account cannot give up the team role, nor be closed.
		s.do(request{method: "PUT", path: "/api/v1/users/" + lone.ID + "/roles", token: s.team, body: map[string]any{"roles": []string{"author"}}}).
			problem(t, 422, "last_team_member")
		s.do(request{method: "DELETE", path: "/api/v1/users/" + lone.ID, token: s.team}).problem(t, 422, "last_team_member")
		s.do(request{method: "DELETE", path: "/api/v1/me", token: s.team, body: map[string]string{"password": testkit.Password}}).problem(t, 422, "last_team_member")
		if roles := s.me(s.team).Roles; !slices.Contains(roles, "team") {
			t.Fatalf("roles %v after a refused change", roles)
		}
		all.next(t, s.team, 0)

		// A capacity below the two enrolled, sent with a new title: neither
		// is kept. A window that closes before it opens: refused.
		c := s.cohortNow(s.cohort(2, -24*time.Hour).ID) // as stored, to compare with after
		for range 2 {
			_, token := s.signUp()
			s.enrolled(token, c.ID)
		}
		path := "/api/v1/cohorts/" + c.ID
		byCohort := s.trail(s.team, "target_id="+c.ID)
		s.do(request{method: "PATCH", path: path, token: s.team, body: map[string]any{"capacity": 1, "title": "Pārdēvēta grupa"}}).
			problem(t, 422, "capacity_below_enrolled")
		s.do(request{method: "PATCH", path: path, token: s.team, body: map[string]any{"enrolment_closes_at": c.EnrolmentOpensAt.Add(-time.Hour)}}).
			problem(t, 422, "validation_failed")
		if now := s.cohortNow(c.ID); now.Capacity != 2 || now.Title != c.Title || !now.EnrolmentClosesAt.Equal(c.EnrolmentClosesAt) {
			t.Fatalf("cohort after refused changes: %+v", now)
		}
		byCohort.next(t, s.team, 0)

		// Exports and revocations of what does not exist.
		unknown := "00000000-0000-4000-8000-000000000000"
		s.do(request{method: "GET", path: "/api/v1/cohorts/" + unknown + "/enrolments", token: s.team, header: map[string]string{"Accept": "text/csv"}}).problem(t, 404, "not_found")
		s.do(request{method: "GET", path: "/api/v1/programmes/" + unknown + "/applications", token: s.team, header: map[string]string{"Accept": "text/csv"}}).problem(t, 404, "not_found")
		s.do(request{method: "POST", path: "/api/v1/certificates/2222-3333-4444/revoke", token: s.team, body: map[string]string{"reason": "x"}}).problem(t, 404, "not_found")
		all.next(t, s.team, 0)

		s.do(request{method: "PATCH", path: path, token: s.team, body: map[string]any{"capacity": 3}}).expect(t, 200)
		e := byLone.next(t, s.team, 1)[0]
		if e.Action != "cohort.changed" || e.TargetID != c.ID {
			t.Fatalf("the allowed change logged as %+v", e)
		}
	})
}

// Malformed paging is refused as on every list, not silently clamped.
func TestAuditRefusesBadPaging(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, team := s.signUp("team")
		for _, limit := range []string{"0", "500", "201", "-1", "ten"} {
			s.do(request{method: "GET", path: "/api/v1/audit?limit=" + limit, token: team}).problem(t, 400, "invalid_limit")
		}
		for _, cursor := range []string{
			"%25%25%25", // not base64
			base64.RawURLEncoding.EncodeToString([]byte("only-one-key")),               // a cursor of another list's shape
			base64.RawURLEncoding.EncodeToString([]byte("yesterday\x00some-entry-id")), // no time where the time goes
		} {
			s.do(request{method: "GET", path: "/api/v1/audit?cursor=" + cursor, token: team}).problem(t, 400, "invalid_cursor")
		}
		for _, limit := range []string{"1", "200"} {
			s.do(request{method: "GET", path: "/api/v1/audit?limit=" + limit, token: team}).expect(t, 200)
		}
	})
}
