package api_test

import (
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// A playback link cannot be called back, so its short life is what stops
// a learner who has withdrawn: the link works for two minutes at most,
// and a new one is refused at once.
func TestPlaybackLinkOutlivesWithdrawalByTwoMinutesAtMost(t *testing.T) {
	db := testenv.DB(t, database.SQLite)
	clock := newClock(time.Now().UTC().Truncate(time.Second))
	s := newSchool(t, db, options{clock: clock})
	c := s.cohort(200, 24*time.Hour)
	_, learner := s.signUp()
	e := s.enrolled(learner, c.ID)
	video := s.published.Weeks[0].Lessons[0]
	if video.Kind != "video" {
		t.Fatalf("week 1 begins with a %s lesson", video.Kind)
	}
	path := "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID + "/playback"
	var pb struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	s.do(request{method: "GET", path: path, token: learner}).expect(t, 200).json(t, &pb)
	if life := pb.ExpiresAt.Sub(clock.Now()); life <= 0 || life > 2*time.Minute {
		t.Fatalf("the link lives %s", life)
	}
	s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: learner}).expect(t, 204)
	s.do(request{method: "GET", path: path, token: learner}).problem(t, 403, "enrolment_inactive")

	clock.Set(clock.Now().Add(2*time.Minute - time.Second))
	if status, _ := s.fetch(t, pb.URL, ""); status != 200 {
		t.Fatalf("before its expiry the link gives %d", status)
	}
	clock.Set(clock.Now().Add(2 * time.Second))
	if status, _ := s.fetch(t, pb.URL, ""); status != 403 {
		t.Fatalf("two minutes after the withdrawal the link still gives %d", status)
	}
}
