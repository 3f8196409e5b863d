package reports_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"mooc/cohorts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/validation"
	"mooc/reports"
	"mooc/reports/reportstest"
)

// targetsCast is counted by hand. Cohorts and programmes are dated by when
// they end; a target of 2027-06-30 counts what ended before 1 July 00:00
// in Riga (2027-06-30T21:00Z, summer time).
//
//	ann   online A and B                  → online, by 06-30
//	ben   online A and in person P        → both, by 06-30, once
//	cat   online C (ends 1 July in Riga)  → online, by 07-01 only
//	dan   online A, one lesson short      → never
//	eve   in person P, 81 of 90 hours     → in person, by 06-30
//	fay   in person P, 80 of 90 hours     → never
//	gus   in person Q (September)         → in person, by 12-31
//	hal   online A, then withdrew         → never
func targetsCast(t *testing.T, db *database.DB) *reportstest.History {
	h := reportstest.New(t, db)
	crisis, family := h.Course("Krīzes intervence", 5, 2), h.Course("Darbs ar ģimenēm", 5, 1)
	a := h.Cohort(crisis, "A", time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC))
	b := h.Cohort(family, "B", time.Date(2027, 6, 30, 20, 59, 59, 0, time.UTC))
	c := h.Cohort(family, "C", time.Date(2027, 6, 30, 21, 0, 0, 0, time.UTC))
	done := reportstest.Learner{Municipality: "Rīga", Lessons: 10, FinalPassed: true}
	first := h.Enrol(crisis, a, done, done,
		reportstest.Learner{Municipality: "Rīga", Lessons: 9, FinalPassed: true},
		reportstest.Learner{Municipality: "Rīga", Lessons: 10, FinalPassed: true, Status: cohorts.Withdrawn})
	ann, ben := first[0].UserID, first[1].UserID
	h.Enrol(family, b, reportstest.Learner{UserID: ann, Lessons: 5, FinalPassed: true})
	h.Enrol(family, c, reportstest.Learner{Municipality: "Cēsu novads", Lessons: 5, FinalPassed: true})
	p := h.Programme(crisis.MethodologyID, "P", 90, time.Date(2027, 5, 15, 14, 0, 0, 0, time.UTC))
	q := h.Programme(family.MethodologyID, "Q", 90, time.Date(2027, 9, 1, 14, 0, 0, 0, time.UTC))
	h.Attend(p, reportstest.Participant{UserID: ben, Municipality: "Rīga", Hours: 90},
		reportstest.Participant{Municipality: "Ogres novads", Hours: 81}, reportstest.Participant{Municipality: "Ogres novads", Hours: 80})
	h.Attend(q, reportstest.Participant{Municipality: "Talsu novads", Hours: 88})
	return h
}

func TestTargets(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		targetsCast(t, db)
		svc := reports.New(db)
		ctx := context.Background()
		both := []string{"online", "in_person"}
		set := []struct {
			key  string
			f    reports.TargetFields
			want reports.TargetProgress
		}{
			{"visi-2027-06", reports.TargetFields{Title: "Visi līdz jūnija beigām", People: 4, By: "2027-06-30", Kinds: both},
				reports.TargetProgress{Achieved: 3, Percent: 75}}, // ann, ben, eve
			{"e-macibas", reports.TargetFields{Title: "E-mācības", People: 3, By: "2027-06-30", Kinds: []string{"online"}},
				reports.TargetProgress{Achieved: 2, Percent: 66}}, // ann, ben; 66.7 rounded down
			{"klatiene", reports.TargetFields{Title: "Klātiene", People: 2, By: "2027-12-31", Kinds: []string{"in_person"}},
				reports.TargetProgress{Achieved: 3, Percent: 150}}, // ben, eve, gus
			{"visi-2027-07", reports.TargetFields{Title: "Visi līdz 1. jūlijam", People: 4, By: "2027-07-01", Kinds: []string{"in_person", "online"}},
				reports.TargetProgress{Achieved: 4, Percent: 100}}, // and cat
			{"agri", reports.TargetFields{Title: "Pirms visa", People: 10, By: "2027-02-28", Kinds: both},
				reports.TargetProgress{Achieved: 0, Percent: 0}},
		}
		for _, s := range set {
			got, err := svc.SetTarget(ctx, s.key, s.f)
			if err != nil {
				t.Fatal(s.key, err)
			}
			kinds := []string{}
			for _, k := range both {
				for _, g := range s.f.Kinds {
					if g == k {
						kinds = append(kinds, k)
					}
				}
			}
			want := reports.TargetProgress{Key: s.key, Title: s.f.Title, People: s.f.People, By: s.f.By, Kinds: kinds, Achieved: s.want.Achieved, Percent: s.want.Percent}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("PUT %s\n%+v, want\n%+v", s.key, got, want)
			}
		}

		// Listed by date, then key, two to a page.
		var keys []string
		cursor := ""
		for {
			items, next, err := svc.Targets(ctx, 2, cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				keys = append(keys, it.Key+":"+strconv.Itoa(it.Achieved))
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"agri:0", "e-macibas:2", "visi-2027-06:3", "visi-2027-07:4", "klatiene:3"}; !reflect.DeepEqual(keys, want) {
			t.Fatalf("targets %v, want %v", keys, want)
		}

		// The completions report, over the same period, counts the same.
		riga, _ := time.LoadLocation("Europe/Riga")
		rep, err := svc.Completions(ctx, time.Time{}, time.Date(2027, 7, 1, 0, 0, 0, 0, riga))
		if err != nil || rep.PeopleCompleted != 3 {
			t.Fatalf("the completions report counts %d, %v", rep.PeopleCompleted, err)
		}

		// PUT replaces every field.
		got, err := svc.SetTarget(ctx, "visi-2027-06", reports.TargetFields{Title: "Tikai e-mācības", People: 1, By: "2027-06-30", Kinds: []string{"online"}})
		if err != nil || got.Title != "Tikai e-mācības" || got.Achieved != 2 || got.Percent != 200 || !reflect.DeepEqual(got.Kinds, []string{"online"}) {
			t.Fatalf("replaced %+v, %v", got, err)
		}
		items, _, err := svc.Targets(ctx, 0, "")
		if err != nil || len(items) != 5 {
			t.Fatalf("after replacing: %d targets, %v", len(items), err)
		}

		// The People figure is held against the both-kinds target due on
		// or after its period's last day; an open period, the latest one.
		ppl, err := svc.People(ctx, time.Time{}, time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || ppl.Target == nil || ppl.Target.Key != "visi-2027-07" || ppl.Target.People != 4 {
			t.Fatalf("the figure's target %+v, %v", ppl.Target, err)
		}
		ppl, err = svc.People(ctx, time.Time{}, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || ppl.Target == nil || ppl.Target.Key != "agri" {
			t.Fatalf("the figure's target %+v, %v", ppl.Target, err)
		}
		if ppl, err = svc.People(ctx, time.Time{}, time.Time{}); err != nil || ppl.Target == nil || ppl.Target.Key != "visi-2027-07" {
			t.Fatalf("all time: the figure's target %+v, %v", ppl.Target, err)
		}
		if ppl, err = svc.People(ctx, time.Time{}, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || ppl.Target != nil {
			t.Fatalf("past every target: %+v, %v", ppl.Target, err)
		}
	})
}

func TestTargetRules(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		svc := reports.New(db)
		ctx := context.Background()
		ok := reports.TargetFields{Title: "Mērķis", People: 1, By: "2027-12-31", Kinds: []string{"online"}}
		long := make([]rune, 301)
		for i := range long {
			long[i] = 'ā'
		}
		for _, c := range []struct {
			key   string
			f     func(*reports.TargetFields)
			field string
		}{
			{"", nil, "key"},
			{"Lielie", nil, "key"},
			{"ar_pasvitru", nil, "key"},
			{string(make([]byte, 65)), nil, "key"},
			{"k", func(f *reports.TargetFields) { f.Title = "" }, "title"},
			{"k", func(f *reports.TargetFields) { f.Title = string(long) }, "title"},
			{"k", func(f *reports.TargetFields) { f.People = 0 }, "people"},
			{"k", func(f *reports.TargetFields) { f.People = 1_000_001 }, "people"},
			{"k", func(f *reports.TargetFields) { f.By = "2027-02-30" }, "by"},
			{"k", func(f *reports.TargetFields) { f.By = "" }, "by"},
			{"k", func(f *reports.TargetFields) { f.Kinds = nil }, "kinds"},
			{"k", func(f *reports.TargetFields) { f.Kinds = []string{"online", "webinar"} }, "kinds"},
		} {
			f := ok
			if c.f != nil {
				c.f(&f)
			}
			if _, err := svc.SetTarget(ctx, c.key, f); !validation.Has(err, c.field) {
				t.Errorf("%q %+v: %v, want %s refused", c.key, f, err, c.field)
			}
		}
		key64 := "a234567890123456789012345678901234567890123456789012345678901234"
		if got, err := svc.SetTarget(ctx, key64, ok); err != nil || got.Key != key64 {
			t.Fatalf("a 64-character key: %+v, %v", got, err)
		}
		if _, _, err := svc.Targets(ctx, 0, "nav-kursors"); err == nil {
			t.Fatal("a made-up cursor accepted")
		}
	})
}
