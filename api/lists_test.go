package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// The team's lists of enrolments and applications name each person, and
// the team filters and sorts them as it reads them: by status, by
// municipality, by name in the Latvian alphabet, by time.

type personBody struct {
	ID           string     `json:"id"`
	GivenName    string     `json:"given_name"`
	FamilyName   string     `json:"family_name"`
	Email        string     `json:"email"`
	Municipality string     `json:"municipality"`
	ClosedAt     *time.Time `json:"closed_at"`
}

type listedEnrolment struct {
	enrolmentBody
	EnrolledAt *time.Time  `json:"enrolled_at"`
	CreatedAt  time.Time   `json:"created_at"`
	User       *personBody `json:"user"`
}

type listedApplication struct {
	applicationBody
	Municipality  string      `json:"municipality"`
	AttendedHours int         `json:"attended_hours"`
	AppliedAt     time.Time   `json:"applied_at"`
	User          *personBody `json:"user"`
}

// cast is the people of the lists' tests, in the order they enrol or
// apply: every Latvian letter is in their names, and their family names
// are ordered differently by the Latvian alphabet (Celms < Čakste, Sproģis
// < Šics, Ķēniņa after K) than by byte order or the language-neutral one.
// The fifth closes their account after enrolling or applying.
var cast = []struct {
	given, family, municipality string
	pilot                       bool // for the programme
}{
	{"Krišjānis", "Šics", "Ogres novads", true},
	{"Jānis", "Celms", "Rīga", false},
	{"Līva", "Žubure", "Cēsu novads", false},
	{"Ģirts", "Čakste", "Ogres novads", false},
	{"Anna", "Ābele", "Ogres novads", false},
	{"Jūlijs", "Sproģis", "Rēzeknes novads", true},
	{"Ļena", "Ķēniņa", "Rīga", false},
}

const closedOne = 4 // the index in cast of the account that closes

// crowd is the cast signed up: their users (the closed one as registered)
// and tokens, by index in cast.
type crowd struct {
	users  []userBody
	tokens []string
}

func (s *server) signUpCast() crowd {
	s.t.Helper()
	var c crowd
	for _, p := range cast {
		body := registration()
		body["given_name"], body["family_name"], body["municipality"] = p.given, p.family, p.municipality
		u, token := s.register(body)
		c.users, c.tokens = append(c.users, u), append(c.tokens, token)
	}
	return c
}

// closeAccount closes the i-th account as its owner does; its enrolments
// and applications are withdrawn and its names emptied.
func (c crowd) closeAccount(s *server, i int) {
	s.t.Helper()
	s.do(request{method: "DELETE", path: "/api/v1/me", token: c.tokens[i], body: map[string]string{"password": testkit.Password}}).expect(s.t, 204)
}

// byFamily writes the family names of a list, "-" for a closed account,
// for comparing orders at a glance.
func byFamily(people []*personBody) string {
	out := make([]string, len(people))
	for i, p := range people {
		out[i] = p.FamilyName
		if p.FamilyName == "" {
			out[i] = "-"
		}
	}
	return strings.Join(out, ",")
}

// checkPeople holds each listed person to the cast as registered, the
// closed account to empty names and address.
func (c crowd) checkPeople(t *testing.T, userIDs []string, people []*personBody) {
	t.Helper()
	for i, p := range people {
		if p == nil {
			t.Fatalf("entry %d has no user", i)
		}
		if p.ID != userIDs[i] {
			t.Fatalf("entry %d of user %s names user %s", i, userIDs[i], p.ID)
		}
		for k, u := range c.users {
			if u.ID != p.ID {
				continue
			}
			want := personBody{ID: u.ID, GivenName: u.GivenName, FamilyName: u.FamilyName, Email: u.Email, Municipality: u.Municipality}
			if k == closedOne {
				// Names and address empty: the stand-in address
				// accounts keeps is no one's.
				want = personBody{ID: u.ID}
			}
			got := *p
			got.ClosedAt = nil
			if got != want || (p.ClosedAt != nil) != (k == closedOne) {
				t.Fatalf("entry %d: user %+v, want %+v, closed %v", i, *p, want, k == closedOne)
			}
		}
	}
}

func (s *school) enrolmentList(t *testing.T, cohortID, query string) []listedEnrolment {
	t.Helper()
	var l struct {
		Items      []listedEnrolment `json:"items"`
		NextCursor *string           `json:"next_cursor"`
	}
	s.do(request{method: "GET", path: "/api/v1/cohorts/" + cohortID + "/enrolments?" + query, token: s.team}).expect(t, 200).json(t, &l)
	if l.Items == nil || (l.NextCursor != nil && *l.NextCursor != "") {
		t.Fatalf("enrolments?%s: items %v, next_cursor %v: the whole list on one page", query, l.Items, l.NextCursor)
	}
	return l.Items
}

// crowdInCohort enrols the cast in a cohort of three seats in the cast's
// order and closes the fifth account: Šics, Celms and Žubure hold the
// seats; Čakste, Sproģis and Ķēniņa wait in that order; Ābele, closed, is
// withdrawn.
func (s *school) crowdInCohort() (cohortBody, crowd) {
	s.t.Helper()
	c := s.cohort(3, 0)
	people := s.signUpCast()
	for _, token := range people.tokens {
		s.enrolled(token, c.ID)
	}
	people.closeAccount(s.server, closedOne)
	return c, people
}

func TestEnrolmentListNamesPeople(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c, people := s.crowdInCohort()
		exports := s.trail(s.team, "action=personal_data.exported&target_id="+c.ID)

		list := func(query string) ([]listedEnrolment, string) {
			t.Helper()
			items := s.enrolmentList(t, c.ID, query)
			ids, persons := make([]string, len(items)), make([]*personBody, len(items))
			for i, e := range items {
				ids[i], persons[i] = e.UserID, e.User
			}
			people.checkPeople(t, ids, persons)
			return items, byFamily(persons)
		}
		for _, tc := range []struct{ query, want string }{
			// Seat order, as before: seated by enrolment, the waitlist in order, withdrawals.
			{"", "Šics,Celms,Žubure,Čakste,Sproģis,Ķēniņa,-"},
			// Latvian order; the closed account, without a name, last.
			{"sort=name", "Celms,Čakste,Ķēniņa,Sproģis,Šics,Žubure,-"},
			// Enrolment time: Ābele enrolled fifth.
			{"sort=time", "Šics,Celms,Žubure,Čakste,-,Sproģis,Ķēniņa"},
			{"status=waitlisted", "Čakste,Sproģis,Ķēniņa"},
			{"status=enrolled,withdrawn", "Šics,Celms,Žubure,-"},
			{"status=enrolled&status=withdrawn", "Šics,Celms,Žubure,-"},
			{"status=withdrawn", "-"},
			// The person's municipality, letter case aside (Ī and ī too).
			{"municipality=" + url.QueryEscape("OGRES NOVADS"), "Šics,Čakste"},
			{"municipality=" + url.QueryEscape("rīga") + "&sort=name", "Celms,Ķēniņa"},
			{"municipality=" + url.QueryEscape("Valmieras novads"), ""},
		} {
			if _, got := list(tc.query); got != tc.want {
				t.Errorf("enrolments?%s: %s, want %s", tc.query, got, tc.want)
			}
		}

		// A filtered waitlist keeps each learner's place in the whole one.
		items, _ := list("status=waitlisted&municipality=" + url.QueryEscape("Rīga"))
		if len(items) != 1 || items[0].WaitlistPosition == nil || *items[0].WaitlistPosition != 3 || items[0].Progress == nil {
			t.Fatalf("Ķēniņa on the waitlist: %+v", items)
		}

		// A wrong value is refused naming its parameter, in every format,
		// and nothing is exported.
		for _, accept := range []string{"", "text/csv", xlsx} {
			for query, field := range map[string]string{"status=enroled": "status", "status=enrolled,done": "status", "sort=surname": "sort"} {
				p := s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments?" + query, token: s.team, header: map[string]string{"Accept": accept}}).
					problem(t, 422, "validation_failed")
				if len(p.Errors) != 1 || p.Errors[0].Field != field {
					t.Fatalf("enrolments?%s (%s): %+v, want the error on %s", query, accept, p, field)
				}
			}
			s.do(request{method: "GET", path: "/api/v1/cohorts/00000000-0000-4000-8000-000000000000/enrolments", token: s.team, header: map[string]string{"Accept": accept}}).
				problem(t, 404, "not_found")
		}
		exports.next(t, s.team, 0)

		// The CSV is the same list, names in their own columns, and a
		// filtered download is logged with its filter.
		rows := readCSV(t, s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments?sort=name&status=enrolled,waitlisted", token: s.team,
			header: map[string]string{"Accept": "text/csv"}}).expect(t, 200))
		want, _ := list("sort=name&status=enrolled,waitlisted")
		col := csvColumns(t, rows[0], "enrolment_id", "user_id", "given_name", "family_name", "email", "municipality", "status", "created_at")
		if len(rows) != len(want)+1 {
			t.Fatalf("%d CSV rows for %d enrolments", len(rows)-1, len(want))
		}
		for i, e := range want {
			r := rows[i+1]
			if r[col["enrolment_id"]] != e.ID || r[col["user_id"]] != e.UserID || r[col["given_name"]] != e.User.GivenName ||
				r[col["family_name"]] != e.User.FamilyName || r[col["email"]] != e.User.Email || r[col["municipality"]] != e.User.Municipality ||
				r[col["status"]] != e.Status || r[col["created_at"]] != e.CreatedAt.Format(time.RFC3339) {
				t.Fatalf("CSV row %d %v, JSON %+v %+v", i+1, r, e, *e.User)
			}
		}
		exports.next(t, s.team, 1)[0].wantDetails(t, map[string]string{"list": `"enrolments"`, "format": `"csv"`, "rows": `6`, "status": `["enrolled","waitlisted"]`})

		// Only the team reads the list, whatever the format.
		for _, token := range []string{s.learner, s.author, people.tokens[0]} {
			for _, accept := range []string{"", "application/json", "text/csv", xlsx} {
				s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: token, header: map[string]string{"Accept": accept}}).problem(t, 403, "forbidden")
			}
		}
		exports.next(t, s.team, 0)
	})
}

func TestApplicationListNamesPeople(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		p, people := s.crowdInProgramme()
		path := "/api/v1/programmes/" + p.ID + "/applications"
		exports := s.trail(s.team, "action=personal_data.exported&target_id="+p.ID)

		list := func(query string) ([]listedApplication, string) {
			t.Helper()
			var l struct{ Items []listedApplication }
			s.do(request{method: "GET", path: path + "?" + query, token: s.team}).expect(t, 200).json(t, &l)
			ids, persons := make([]string, len(l.Items)), make([]*personBody, len(l.Items))
			for i, a := range l.Items {
				ids[i], persons[i] = a.UserID, a.User
			}
			people.checkPeople(t, ids, persons)
			return l.Items, byFamily(persons)
		}
		for _, tc := range []struct{ query, want string }{
			// Allocation order: accepted, the waitlist in order, withdrawals.
			{"", "Celms,Žubure,Čakste,Ķēniņa,Šics,Sproģis,-"},
			{"sort=name", "Celms,Čakste,Ķēniņa,Sproģis,Šics,Žubure,-"},
			{"sort=time", "Šics,Celms,Žubure,Čakste,-,Sproģis,Ķēniņa"},
			{"status=accepted", "Celms,Žubure"},
			{"status=waitlisted,withdrawn&sort=name", "Čakste,Ķēniņa,Sproģis,Šics,-"},
			{"status=applied", ""},
			// The municipality the application names, letter case aside;
			// the closed account's application keeps its own.
			{"municipality=" + url.QueryEscape("ogres NOVADS"), "Čakste,Šics,-"},
		} {
			if _, got := list(tc.query); got != tc.want {
				t.Errorf("applications?%s: %s, want %s", tc.query, got, tc.want)
			}
		}
		items, _ := list("status=waitlisted&municipality=" + url.QueryEscape("rīga"))
		if len(items) != 1 || items[0].WaitlistPosition == nil || *items[0].WaitlistPosition != 2 {
			t.Fatalf("Ķēniņa on the waitlist: %+v", items)
		}

		for _, accept := range []string{"", "text/csv", xlsx} {
			for query, field := range map[string]string{"status=enrolled": "status", "sort=municipality": "sort"} {
				pr := s.do(request{method: "GET", path: path + "?" + query, token: s.team, header: map[string]string{"Accept": accept}}).problem(t, 422, "validation_failed")
				if len(pr.Errors) != 1 || pr.Errors[0].Field != field {
					t.Fatalf("applications?%s (%s): %+v, want the error on %s", query, accept, pr, field)
				}
			}
		}
		exports.next(t, s.team, 0)

		// The CSV gains the names and the e-mail beside user_id.
		rows := readCSV(t, s.do(request{method: "GET", path: path + "?sort=name", token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200))
		want, _ := list("sort=name")
		col := csvColumns(t, rows[0], "application_id", "user_id", "given_name", "family_name", "email", "municipality", "took_part_in_pilot", "status", "applied_at")
		if len(rows) != len(want)+1 || col["given_name"] != col["user_id"]+1 {
			t.Fatalf("CSV header %v with %d rows for %d applications", rows[0], len(rows)-1, len(want))
		}
		for i, a := range want {
			r := rows[i+1]
			if r[col["application_id"]] != a.ID || r[col["given_name"]] != a.User.GivenName || r[col["family_name"]] != a.User.FamilyName ||
				r[col["email"]] != a.User.Email || r[col["municipality"]] != a.Municipality || r[col["status"]] != a.Status ||
				r[col["applied_at"]] != a.AppliedAt.Format(time.RFC3339) {
				t.Fatalf("CSV row %d %v, JSON %+v %+v", i+1, r, a, *a.User)
			}
		}
		exports.next(t, s.team, 1)[0].wantDetails(t, map[string]string{"list": `"applications"`, "format": `"csv"`, "rows": `7`})

		for _, token := range []string{s.learner, s.author, people.tokens[1]} {
			for _, accept := range []string{"", "text/csv", xlsx} {
				s.do(request{method: "GET", path: path, token: token, header: map[string]string{"Accept": accept}}).problem(t, 403, "forbidden")
			}
		}
		exports.next(t, s.team, 0)
	})
}

// crowdInProgramme has the cast apply, in the cast's order, for a
// programme of two seats, allocates them and closes the fifth account.
// Seats go to those outside the pilot by application time (Celms,
// Žubure); the waitlist is the rest of them, then the pilot's (Čakste,
// Ķēniņa, Šics, Sproģis), Ābele's place given up when the account closed.
func (s *school) crowdInProgramme() (programmeBody, crowd) {
	s.t.Helper()
	p := s.programme(map[string]any{"group_size": 2})
	people := s.signUpCast()
	for i, token := range people.tokens {
		s.do(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/applications", token: token,
			body: map[string]any{"municipality": cast[i].municipality, "took_part_in_pilot": cast[i].pilot}}).expect(s.t, 201)
	}
	now := time.Now().UTC()
	s.do(request{method: "PATCH", path: "/api/v1/programmes/" + p.ID, token: s.team,
		body: map[string]any{"applications_open_at": now.Add(-2 * time.Hour), "applications_close_at": now.Add(-time.Second)}}).expect(s.t, 200)
	s.do(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/allocation", token: s.team}).expect(s.t, 200)
	people.closeAccount(s.server, closedOne)
	return p, people
}
