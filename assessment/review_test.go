package assessment

import (
	"context"
	"errors"
	"testing"
	"time"

	"mooc/cohorts"
	"mooc/internal/database"
	"mooc/internal/testenv"
)

func TestRevealAnswers(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	test := testRow{MaxAttempts: 2}
	running := cohorts.Seat{EndsAt: now.Add(time.Hour)}
	ended := cohorts.Seat{EndsAt: now}
	submitted := attemptRow{ExpiresAt: now.Add(-time.Hour), SubmittedAt: &now}
	openOne := attemptRow{ExpiresAt: now.Add(10 * time.Minute)}
	inGrace := attemptRow{ExpiresAt: now.Add(-grace)}
	lapsed := attemptRow{ExpiresAt: now.Add(-grace - time.Second)}
	for name, c := range map[string]struct {
		seat     cohorts.Seat
		attempts []attemptRow
		want     bool
	}{
		"an attempt left":                  {running, []attemptRow{submitted}, false},
		"attempts used up":                 {running, []attemptRow{submitted, submitted}, true},
		"used up, the last one open":       {running, []attemptRow{submitted, openOne}, false},
		"used up, the last one in grace":   {running, []attemptRow{submitted, inGrace}, false},
		"used up, the last one ran out":    {running, []attemptRow{submitted, lapsed}, true},
		"the cohort ended":                 {ended, []attemptRow{submitted}, true},
		"the cohort ended, one still open": {ended, []attemptRow{openOne}, false},
	} {
		if got := revealAnswers(test, c.seat, c.attempts, now); got != c.want {
			t.Errorf("%s: reveal %v, want %v", name, got, c.want)
		}
	}
}

// A learner whose enrolment is no longer active submits nothing: the
// refusal comes from the one read a submission makes, and writes nothing.
func TestSubmitInactive(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, 5)
		ctx := context.Background()
		id := f.attempts(t, 1)[0]
		for _, status := range []string{cohorts.Withdrawn, cohorts.Waitlisted} {
			if err := db.Conn(ctx).Exec("UPDATE enrolments SET status = ? WHERE id = ?", status, f.enrolID).Error; err != nil {
				t.Fatal(err)
			}
			before := db.Statements()
			if _, err := f.svc.Submit(ctx, f.learner, id, f.right()); !errors.Is(err, cohorts.ErrEnrolmentInactive) {
				t.Fatalf("%s: %v", status, err)
			}
			if n := db.Statements() - before; n != 1 {
				t.Fatalf("%s: the refusal took %d statements", status, n)
			}
			if a, asked := f.stored(t, id); a.SubmittedAt != nil || asked[0].Chosen != "" {
				t.Fatalf("%s: the refused submission wrote %+v, %+v", status, a, asked[0])
			}
		}
		if err := db.Conn(ctx).Exec("UPDATE enrolments SET status = ? WHERE id = ?", cohorts.Enrolled, f.enrolID).Error; err != nil {
			t.Fatal(err)
		}
		if res, err := f.svc.Submit(ctx, f.learner, id, f.right()); err != nil || res.Percent != 100 {
			t.Fatalf("enrolled again: %+v, %v", res, err)
		}
	})
}
