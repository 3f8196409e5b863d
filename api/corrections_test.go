package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// changeBody is one entry of a course's history of corrections.
type changeBody struct {
	ID        string          `json:"id"`
	CourseID  string          `json:"course_id"`
	LessonID  string          `json:"lesson_id"`
	ActorID   string          `json:"actor_id"`
	Field     string          `json:"field"`
	Old       json.RawMessage `json:"old"`
	New       json.RawMessage `json:"new"`
	ChangedAt time.Time       `json:"changed_at"`
}

type historyPage struct {
	Items      []changeBody `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// history reads every page of a course's history, limit entries a page.
func (c *catalogue) history(token, courseID string, limit int) []changeBody {
	c.t.Helper()
	var all []changeBody
	for cursor := ""; ; {
		var p historyPage
		c.do(request{method: "GET", path: "/api/v1/courses/" + courseID + "/history?limit=" + strconv.Itoa(limit) + "&cursor=" + url.QueryEscape(cursor), token: token}).
			expect(c.t, 200).json(c.t, &p)
		if len(p.Items) > limit {
			c.t.Fatalf("a page of %d entries, limit %d", len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all
		}
		cursor = p.NextCursor
	}
}

func (c *catalogue) userID(token string) string {
	c.t.Helper()
	var u userBody
	c.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(c.t, 200).json(c.t, &u)
	return u.ID
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An author fixes a typo in a lesson of a running course: the learner in
// the cohort reads the fix at once, and the course's history says who
// changed what when, old and new value. The team replaces a file and adds
// captions the same way.
func TestCorrectionsOfARunningCourse(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		cohort := s.cohort(200, 8*24*time.Hour) // weeks 1 and 2 open
		e := s.enrolled(s.learner, cohort.ID)
		reading := s.published.Weeks[0].Lessons[2]
		video := s.published.Weeks[0].Lessons[0]
		if reading.Kind != "reading" || video.Kind != "video" {
			t.Fatalf("week 1 is %+v", s.published.Weeks[0].Lessons)
		}
		lessonPath := "/api/v1/lessons/"
		learnerSees := func(id string) (out struct{ Title, Body string }) {
			s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + id, token: s.learner}).expect(t, 200).json(t, &out)
			return out
		}
		if got := learnerSees(reading.ID); got.Body != readingBody {
			t.Fatalf("before the fix the learner reads %+v", got)
		}

		// The author's fix of the title and the text.
		fixedAt := clock.Now().Add(time.Minute)
		clock.Set(fixedAt)
		fixedTitle, fixedBody := "1. nedēļa: lasāmviela par ģimenēm", "Lasāmviela par ģimenēm ar bērniem un pusaudžiem."
		var fixed lessonBody
		s.do(request{method: "PATCH", path: lessonPath + reading.ID, token: s.author, body: map[string]any{"title": fixedTitle, "body": fixedBody}}).
			expect(t, 200).json(t, &fixed)
		if fixed.Title != fixedTitle || fixed.Week != reading.Week || fixed.Position != reading.Position || fixed.Minutes != reading.Minutes {
			t.Fatalf("corrected lesson %+v", fixed)
		}
		if got := learnerSees(reading.ID); got.Title != fixedTitle || got.Body != fixedBody {
			t.Fatalf("the learner reads %+v after the fix", got)
		}

		// The team puts a better recording in the video lesson and adds
		// Latvian captions to it.
		replacedAt := fixedAt.Add(time.Minute)
		clock.Set(replacedAt)
		better := s.uploaded(s.team, "labāks-ieraksts.webm", fixture(t, "lesson.webm"))
		captions := s.uploaded(s.team, "ieraksts.lv.vtt", []byte(captionsLV))
		var replaced lessonBody
		s.do(request{method: "PATCH", path: lessonPath + video.ID, token: s.team, body: map[string]any{"media_id": better.ID}}).expect(t, 200).json(t, &replaced)
		if replaced.MediaID == nil || *replaced.MediaID != better.ID {
			t.Fatalf("replaced %+v", replaced)
		}
		captionedAt := replacedAt.Add(time.Minute)
		clock.Set(captionedAt)
		s.do(request{method: "PATCH", path: lessonPath + video.ID, token: s.team,
			body: map[string]any{"captions": []map[string]string{{"language": "lv", "media_id": captions.ID}}}}).expect(t, 200).json(t, &replaced)
		if len(replaced.Captions) != 1 || replaced.Captions[0].MediaID != captions.ID {
			t.Fatalf("captioned %+v", replaced)
		}
		var pb struct {
			ContentType string `json:"content_type"`
			Captions    []struct{ Language string }
		}
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + video.ID + "/playback", token: s.learner}).expect(t, 200).json(t, &pb)
		if pb.ContentType != "video/webm" || len(pb.Captions) != 1 || pb.Captions[0].Language != "lv" {
			t.Fatalf("the learner plays %+v after the replacement", pb)
		}

		// Sent as read, a lesson changes nothing: week, kind and minutes
		// with the values they have are no structural change, and nothing
		// new enters the history.
		s.do(request{method: "PATCH", path: lessonPath + reading.ID, token: s.author, body: map[string]any{
			"week": reading.Week, "kind": reading.Kind, "minutes": reading.Minutes, "title": fixedTitle, "body": fixedBody}}).expect(t, 200)

		authorID, teamID := s.userID(s.author), s.userID(s.team)
		want := []struct {
			actor, lesson, field string
			old, new             any
			at                   time.Time
		}{
			{teamID, video.ID, "captions", []any{}, []map[string]string{{"language": "lv", "media_id": captions.ID}}, captionedAt},
			{teamID, video.ID, "media_id", *video.MediaID, better.ID, replacedAt},
			// One correction's fields, newest first by id: compared as a set below.
			{authorID, reading.ID, "body", readingBody, fixedBody, fixedAt},
			{authorID, reading.ID, "title", reading.Title, fixedTitle, fixedAt},
		}
		for _, limit := range []int{1, 3, 50} { // paged as every list is
			got := s.history(s.author, s.published.ID, limit)
			if len(got) != len(want) {
				t.Fatalf("limit %d: %d entries, want %d: %+v", limit, len(got), len(want), got)
			}
			if got[2].Field == "title" { // the same instant: ordered by id
				got[2], got[3] = got[3], got[2]
			}
			for i, w := range want {
				g := got[i]
				if g.ActorID != w.actor || g.LessonID != w.lesson || g.Field != w.field || g.CourseID != s.published.ID ||
					!g.ChangedAt.Equal(w.at) || string(g.Old) != jsonOf(t, w.old) || string(g.New) != jsonOf(t, w.new) {
					t.Errorf("limit %d: entry %d is %+v (old %s, new %s), want %+v", limit, i, g, g.Old, g.New, w)
				}
			}
		}
		if team := s.history(s.team, s.published.ID, 50); len(team) != len(want) {
			t.Fatalf("the team reads %d entries", len(team))
		}
		s.do(request{method: "GET", path: "/api/v1/courses/" + s.published.ID + "/history?cursor=nonsense", token: s.author}).problem(t, 400, "invalid_cursor")
	})
}

// What shapes a published course stays fixed: a lesson's week, kind and
// minutes, and which lessons, questions and tests there are. Files that do
// not fit are refused naming the field, and a refused correction changes
// nothing.
func TestCorrectionsKeepTheCourseAsPublished(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		week1 := s.published.Weeks[0].Lessons
		video, interview, reading := week1[0], week1[1], week1[2]
		lesson := func(id string) string { return "/api/v1/lessons/" + id }
		course := "/api/v1/courses/" + s.published.ID

		for name, body := range map[string]map[string]any{
			"another week":     {"week": 2},
			"another kind":     {"kind": "case_story"},
			"other minutes":    {"minutes": reading.Minutes + 1},
			"minutes and text": {"minutes": reading.Minutes + 1, "title": "Jauns nosaukums"},
		} {
			t.Run(name, func(t *testing.T) {
				s.do(request{method: "PATCH", path: lesson(reading.ID), token: s.author, body: body}).problem(t, 422, "course_published")
			})
		}
		s.do(request{method: "DELETE", path: lesson(reading.ID), token: s.author}).problem(t, 422, "course_published")
		s.do(request{method: "POST", path: course + "/lessons", token: s.team, body: map[string]any{"week": 1, "title": "x", "kind": "reading", "minutes": 5, "body": "x"}}).
			problem(t, 422, "course_published")
		s.do(request{method: "PUT", path: course + "/weeks/1/order", token: s.author, body: map[string]any{"lesson_ids": []string{week1[4].ID, week1[3].ID, week1[2].ID, week1[1].ID, week1[0].ID}}}).
			problem(t, 422, "course_published")
		s.do(request{method: "POST", path: course + "/questions", token: s.author, body: map[string]any{"week": 1, "kind": "true_false", "text": "Vai?",
			"options": []map[string]any{{"text": "Jā", "correct": true}, {"text": "Nē"}}}}).problem(t, 422, "course_published")
		s.do(request{method: "POST", path: course + "/tests", token: s.author, body: weeklyTest()}).problem(t, 422, "course_published")

		// Files: the corrected one must be a ready file of a type the
		// lesson's kind shows, whose length a video lesson can count.
		pdf := s.uploaded(s.author, "lasāmviela.pdf", pdfBytes(t))
		unfinished := s.begun(s.author, "nepabeigts.mp4", 1<<20)
		noLength := s.uploaded(s.author, "bez-garuma.webm", fixture(t, "no-duration.webm"))
		foreign := s.uploaded(s.otherAuthor, "cits.mp4", fixture(t, "lesson.mp4"))
		videoFile := s.uploaded(s.author, "video.mp4", fixture(t, "lesson.mp4"))
		says := map[string]string{ // what the message must tell, where it matters which check refused
			"a PDF in a video lesson":   "cannot show application/pdf",
			"an upload not completed":   "not completed",
			"a video of unknown length": "length",
		}
		for name, c := range map[string]struct {
			lessonID, field string
			body            map[string]any
		}{
			"a PDF in a video lesson":      {video.ID, "media_id", map[string]any{"media_id": pdf.ID}},
			"an upload not completed":      {video.ID, "media_id", map[string]any{"media_id": unfinished.ID}},
			"a video of unknown length":    {video.ID, "media_id", map[string]any{"media_id": noLength.ID}},
			"another author's file":        {video.ID, "media_id", map[string]any{"media_id": foreign.ID}},
			"an unknown file":              {video.ID, "media_id", map[string]any{"media_id": "00000000-0000-4000-8000-000000000000"}},
			"a video lesson without video": {video.ID, "media_id", map[string]any{"media_id": ""}},
			"a video in a reading lesson":  {reading.ID, "media_id", map[string]any{"media_id": videoFile.ID}},
			"a reading emptied":            {reading.ID, "body", map[string]any{"body": ""}},
			"a video as captions":          {interview.ID, "captions[0].media_id", map[string]any{"captions": []map[string]string{{"language": "lv", "media_id": videoFile.ID}}}},
			"captions of a reading":        {reading.ID, "captions", map[string]any{"captions": []map[string]string{{"language": "lv", "media_id": s.uploaded(s.author, "x.vtt", []byte(captionsLV)).ID}}}},
			"an empty title":               {reading.ID, "title", map[string]any{"title": "   "}},
			"a title too long":             {reading.ID, "title", map[string]any{"title": strings.Repeat("ā", 301)}},
		} {
			t.Run(name, func(t *testing.T) {
				p := s.do(request{method: "PATCH", path: lesson(c.lessonID), token: s.author, body: c.body}).problem(t, 422, "validation_failed")
				var fields []string
				for _, e := range p.Errors {
					fields = append(fields, e.Field)
				}
				if !slices.Equal(fields, []string{c.field}) {
					t.Fatalf("errors name %v, want [%s]: %+v", fields, c.field, p.Errors)
				}
				if !strings.Contains(p.Errors[0].Message, says[name]) {
					t.Fatalf("the message %q does not say %q", p.Errors[0].Message, says[name])
				}
			})
		}
		// A file the lesson's kind shows, other than the one it had: an
		// interview may be a video too.
		s.do(request{method: "PATCH", path: lesson(interview.ID), token: s.author, body: map[string]any{"media_id": videoFile.ID}}).expect(t, 200)

		// Nothing refused was written: the outline is as published but for
		// the interview's file, and the history holds that one change.
		now := s.get(s.author, s.published.ID)
		for w, week := range s.published.Weeks {
			for i, l := range week.Lessons {
				got := now.Weeks[w].Lessons[i]
				if l.ID == interview.ID {
					l.MediaID = &videoFile.ID
				}
				if jsonOf(t, got) != jsonOf(t, l) {
					t.Errorf("lesson %s is %+v, was %+v", l.ID, got, l)
				}
			}
		}
		if len(now.Tests) != len(s.published.Tests) {
			t.Errorf("%d tests, was %d", len(now.Tests), len(s.published.Tests))
		}
		if h := s.history(s.team, s.published.ID, 50); len(h) != 1 || h[0].Field != "media_id" || h[0].LessonID != interview.ID {
			t.Fatalf("history %+v", h)
		}
	})
}

// Correcting and reading the history are the editors': another author
// sees the published course but may not touch it (403), a draft is hidden
// from them (404), a learner has no author role (403).
func TestCorrectionsAreTheEditors(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		reading := s.published.Weeks[0].Lessons[2]
		fix := map[string]any{"title": "Labots nosaukums"}
		patch := func(token string) reply {
			return s.do(request{method: "PATCH", path: "/api/v1/lessons/" + reading.ID, token: token, body: fix})
		}
		history := func(token, courseID string) reply {
			return s.do(request{method: "GET", path: "/api/v1/courses/" + courseID + "/history", token: token})
		}
		patch(s.otherAuthor).problem(t, 403, "forbidden")
		patch(s.learner).problem(t, 403, "forbidden")
		patch("").problem(t, 401, "unauthorized")
		history(s.otherAuthor, s.published.ID).problem(t, 403, "forbidden")
		history(s.learner, s.published.ID).problem(t, 403, "forbidden")
		history("", s.published.ID).problem(t, 401, "unauthorized")
		history(s.author, "00000000-0000-4000-8000-000000000000").problem(t, 404, "not_found")
		draft := s.course(s.author)
		history(s.otherAuthor, draft.ID).problem(t, 404, "not_found")
		var empty historyPage
		history(s.author, draft.ID).expect(t, 200).json(t, &empty)
		if len(empty.Items) != 0 || empty.Items == nil {
			t.Fatalf("a draft's history %+v", empty)
		}
		if got := s.get(s.team, s.published.ID).Weeks[0].Lessons[2].Title; got != reading.Title {
			t.Fatalf("a refused correction changed the title to %q", got)
		}
		patch(s.team).expect(t, 200)
		if h := s.history(s.author, s.published.ID, 50); len(h) != 1 || h[0].ActorID != s.userID(s.team) {
			t.Fatalf("history %+v", h)
		}
	})
}
