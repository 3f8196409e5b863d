package cohorts

import (
	"slices"
	"testing"
)

func TestMissing(t *testing.T) {
	done := Standing{Status: Enrolled, LessonsCompleted: 12, LessonsTotal: 12, FinalPassed: true}
	with := func(change func(*Standing)) Standing {
		st := done
		change(&st)
		return st
	}
	for _, c := range []struct {
		name string
		st   Standing
		want []string // the fields of the gaps, in order
	}{
		{"everything done", done, nil},
		{"one lesson left", with(func(s *Standing) { s.LessonsCompleted = 11 }), []string{"lessons"}},
		{"final test not passed", with(func(s *Standing) { s.FinalPassed = false }), []string{"final_test"}},
		{"withdrawn after completing", with(func(s *Standing) { s.Status = Withdrawn }), []string{"enrolment"}},
		{"waitlisted", with(func(s *Standing) { s.Status = Waitlisted }), []string{"enrolment"}},
		{"a course without lessons", with(func(s *Standing) { s.LessonsCompleted, s.LessonsTotal = 0, 0 }), nil},
		{"nothing done, withdrawn", Standing{Status: Withdrawn, LessonsTotal: 3}, []string{"enrolment", "lessons", "final_test"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, g := range Missing(c.st) {
				if g.Message == "" {
					t.Errorf("gap %q has no message", g.Field)
				}
				got = append(got, g.Field)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Missing(%+v) names %v, want %v", c.st, got, c.want)
			}
		})
	}
}
