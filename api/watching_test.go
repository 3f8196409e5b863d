package api_test

import (
	"context"
	"math"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// lessonVideoSeconds is the length of testdata/lesson.mp4, the video of
// buildCourse's video lessons.
const lessonVideoSeconds = 1.0

// watch plays video lessons as a player does: it reports the start of
// each, lets their length go by at twice real time (on the test clock when
// the server has one, else for real: half a second for lesson.mp4) and
// reports the end, completed.
func (s *server) watch(token, enrolmentID string, seconds float64, lessonIDs ...string) {
	s.t.Helper()
	progress := func(id string, p float64, done bool) {
		s.do(request{method: "PUT", path: "/api/v1/enrolments/" + enrolmentID + "/lessons/" + id + "/progress", token: token,
			body: map[string]any{"position_seconds": p, "completed": done}}).expect(s.t, 200)
	}
	for _, id := range lessonIDs {
		progress(id, 0, false)
	}
	wait := time.Duration(seconds / 2 * float64(time.Second))
	if s.clock != nil {
		s.clock.Set(s.clock.Now().Add(wait))
	} else {
		time.Sleep(wait)
	}
	for _, id := range lessonIDs {
		progress(id, seconds, true)
	}
}

// completeLessons completes every lesson of the published course: videos
// by watching them, the others by saying so.
func (s *school) completeLessons(token, enrolmentID string) {
	s.t.Helper()
	var videos []string
	for _, w := range s.published.Weeks {
		for _, l := range w.Lessons {
			if l.Kind == "video" {
				videos = append(videos, l.ID)
				continue
			}
			s.do(request{method: "PUT", path: "/api/v1/enrolments/" + enrolmentID + "/lessons/" + l.ID + "/progress", token: token,
				body: map[string]any{"position_seconds": 60, "completed": true}}).expect(s.t, 200)
		}
	}
	s.watch(token, enrolmentID, lessonVideoSeconds, videos...)
}

type lessonProgressBody struct {
	LessonID        string  `json:"lesson_id"`
	PositionSeconds float64 `json:"position_seconds"`
	WatchedPercent  *int    `json:"watched_percent"`
	Completed       bool    `json:"completed"`
}

// The watching rule over HTTP, on a controlled clock, with a real 12.5 s
// MP4 whose index comes after its samples.
func TestVideoLessonsAreCompletedByWatching(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		start := time.Now().UTC().Truncate(time.Second)
		clock := newClock(start)
		s := newSchool(t, db, options{clock: clock})
		// A second course whose week-1 video is 12.5 s long.
		course := s.buildCourse(s.author)
		long := s.uploaded(s.author, "garš.mp4", fixture(t, "moov-at-end.mp4"))
		var outline courseBody
		s.do(request{method: "GET", path: "/api/v1/courses/" + course.ID, token: s.author}).expect(t, 200).json(t, &outline)
		video := outline.Weeks[0].Lessons[0]
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + video.ID, token: s.author, body: map[string]any{"media_id": long.ID}}).expect(t, 200)
		s.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: s.author}).expect(t, 200)
		s.published = s.get(s.author, course.ID)
		c := s.cohort(200, 30*24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		path := "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID + "/progress"
		report := func(p float64, done bool) reply {
			return s.do(request{method: "PUT", path: path, token: learner, body: map[string]any{"position_seconds": p, "completed": done}})
		}
		after := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
		var lp lessonProgressBody

		// The cheat: done at once, without a second watched. Nothing is kept.
		report(0, true).problem(t, 422, "lesson_not_watched")
		report(12.5, true).problem(t, 422, "lesson_not_watched")
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID, token: learner}).expect(t, 200)
		var lesson struct{ Progress lessonProgressBody }
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID, token: learner}).expect(t, 200).json(t, &lesson)
		if lesson.Progress.Completed || lesson.Progress.PositionSeconds != 0 || lesson.Progress.WatchedPercent == nil || *lesson.Progress.WatchedPercent != 0 {
			t.Fatalf("a refused report left %+v", lesson.Progress)
		}

		// Positions past the video's end are not positions in it.
		report(14, false).problem(t, 422, "validation_failed")

		// Skipping ahead at more than twice real time counts nothing.
		report(0.5, false).expect(t, 200)
		after(2 * time.Second)
		report(11.5, false).expect(t, 200).json(t, &lp) // 11 s in 2 s
		if lp.PositionSeconds != 11.5 || *lp.WatchedPercent != 0 {
			t.Fatalf("a skip counted: %+v", lp)
		}
		after(time.Second)
		report(12.5, true).problem(t, 422, "lesson_not_watched") // 1 s of 12.5 watched

		// Watching from the start at 1x and then 2x, in fractional steps.
		report(0.25, false).expect(t, 200)
		after(4 * time.Second)
		report(4.25, false).expect(t, 200).json(t, &lp) // 1x
		if lp.PositionSeconds != 4.25 || *lp.WatchedPercent != 32 {
			t.Fatalf("after 4 s at 1x: %+v", lp)
		}
		after(3 * time.Second)
		report(10.25, false).expect(t, 200).json(t, &lp) // 2x
		if *lp.WatchedPercent != 80 {
			t.Fatalf("after 6 s more at 2x: %+v", lp)
		}
		// 0.25..10.25 watched is 80 %; 0.5..1 more is not enough either.
		report(0.5, false).expect(t, 200)
		after(time.Second)
		report(1, true).problem(t, 422, "lesson_not_watched")
		// Back where it was, the last stretch: 0.25..11.5 is 90 %.
		report(10.25, false).expect(t, 200)
		after(time.Second)
		report(11.5, true).expect(t, 200).json(t, &lp)
		if !lp.Completed || lp.PositionSeconds != 11.5 || *lp.WatchedPercent != 90 {
			t.Fatalf("completed after watching 90 %%: %+v", lp)
		}
		// Completion sticks.
		report(3, false).expect(t, 200).json(t, &lp)
		if !lp.Completed || lp.PositionSeconds != 3 {
			t.Fatalf("completion did not stick: %+v", lp)
		}

		// Other kinds stay the learner's word, and take any position.
		week1 := outline.Weeks[0].Lessons
		for _, l := range week1[1:] {
			var lp lessonProgressBody
			s.do(request{method: "PUT", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + l.ID + "/progress", token: learner,
				body: map[string]any{"position_seconds": 600.5, "completed": true}}).expect(t, 200).json(t, &lp)
			if !lp.Completed || lp.WatchedPercent != nil || math.Abs(lp.PositionSeconds-600.5) > 1e-9 {
				t.Fatalf("%s lesson: %+v", l.Kind, lp)
			}
		}
	})
}

// A video whose length cannot be read is accepted, shows no duration, and
// its video lesson cannot be completed by watching.
func TestVideoOfUnknownLength(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		course := s.buildCourse(s.author)
		live := s.uploaded(s.author, "ieraksts.webm", fixture(t, "no-duration.webm"))
		var m struct {
			ContentType     string   `json:"content_type"`
			DurationSeconds *float64 `json:"duration_seconds"`
		}
		s.do(request{method: "GET", path: "/api/v1/media/" + live.ID, token: s.author}).expect(t, 200).json(t, &m)
		if m.ContentType != "video/webm" || m.DurationSeconds != nil {
			t.Fatalf("media %+v", m)
		}
		var outline courseBody
		s.do(request{method: "GET", path: "/api/v1/courses/" + course.ID, token: s.author}).expect(t, 200).json(t, &outline)
		video := outline.Weeks[0].Lessons[0]
		original := *video.MediaID
		// Publishing names a video lesson whose length cannot be read.
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + video.ID, token: s.author, body: map[string]any{"media_id": live.ID}}).expect(t, 200)
		gaps := s.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: s.author}).problem(t, 422, "course_incomplete")
		if len(gaps.Errors) != 1 || gaps.Errors[0].Field != "lessons."+video.ID+".media_id" {
			t.Fatalf("gaps %+v", gaps.Errors)
		}
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + video.ID, token: s.author, body: map[string]any{"media_id": original}}).expect(t, 200)
		s.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: s.author}).expect(t, 200)
		s.published = s.get(s.author, course.ID)
		// A file stored before lengths were read, whose length cannot be
		// read now either.
		if err := db.Conn(context.Background()).Exec("UPDATE media SET duration_seconds = NULL, duration_read = ? WHERE id = ?", true, original).Error; err != nil {
			t.Fatal(err)
		}
		e := s.enrolled(s.learner, s.cohort(200, 24*time.Hour).ID)
		path := "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID + "/progress"
		s.do(request{method: "PUT", path: path, token: s.learner, body: map[string]any{"position_seconds": 0}}).expect(t, 200)
		clock.Set(clock.Now().Add(3 * time.Second))
		p := s.do(request{method: "PUT", path: path, token: s.learner, body: map[string]any{"position_seconds": 3, "completed": true}}).problem(t, 422, "lesson_not_watched")
		if p.Detail == "" {
			t.Fatal("no detail")
		}
	})
}

// Videos' durations are read from the stored files, by both ways of
// uploading, on both storage backends; other files have none.
func TestMediaDurations(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		type durationBody struct {
			ID              string   `json:"id"`
			DurationSeconds *float64 `json:"duration_seconds"`
		}
		for _, tc := range []struct {
			file string
			want float64 // 0: none
		}{
			{"lesson.mp4", 1},
			{"moov-at-end.mp4", 12.5},
			{"lesson.webm", 1},
			{"no-duration.webm", 0},
			{"interview.mp3", 0},
		} {
			check := func(how string, r reply) {
				t.Helper()
				var m durationBody
				r.json(t, &m)
				var again durationBody
				s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: author}).expect(t, 200).json(t, &again)
				for _, got := range []*float64{m.DurationSeconds, again.DurationSeconds} {
					if (tc.want == 0) != (got == nil) || (got != nil && *got != tc.want) {
						t.Fatalf("%s %s: duration %v, want %v: %s", how, tc.file, got, tc.want, r.body)
					}
				}
			}
			content := fixture(t, tc.file)
			check("POST /media", s.upload(author, tc.file, content).expect(t, 201))
			up := s.begun(author, tc.file, int64(len(content)))
			check("resumable", s.complete(author, up.ID, s.sendParts(up, content)).expect(t, 200))
		}
	})
}
