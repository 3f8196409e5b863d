package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// learners registers n learners through the service (quicker than HTTP;
// the race under test is the enrolment) and returns their ids and tokens.
func (s *server) learners(n int) (ids, tokens []string) {
	s.t.Helper()
	return testkit.SignUp(s.t, s.users, n, func(i int) accounts.Registration {
		r := testkit.Person(fmt.Sprintf("rush.%d@example.lv", i))
		r.GivenName, r.FamilyName, r.Municipality = "Anna", "Kalniņa", "Jelgava"
		return r
	})
}

// A thousand learners rush a 200-seat cohort while some withdraw and the
// team changes the capacity. The seat count must stay exact.
func TestEnrolmentRush(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 0)
		const rush, withdrawers, repeats = 1000, 100, 50
		_, tokens := s.learners(rush)

		type result struct {
			what   string
			status int
			err    error
		}
		results := make(chan result, rush+withdrawers+repeats+10)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < rush; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				enrol := request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: tokens[i]}
				r, err := s.try(enrol)
				results <- result{"enrol", r.status, err}
				if i < withdrawers && r.status == 201 {
					d, err := s.try(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: tokens[i]})
					results <- result{"withdraw", d.status, err}
				}
				if i >= rush-repeats {
					again, err := s.try(enrol)
					results <- result{"repeat", again.status, err}
				}
			}()
		}
		for _, capacity := range []int{150, 200, 190, 200} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := s.try(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]int{"capacity": capacity}})
				results <- result{"capacity", r.status, err}
			}()
		}
		close(start)
		wg.Wait()
		close(results)

		allowed := map[string][]int{"enrol": {201}, "withdraw": {204}, "repeat": {409}, "capacity": {200, 422}}
		counts := map[string]map[int]int{}
		for r := range results {
			if counts[r.what] == nil {
				counts[r.what] = map[int]int{}
			}
			counts[r.what][r.status]++
			if r.err != nil {
				t.Errorf("%s: %v", r.what, r.err)
			}
			ok := false
			for _, a := range allowed[r.what] {
				ok = ok || a == r.status
			}
			if !ok {
				t.Errorf("%s answered %d", r.what, r.status)
			}
		}
		t.Logf("answers: %v", counts)

		// The final state, by the API and by the rows.
		cohort := s.cohortNow(c.ID)
		var rows []struct {
			Status string
			N      int
		}
		if err := db.Conn(context.Background()).Table("enrolments").Select("status, COUNT(*) AS n").Where("cohort_id = ?", c.ID).Group("status").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		byStatus := map[string]int{}
		for _, r := range rows {
			byStatus[r.Status] = r.N
		}
		if cohort.EnrolledCount > cohort.Capacity {
			t.Fatalf("%d enrolled in %d seats", cohort.EnrolledCount, cohort.Capacity)
		}
		if cohort.EnrolledCount != byStatus["enrolled"] || cohort.WaitlistCount != byStatus["waitlisted"] {
			t.Fatalf("counters %d/%d, rows %v", cohort.EnrolledCount, cohort.WaitlistCount, byStatus)
		}
		if byStatus["waitlisted"] > 0 && cohort.EnrolledCount != cohort.Capacity {
			t.Fatalf("%d seats free while %d wait", cohort.Capacity-cohort.EnrolledCount, byStatus["waitlisted"])
		}
		if got := byStatus["enrolled"] + byStatus["waitlisted"] + byStatus["withdrawn"]; got != rush {
			t.Fatalf("%d enrolments for %d learners", got, rush)
		}
		if byStatus["withdrawn"] != counts["withdraw"][204] {
			t.Fatalf("%d withdrawn rows, %d withdrawals answered", byStatus["withdrawn"], counts["withdraw"][204])
		}

		// Waitlist positions run 1..n without gaps or duplicates.
		var list struct{ Items []enrolmentBody }
		s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: s.team}).expect(t, 200).json(t, &list)
		seen := map[int]bool{}
		for _, e := range list.Items {
			if e.Status == "waitlisted" {
				if e.WaitlistPosition == nil || seen[*e.WaitlistPosition] {
					t.Fatalf("duplicate or missing position: %+v", e)
				}
				seen[*e.WaitlistPosition] = true
			}
		}
		for p := 1; p <= len(seen); p++ {
			if !seen[p] {
				t.Fatalf("waitlist position %d missing of %d", p, len(seen))
			}
		}
	})
}

// Learners joining a full cohort at the same instant are told positions
// 1..n, each once, in the order they will be promoted, in the reply and in
// the e-mail alike.
func TestWaitlistPositionsUnderConcurrency(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(1, 0)
		_, first := s.signUp()
		s.enrolled(first, c.ID)
		const n = 200
		_, tokens := s.learners(n)
		told := make([]enrolmentBody, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := s.try(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: tokens[i]})
				if err == nil && r.status != 201 {
					err = fmt.Errorf("enrolment %d answered %d: %s", i, r.status, r.body)
				}
				if err == nil {
					err = json.Unmarshal(r.body, &told[i])
				}
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		byPosition := map[int]string{}
		for _, e := range told {
			if e.Status != "waitlisted" || e.WaitlistPosition == nil {
				t.Fatalf("enrolment %+v", e)
			}
			if other, dup := byPosition[*e.WaitlistPosition]; dup {
				t.Fatalf("position %d told to %s and %s", *e.WaitlistPosition, other, e.ID)
			}
			byPosition[*e.WaitlistPosition] = e.ID
		}
		for p := 1; p <= n; p++ {
			if byPosition[p] == "" {
				t.Fatalf("nobody was told position %d", p)
			}
		}
		// The e-mail says the same position.
		ctx := context.Background()
		for _, e := range told {
			var params string
			if err := db.Conn(ctx).Table("outbox").Where("id = ?", "waitlisted:"+e.ID).Select("params").Take(&params).Error; err != nil {
				t.Fatal(err)
			}
			var p map[string]string
			if err := json.Unmarshal([]byte(params), &p); err != nil || p["position"] != strconv.Itoa(*e.WaitlistPosition) {
				t.Fatalf("the e-mail of %s says %q, the reply %d", e.ID, p["position"], *e.WaitlistPosition)
			}
		}
		// Promotion follows the positions told: raising the capacity one
		// seat at a time seats position 1, then 2, then 3.
		for p := 1; p <= 3; p++ {
			s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]any{"capacity": 1 + p}}).expect(t, 200)
			var e enrolmentBody
			s.do(request{method: "GET", path: "/api/v1/enrolments/" + byPosition[p], token: s.team}).expect(t, 200).json(t, &e)
			if e.Status != "enrolled" {
				t.Fatalf("after %d promotions, the learner told position %d is %s", p, p, e.Status)
			}
		}
		if got := s.cohortNow(c.ID); got.WaitlistCount != n-3 || got.EnrolledCount != 4 {
			t.Fatalf("counts %+v", got)
		}
	})
}

// Every learner sends the enrolment twice at once (a double click), all
// together: on PostgreSQL the claims share commits in batches, and a
// second claim of a learner refused inside a batch must cost the others
// nothing. Each learner gets one place and one 409; the places are exact.
func TestDoubleEnrolmentsInOneBurst(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(100, 0)
		const n = 150
		_, tokens := s.learners(n)
		type answer struct {
			learner int
			status  int
			body    enrolmentBody
		}
		answers := make(chan answer, 2*n)
		errs := make(chan error, 2*n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := s.try(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: tokens[i%n]})
				if err != nil {
					errs <- err
					return
				}
				a := answer{learner: i % n, status: r.status}
				if r.status == 201 {
					err = json.Unmarshal(r.body, &a.body)
				}
				errs <- err
				answers <- a
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		close(answers)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := make([]map[int]int, n)
		positions := map[int]bool{}
		seated := 0
		for a := range answers {
			if got[a.learner] == nil {
				got[a.learner] = map[int]int{}
			}
			got[a.learner][a.status]++
			if a.status != 201 {
				continue
			}
			if a.body.Status == "enrolled" {
				seated++
			} else if a.body.WaitlistPosition == nil || positions[*a.body.WaitlistPosition] {
				t.Fatalf("waitlist place %+v told twice or not at all", a.body)
			} else {
				positions[*a.body.WaitlistPosition] = true
			}
		}
		for i, g := range got {
			if g[201] != 1 || g[409] != 1 {
				t.Fatalf("learner %d got %v, want one 201 and one 409", i, g)
			}
		}
		if seated != 100 || len(positions) != n-100 {
			t.Fatalf("%d seated, %d waitlisted", seated, len(positions))
		}
		for p := 1; p <= n-100; p++ {
			if !positions[p] {
				t.Fatalf("nobody was told position %d", p)
			}
		}
		if now := s.cohortNow(c.ID); now.EnrolledCount != 100 || now.WaitlistCount != n-100 {
			t.Fatalf("counts %+v", now)
		}
	})
}
