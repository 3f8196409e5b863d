package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

type lessonBody struct {
	ID       string  `json:"id"`
	Week     int     `json:"week"`
	Position int     `json:"position"`
	Title    string  `json:"title"`
	Kind     string  `json:"kind"`
	Minutes  int     `json:"minutes"`
	MediaID  *string `json:"media_id"`
	Captions []struct {
		Language string `json:"language"`
		MediaID  string `json:"media_id"`
	} `json:"captions"`
}

type courseBody struct {
	ID            string `json:"id"`
	MethodologyID string `json:"methodology_id"`
	Title         string `json:"title"`
	Language      string `json:"language"`
	EffortHours   int    `json:"effort_hours"`
	PassPercent   int    `json:"pass_percent"`
	Status        string `json:"status"`
	Weeks         []struct {
		Number  int          `json:"number"`
		Lessons []lessonBody `json:"lessons"`
	} `json:"weeks"`
	Tests []any `json:"tests"`
}

// catalogue is a server with a methodology, an author and the team.
type catalogue struct {
	*server
	team, author, otherAuthor, learner string
	methodology                        string
}

func newCatalogue(t *testing.T, d database.Dialect, db *database.DB) *catalogue {
	return catalogueOn(t, newServer(t, d, options{db: db}), map[string]string{
		"title": "Krīzes intervence", "summary": "Metodika darbam ar klientiem krīzes situācijās", "direction": "crisis",
	})
}

// catalogueOn signs up the cast on s and has the team add a methodology.
func catalogueOn(t *testing.T, s *server, methodology map[string]string) *catalogue {
	c := &catalogue{server: s}
	_, c.team = s.signUp("team")
	_, c.author = s.signUp("author")
	_, c.otherAuthor = s.signUp("author")
	_, c.learner = s.signUp()
	var m struct{ ID string }
	s.do(request{method: "POST", path: "/api/v1/methodologies", token: c.team, body: methodology}).expect(t, 201).json(t, &m)
	c.methodology = m.ID
	return c
}

func (c *catalogue) course(token string) courseBody {
	c.t.Helper()
	var out courseBody
	c.do(request{method: "POST", path: "/api/v1/courses", token: token, body: map[string]any{
		"methodology_id": c.methodology, "title": "Krīzes intervence sociālajā darbā", "summary": "Piecu nedēļu kurss",
	}}).expect(c.t, 201).json(c.t, &out)
	return out
}

func (c *catalogue) lesson(token, courseID string, body map[string]any) lessonBody {
	c.t.Helper()
	var l lessonBody
	c.do(request{method: "POST", path: "/api/v1/courses/" + courseID + "/lessons", token: token, body: body}).expect(c.t, 201).json(c.t, &l)
	return l
}

func (c *catalogue) get(token, courseID string) courseBody {
	c.t.Helper()
	var out courseBody
	c.do(request{method: "GET", path: "/api/v1/courses/" + courseID, token: token}).expect(c.t, 200).json(c.t, &out)
	return out
}

func TestMethodologies(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		c.do(request{method: "POST", path: "/api/v1/methodologies", token: c.author, body: map[string]string{"title": "x", "direction": "theory"}}).problem(t, 403, "forbidden")
		p := c.do(request{method: "POST", path: "/api/v1/methodologies", token: c.team, body: map[string]string{"title": "", "direction": "magic"}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 2 {
			t.Fatalf("errors %+v", p.Errors)
		}
		c.do(request{method: "POST", path: "/api/v1/methodologies", token: c.team, body: map[string]string{"title": "Kognitīvi biheiviorālā pieeja", "direction": "theory"}}).expect(t, 201)
		var l struct {
			Items []struct{ ID, Title, Direction string }
		}
		c.do(request{method: "GET", path: "/api/v1/methodologies"}).expect(t, 200).json(t, &l)
		if len(l.Items) != 2 || l.Items[0].Title != "Kognitīvi biheiviorālā pieeja" || l.Items[1].Direction != "crisis" {
			t.Fatalf("list %+v", l.Items)
		}
		c.do(request{method: "GET", path: "/api/v1/methodologies/" + c.methodology}).expect(t, 200)
		c.do(request{method: "GET", path: "/api/v1/methodologies/00000000-0000-4000-8000-000000000000"}).problem(t, 404, "not_found")
	})
}

func TestCourseDraftsAndVisibility(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		course := c.course(c.author)
		if course.Status != "draft" || course.Language != "lv" || len(course.Weeks) != 5 || course.EffortHours != 12 || course.PassPercent != 70 || course.Tests == nil {
			t.Fatalf("defaults not applied: %+v", course)
		}
		for i, w := range course.Weeks {
			if w.Number != i+1 || w.Lessons == nil {
				t.Fatalf("week %d: %+v", i, w)
			}
		}
		c.do(request{method: "POST", path: "/api/v1/courses", token: c.learner, body: map[string]any{"methodology_id": c.methodology, "title": "x"}}).problem(t, 403, "forbidden")
		p := c.do(request{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{"methodology_id": "00000000-0000-4000-8000-000000000000", "title": "x", "weeks": 0, "pass_percent": 101}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 2 {
			t.Fatalf("errors %+v", p.Errors) // weeks and pass_percent first; methodology after
		}
		c.do(request{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{"methodology_id": "00000000-0000-4000-8000-000000000000", "title": "x"}}).problem(t, 422, "validation_failed")

		// A draft is its author's and the team's; everyone else gets 404.
		c.get(c.author, course.ID)
		c.get(c.team, course.ID)
		for _, token := range []string{c.learner, c.otherAuthor, ""} {
			c.do(request{method: "GET", path: "/api/v1/courses/" + course.ID, token: token}).problem(t, 404, "not_found")
		}
		count := func(token string) int {
			var l struct{ Items []courseBody }
			c.do(request{method: "GET", path: "/api/v1/courses", token: token}).expect(t, 200).json(t, &l)
			return len(l.Items)
		}
		if a, o, tm, l, anon := count(c.author), count(c.otherAuthor), count(c.team), count(c.learner), count(""); a != 1 || o != 0 || tm != 1 || l != 0 || anon != 0 {
			t.Fatalf("list sizes author %d other %d team %d learner %d anonymous %d", a, o, tm, l, anon)
		}
		// Another author cannot add to it; the team can.
		reading := map[string]any{"week": 1, "title": "Ievads", "kind": "reading", "minutes": 30, "body": "Krīze ir…"}
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/lessons", token: c.otherAuthor, body: reading}).problem(t, 404, "not_found")
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/lessons", token: c.learner, body: reading}).problem(t, 403, "forbidden")
		c.lesson(c.team, course.ID, reading)
	})
}

func TestLessonsAndMedia(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		course := c.course(c.author)
		video := c.uploaded(c.author, "ievads.mp4", fixture(t, "lesson.mp4"))
		captions := c.uploaded(c.author, "ievads.lv.vtt", []byte(captionsLV))
		pdf := c.uploaded(c.author, "lasāmviela.pdf", pdfBytes(t))
		foreign := c.uploaded(c.otherAuthor, "cits.mp4", fixture(t, "lesson.mp4"))
		path := "/api/v1/courses/" + course.ID + "/lessons"

		v := c.lesson(c.author, course.ID, map[string]any{"week": 1, "title": "Kas ir krīze", "kind": "video", "minutes": 20, "media_id": video.ID,
			"captions": []map[string]string{{"language": "lv", "media_id": captions.ID}}})
		if v.Position != 1 || *v.MediaID != video.ID || len(v.Captions) != 1 || v.Captions[0].MediaID != captions.ID {
			t.Fatalf("lesson %+v", v)
		}
		r := c.lesson(c.author, course.ID, map[string]any{"week": 1, "title": "Lasāmviela", "kind": "reading", "minutes": 40, "media_id": pdf.ID})
		if r.Position != 2 {
			t.Fatalf("second lesson position %d", r.Position)
		}
		for name, body := range map[string]map[string]any{
			"pdf as video":        {"week": 1, "title": "x", "kind": "video", "minutes": 5, "media_id": pdf.ID},
			"someone else's file": {"week": 1, "title": "x", "kind": "video", "minutes": 5, "media_id": foreign.ID},
			"unknown media":       {"week": 1, "title": "x", "kind": "video", "minutes": 5, "media_id": "00000000-0000-4000-8000-000000000000"},
			"video as captions":   {"week": 1, "title": "x", "kind": "video", "minutes": 5, "captions": []map[string]string{{"language": "lv", "media_id": video.ID}}},
			"captions on reading": {"week": 1, "title": "x", "kind": "reading", "minutes": 5, "captions": []map[string]string{{"language": "lv", "media_id": captions.ID}}},
			"week 6 of 5":         {"week": 6, "title": "x", "kind": "reading", "minutes": 5},
			"no minutes":          {"week": 1, "title": "x", "kind": "reading"},
			"unknown kind":        {"week": 1, "title": "x", "kind": "podcast", "minutes": 5},
		} {
			t.Run(name, func(t *testing.T) {
				c.do(request{method: "POST", path: path, token: c.author, body: body}).problem(t, 422, "validation_failed")
			})
		}

		// Reorder week 1, move a lesson to week 2, change and delete.
		var reordered courseBody
		c.do(request{method: "PUT", path: "/api/v1/courses/" + course.ID + "/weeks/1/order", token: c.author, body: map[string]any{"lesson_ids": []string{r.ID, v.ID}}}).expect(t, 200).json(t, &reordered)
		if ids := []string{reordered.Weeks[0].Lessons[0].ID, reordered.Weeks[0].Lessons[1].ID}; !slices.Equal(ids, []string{r.ID, v.ID}) {
			t.Fatalf("order %v", ids)
		}
		c.do(request{method: "PUT", path: "/api/v1/courses/" + course.ID + "/weeks/1/order", token: c.author, body: map[string]any{"lesson_ids": []string{r.ID}}}).problem(t, 422, "validation_failed")

		var moved lessonBody
		c.do(request{method: "PATCH", path: "/api/v1/lessons/" + r.ID, token: c.author, body: map[string]any{"week": 2, "title": "Lasāmviela: krīzes fāzes", "minutes": 45}}).expect(t, 200).json(t, &moved)
		if moved.Week != 2 || moved.Title != "Lasāmviela: krīzes fāzes" || moved.Minutes != 45 || moved.MediaID == nil || *moved.MediaID != pdf.ID {
			t.Fatalf("patched %+v", moved)
		}
		var detached lessonBody
		c.do(request{method: "PATCH", path: "/api/v1/lessons/" + v.ID, token: c.author, body: map[string]any{"media_id": ""}}).expect(t, 200).json(t, &detached)
		if detached.MediaID != nil || len(detached.Captions) != 1 {
			t.Fatalf("detaching the media: %+v", detached)
		}
		if got := c.get(c.author, course.ID); got.Weeks[0].Lessons[0].MediaID != nil {
			t.Fatal("the media stayed attached in the database")
		}
		c.do(request{method: "PATCH", path: "/api/v1/lessons/" + v.ID, token: c.otherAuthor, body: map[string]any{"title": "x"}}).problem(t, 404, "not_found")
		c.do(request{method: "DELETE", path: "/api/v1/lessons/" + r.ID, token: c.author}).expect(t, 204)
		c.do(request{method: "DELETE", path: "/api/v1/lessons/" + r.ID, token: c.author}).problem(t, 404, "not_found")
		got := c.get(c.author, course.ID)
		if len(got.Weeks[0].Lessons) != 1 || len(got.Weeks[1].Lessons) != 0 {
			t.Fatalf("outline after delete %+v", got.Weeks)
		}
	})
}

// buildCourse fills five weeks with five lessons each (690 minutes), two
// questions a week, and a 30-minute final test of five questions: 12 hours.
func (c *catalogue) buildCourse(token string) courseBody {
	c.t.Helper()
	course := c.course(token)
	video := c.uploaded(token, "video.mp4", fixture(c.t, "lesson.mp4"))
	audio := c.uploaded(token, "saruna.mp3", fixture(c.t, "interview.mp3"))
	pdf := c.uploaded(token, "gadījums.pdf", pdfBytes(c.t))
	for week := 1; week <= 5; week++ {
		for _, l := range []map[string]any{
			{"kind": "video", "minutes": 30, "media_id": video.ID},
			{"kind": "interview", "minutes": 25, "media_id": audio.ID},
			{"kind": "reading", "minutes": 40, "body": "Lasāmviela par ģimenēm ar bērniem."},
			{"kind": "case_story", "minutes": 30, "media_id": pdf.ID},
			{"kind": "client_conversation", "minutes": 13, "media_id": video.ID},
		} {
			l["week"], l["title"] = week, fmt.Sprintf("%d. nedēļa: %s", week, l["kind"])
			c.lesson(token, course.ID, l)
		}
		for i := 1; i <= 2; i++ {
			c.question(token, course.ID, week, fmt.Sprintf("%d. nedēļas %d. jautājums: kas jādara vispirms?", week, i))
		}
	}
	c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/tests", token: token, body: map[string]any{
		"title": "Noslēguma zināšanu tests", "final": true, "question_count": 5, "pass_percent": 70, "time_limit_minutes": 30, "max_attempts": 3,
	}}).expect(c.t, 201)
	return course
}

// question adds a single-choice question whose correct option is "Pareizi".
func (c *catalogue) question(token, courseID string, week int, text string) {
	c.t.Helper()
	c.do(request{method: "POST", path: "/api/v1/courses/" + courseID + "/questions", token: token, body: map[string]any{
		"week": week, "kind": "single_choice", "text": text, "explanation": "Drošība vispirms.",
		"options": []map[string]any{{"text": "Pareizi", "correct": true}, {"text": "Nepareizi"}, {"text": "Nezinu"}},
	}}).expect(c.t, 201)
}

func TestPublish(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)

		// An incomplete course: empty weeks, too little work, a video lesson without video.
		draft := c.course(c.author)
		c.lesson(c.author, draft.ID, map[string]any{"week": 1, "title": "Ievads", "kind": "video", "minutes": 30})
		c.lesson(c.author, draft.ID, map[string]any{"week": 2, "title": "Teksts", "kind": "reading", "minutes": 30})
		p := c.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/publish", token: c.author}).problem(t, 422, "course_incomplete")
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		for _, want := range []string{"weeks[2]", "weeks[3]", "weeks[4]", "effort_hours", "tests"} {
			if !slices.Contains(fields, want) {
				t.Errorf("gap %s not named: %v", want, fields)
			}
		}
		if n := len(fields); n != 7 { // 3 empty weeks, effort, video without media, reading without text, no final test
			t.Errorf("%d gaps, want 7: %+v", n, p.Errors)
		}
		if c.get(c.author, draft.ID).Status != "draft" {
			t.Fatal("an incomplete course was published")
		}

		course := c.buildCourse(c.author)
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.otherAuthor}).problem(t, 404, "not_found")
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.learner}).problem(t, 403, "forbidden")
		var published courseBody
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200).json(t, &published)
		if published.Status != "published" {
			t.Fatalf("status %s", published.Status)
		}
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200)

		// Now learners and anonymous visitors see it, lessons in order.
		seen := c.get(c.learner, course.ID)
		if len(seen.Weeks) != 5 || len(seen.Weeks[4].Lessons) != 5 || seen.Weeks[4].Lessons[4].Kind != "client_conversation" {
			t.Fatalf("learner's outline %+v", seen.Weeks)
		}
		c.get("", course.ID)

		// And its outline can no longer change (corrections of a lesson's
		// text and files aside: corrections_test.go).
		lesson := seen.Weeks[0].Lessons[0]
		c.do(request{method: "PATCH", path: "/api/v1/lessons/" + lesson.ID, token: c.author, body: map[string]any{"minutes": 31}}).problem(t, 422, "course_published")
		c.do(request{method: "DELETE", path: "/api/v1/lessons/" + lesson.ID, token: c.team}).problem(t, 422, "course_published")
		c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/lessons", token: c.author, body: map[string]any{"week": 1, "title": "x", "kind": "reading", "minutes": 5, "body": "x"}}).problem(t, 422, "course_published")
		if !strings.Contains(string(c.do(request{method: "GET", path: "/api/v1/courses?status=published", token: c.learner}).body), course.ID) {
			t.Fatal("the published course is not listed")
		}
	})
}
