package api_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// Playback links and a learner's progress read the lesson and the lesson
// count from the catalogue's cached outline instead of the database. The
// checks of the lesson stay as they were (the course's own lesson only,
// its week open), and a correction on the replica that makes it shows in
// the very next link.
func TestPlaybackFromTheCachedOutline(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		c := s.cohort(200, 8*24*time.Hour) // weeks 1 and 2 open
		e := s.enrolled(s.learner, c.ID)
		video := s.published.Weeks[0].Lessons[0]
		later := s.published.Weeks[2].Lessons[0]
		if video.Kind != "video" || later.MediaID == nil {
			t.Fatalf("week 1 begins with %s, week 3 with %+v", video.Kind, later)
		}
		playback := func(lessonID string) reply {
			return s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + lessonID + "/playback", token: s.learner})
		}
		var pb struct {
			ContentType string `json:"content_type"`
		}
		for range 3 { // the first fills the cache, the others answer from it
			playback(video.ID).expect(t, 200).json(t, &pb)
			if pb.ContentType != "video/mp4" {
				t.Fatalf("plays %q", pb.ContentType)
			}
		}
		playback(later.ID).problem(t, 403, "week_locked")
		playback(uuid.NewString()).problem(t, 404, "not_found")

		// A lesson of another published course is not this enrolment's.
		other := s.buildCourse(s.author)
		s.do(request{method: "POST", path: "/api/v1/courses/" + other.ID + "/publish", token: s.author}).expect(t, 200)
		s.outline(s.learner, other.ID, "").expect(t, 200) // its outline cached too
		playback(s.get(s.author, other.ID).Weeks[0].Lessons[0].ID).problem(t, 404, "not_found")

		var mine struct{ Items []enrolmentBody }
		s.do(request{method: "GET", path: "/api/v1/me/enrolments", token: s.learner}).expect(t, 200).json(t, &mine)
		total := 0
		for _, w := range s.published.Weeks {
			total += len(w.Lessons)
		}
		if len(mine.Items) != 1 || mine.Items[0].Progress == nil || mine.Items[0].Progress.LessonsTotal != total {
			t.Fatalf("my enrolments %+v, want %d lessons in all", mine, total)
		}

		// The percent counts the course's tests as the outline lists them.
		_, other2 := s.signUp()
		done := s.enrolled(other2, s.cohort(200, 30*24*time.Hour).ID)
		s.completeLessons(other2, done.ID)
		s.outline(other2, s.published.ID, "").expect(t, 200) // cached now: the count is the cache's
		var theirs struct{ Items []enrolmentBody }
		s.do(request{method: "GET", path: "/api/v1/me/enrolments", token: other2}).expect(t, 200).json(t, &theirs)
		want := total * 100 / (total + len(s.published.Tests))
		if len(s.published.Tests) == 0 || len(theirs.Items) != 1 || theirs.Items[0].Progress.Percent != want {
			t.Fatalf("with every lesson done %+v, want %d %% (%d tests)", theirs.Items, want, len(s.published.Tests))
		}

		// The team replaces the recording: the next link is the new file's.
		better := s.uploaded(s.team, "labāks-ieraksts.webm", fixture(t, "lesson.webm"))
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + video.ID, token: s.team, body: map[string]any{"media_id": better.ID}}).expect(t, 200)
		playback(video.ID).expect(t, 200).json(t, &pb)
		if pb.ContentType != "video/webm" {
			t.Fatalf("after the replacement the learner plays %q", pb.ContentType)
		}
	})
}
