package reports_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"mooc/cohorts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/reports"
	"mooc/reports/reportstest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// cast is a cohort's learners, one of every case the funnel tells apart.
var cast = []reportstest.Learner{
	{Municipality: "Cēsu novads", Lessons: 10, FinalPassed: true, Certified: true}, // completed and certified
	{Municipality: "Rīga", Lessons: 10, FinalPassed: true},                         // completed
	{Municipality: "Rīga", Lessons: 10},                                            // every week, no final test
	{Municipality: "Ogres novads", Lessons: 4, FinalPassed: true},                  // two weeks, the final test passed
	{Municipality: "Ludzas novads", Lessons: 1},                                    // half of the first week
	{Municipality: "Ludzas novads"},                                                // nothing
	{Municipality: "Rīga", Status: cohorts.Withdrawn, Lessons: 10, FinalPassed: true},
	{Municipality: "Rīga", Status: cohorts.Waitlisted},
}

func TestCohortFunnel(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		h := reportstest.New(t, db)
		course := h.Course("Krīzes intervence", 5, 2)
		cohort := h.Cohort(course, "Pavasaris", h.Now.Add(24*time.Hour))
		h.Enrol(course, cohort, cast...)
		svc := reports.New(db)
		ctx := context.Background()

		f, err := svc.CohortFunnel(ctx, cohort)
		if err != nil {
			t.Fatal(err)
		}
		want := reports.Funnel{CohortID: cohort, CourseID: course.ID, CourseTitle: "Krīzes intervence", CohortTitle: "Pavasaris",
			Enrolled: 6, Withdrawn: 1, Weeks: []int{4, 4, 3, 3, 3}, FinalPassed: 3, Completed: 2, Certified: 1,
			DropOff: []int{2, 0, 1, 0, 0, 1}}
		if !reflect.DeepEqual(f, want) {
			t.Fatalf("funnel\n%+v, want\n%+v", f, want)
		}

		// Completed is cohorts.Missing on each learner's standing, and the
		// completions report (its SQL twin) says the same of the cohort.
		eligible := 0
		for _, l := range cast {
			status := l.Status
			if status == "" {
				status = cohorts.Enrolled
			}
			if len(cohorts.Missing(cohorts.Standing{Status: status, LessonsCompleted: l.Lessons, LessonsTotal: 10, FinalPassed: l.FinalPassed})) == 0 {
				eligible++
			}
		}
		rep, err := svc.Completions(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if f.Completed != eligible || rep.Totals.Completed != eligible || rep.Totals.Enrolled != f.Enrolled {
			t.Fatalf("funnel completed %d, the rule %d, the report %+v", f.Completed, eligible, rep.Totals)
		}

		for _, id := range []string{"nav-uuid", "00000000-0000-4000-8000-000000000000"} {
			if _, err := svc.CohortFunnel(ctx, id); err != cohorts.ErrNotFound {
				t.Errorf("%s: %v, want not found", id, err)
			}
		}

		// A cohort nobody joined has an empty funnel of the course's weeks.
		empty, err := svc.CohortFunnel(ctx, h.Cohort(course, "Rudens", h.Now))
		if err != nil || empty.Enrolled != 0 || !reflect.DeepEqual(empty.Weeks, []int{0, 0, 0, 0, 0}) || len(empty.DropOff) != 6 {
			t.Fatalf("empty cohort %+v, %v", empty, err)
		}
	})
}

// Distinct people: a person who completed two courses counts once in all
// and once in each methodology; the period goes by when cohorts end.
func TestPeople(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		h := reportstest.New(t, db)
		crisis, family := h.Course("Krīzes intervence", 5, 2), h.Course("Darbs ar ģimenēm", 5, 1)
		spring := h.Cohort(crisis, "Pavasaris", h.Now.Add(-24*time.Hour))
		first := h.Enrol(crisis, spring, cast...)
		both := first[0].UserID
		autumn := h.Cohort(family, "Rudens", h.Now.Add(-48*time.Hour))
		h.Enrol(family, autumn,
			reportstest.Learner{UserID: both, Lessons: 5, FinalPassed: true},
			reportstest.Learner{Municipality: "Valmieras novads", Lessons: 5, FinalPassed: true},
			reportstest.Learner{Municipality: "Valmieras novads", Lessons: 4, FinalPassed: true})
		old := h.Cohort(family, "Pirms gada", h.Now.AddDate(-1, 0, 0))
		h.Enrol(family, old, reportstest.Learner{Municipality: "Talsu novads", Lessons: 5, FinalPassed: true})

		svc := reports.New(db)
		ctx := context.Background()
		from, to := h.Now.AddDate(0, -1, 0), h.Now.Add(24*time.Hour)
		p, err := svc.People(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if p.People != 3 || p.Target != nil || p.From == nil || !p.From.Equal(from) {
			t.Fatalf("people %+v", p)
		}
		got := map[string]int{}
		for _, m := range p.ByMethodology {
			got[m.MethodologyID] = m.People
			if m.Target != nil {
				t.Errorf("a target without targets: %+v", m)
			}
		}
		if want := map[string]int{crisis.MethodologyID: 2, family.MethodologyID: 2}; !reflect.DeepEqual(got, want) {
			t.Fatalf("by methodology %v, want %v", got, want)
		}
		rep, err := svc.Completions(ctx, from, to)
		if err != nil || rep.PeopleCompleted != p.People {
			t.Fatalf("the completions report counts %d people, %v", rep.PeopleCompleted, err)
		}

		all, err := svc.People(ctx, time.Time{}, time.Time{})
		if err != nil || all.People != 4 || all.Period != "all time" || all.From != nil {
			t.Fatalf("all time %+v, %v", all, err)
		}
	})
}
