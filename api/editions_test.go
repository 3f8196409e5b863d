package api_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// editionBody is a course as its editors read it, with what editions add.
type editionBody struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	OwnerID    string     `json:"owner_id"`
	Status     string     `json:"status"`
	CopiedFrom *string    `json:"copied_from"`
	ArchivedAt *time.Time `json:"archived_at"`
	Summary    string     `json:"summary"`
	Language   string     `json:"language"`
	Effort     int        `json:"effort_hours"`
	Pass       int        `json:"pass_percent"`
	Weeks      []struct {
		Number  int `json:"number"`
		Lessons []struct {
			lessonBody
			Body string `json:"body"`
		} `json:"lessons"`
	} `json:"weeks"`
	Tests []struct {
		ID               string `json:"id"`
		Title            string `json:"title"`
		Week             *int   `json:"week"`
		Final            bool   `json:"final"`
		QuestionCount    int    `json:"question_count"`
		PassPercent      int    `json:"pass_percent"`
		TimeLimitMinutes int    `json:"time_limit_minutes"`
		MaxAttempts      int    `json:"max_attempts"`
	} `json:"tests"`
}

type questionBody struct {
	ID          string `json:"id"`
	CourseID    string `json:"course_id"`
	Week        *int   `json:"week"`
	Kind        string `json:"kind"`
	Text        string `json:"text"`
	Points      int    `json:"points"`
	Explanation string `json:"explanation"`
	Options     []struct {
		ID      string `json:"id"`
		Text    string `json:"text"`
		Correct bool   `json:"correct"`
	} `json:"options"`
}

func (c *catalogue) edition(token, courseID string) editionBody {
	c.t.Helper()
	var out editionBody
	c.do(request{method: "GET", path: "/api/v1/courses/" + courseID, token: token}).expect(c.t, 200).json(c.t, &out)
	return out
}

func (c *catalogue) copied(token, courseID string) editionBody {
	c.t.Helper()
	var out editionBody
	c.do(request{method: "POST", path: "/api/v1/courses/" + courseID + "/copy", token: token}).expect(c.t, 201).json(c.t, &out)
	return out
}

func (c *catalogue) bank(token, courseID string) []questionBody {
	c.t.Helper()
	var l struct{ Items []questionBody }
	c.do(request{method: "GET", path: "/api/v1/courses/" + courseID + "/questions", token: token}).expect(c.t, 200).json(c.t, &l)
	return l.Items
}

// count counts the rows of a table that belong to a course.
func count(t *testing.T, db *database.DB, table, courseID string) int {
	t.Helper()
	var n int
	if err := db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM "+table+" WHERE course_id = ?", courseID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The next edition of a course is a draft copy of everything the course
// holds, with copied_from naming it; its lessons, questions and tests are
// its own, so editing either course leaves the other as it was.
func TestCopyIsTheNextEdition(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		captions := s.uploaded(s.author, "ievads.lv.vtt", []byte(captionsLV))
		video := s.published.Weeks[0].Lessons[0]
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + video.ID, token: s.author,
			body: map[string]any{"captions": []map[string]string{{"language": "lv", "media_id": captions.ID}}}}).expect(t, 200)
		original := s.edition(s.author, s.published.ID)
		if original.CopiedFrom != nil || !strings.Contains(string(s.do(request{method: "GET", path: "/api/v1/courses/" + original.ID, token: s.learner}).body), `"copied_from":null`) {
			t.Fatalf("an original names copied_from %v", original.CopiedFrom)
		}

		// The team prepares the edition; the author goes on with it.
		cp := s.copied(s.team, original.ID)
		if cp.ID == original.ID || cp.Status != "draft" || cp.CopiedFrom == nil || *cp.CopiedFrom != original.ID || cp.OwnerID != original.OwnerID ||
			cp.Title != original.Title || cp.Summary != original.Summary || cp.Language != original.Language || cp.Effort != original.Effort ||
			cp.Pass != original.Pass || len(cp.Weeks) != len(original.Weeks) {
			t.Fatalf("copy %+v of %+v", cp, original)
		}
		for w := range original.Weeks {
			if len(cp.Weeks[w].Lessons) != len(original.Weeks[w].Lessons) {
				t.Fatalf("week %d: %d lessons, the original has %d", w+1, len(cp.Weeks[w].Lessons), len(original.Weeks[w].Lessons))
			}
			for i, l := range original.Weeks[w].Lessons {
				c := cp.Weeks[w].Lessons[i]
				if c.ID == l.ID {
					t.Fatalf("the copy shares lesson %s", l.ID)
				}
				c.ID = l.ID
				if jsonOf(t, c) != jsonOf(t, l) {
					t.Errorf("week %d lesson %d: copy %+v, original %+v", w+1, i+1, c, l)
				}
			}
		}
		if len(cp.Weeks[0].Lessons[0].Captions) != 1 || cp.Weeks[0].Lessons[0].Captions[0].MediaID != captions.ID {
			t.Fatalf("captions not copied: %+v", cp.Weeks[0].Lessons[0])
		}
		if len(cp.Tests) != 1 || cp.Tests[0].ID == original.Tests[0].ID {
			t.Fatalf("tests %+v of %+v", cp.Tests, original.Tests)
		}
		ct, ot := cp.Tests[0], original.Tests[0]
		ct.ID = ot.ID
		if jsonOf(t, ct) != jsonOf(t, ot) {
			t.Fatalf("test %+v, original %+v", ct, ot)
		}
		bankOf := func(courseID string) map[string]questionBody {
			out := map[string]questionBody{}
			for _, q := range s.bank(s.author, courseID) {
				out[q.Text] = q
			}
			return out
		}
		originalBank, copyBank := bankOf(original.ID), bankOf(cp.ID)
		if len(originalBank) != 10 || len(copyBank) != 10 {
			t.Fatalf("banks of %d and %d questions", len(originalBank), len(copyBank))
		}
		for text, o := range originalBank {
			c, ok := copyBank[text]
			if !ok || c.ID == o.ID || c.CourseID != cp.ID || c.Options[0].ID == o.Options[0].ID {
				t.Fatalf("question %q: copy %+v of %+v", text, c, o)
			}
			c.ID, c.CourseID = o.ID, o.CourseID
			for i := range c.Options {
				c.Options[i].ID = o.Options[i].ID
			}
			if jsonOf(t, c) != jsonOf(t, o) {
				t.Errorf("question %q: copy %+v, original %+v", text, c, o)
			}
		}

		// Editing the copy leaves the original alone, and the other way round.
		s.question(s.author, cp.ID, 1, "Jauns jautājums tikai jaunajā izdevumā")
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + cp.Weeks[0].Lessons[2].ID, token: s.author, body: map[string]any{"minutes": 45, "body": "Jauna lasāmviela."}}).expect(t, 200)
		s.do(request{method: "DELETE", path: "/api/v1/lessons/" + cp.Weeks[4].Lessons[4].ID, token: s.author}).expect(t, 204)
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + original.Weeks[0].Lessons[1].ID, token: s.author, body: map[string]any{"title": "Intervija (labota)"}}).expect(t, 200)
		if n := len(s.bank(s.author, original.ID)); n != 10 {
			t.Fatalf("the original's bank holds %d questions after the copy's grew", n)
		}
		after := s.edition(s.author, original.ID)
		if l := after.Weeks[0].Lessons[2]; l.Minutes != 40 || l.Body != readingBody || len(after.Weeks[4].Lessons) != 5 {
			t.Fatalf("the original changed with its copy: %+v", after.Weeks)
		}
		cpNow := s.edition(s.author, cp.ID)
		if cpNow.Weeks[0].Lessons[1].Title != original.Weeks[0].Lessons[1].Title || len(cpNow.Weeks[4].Lessons) != 4 {
			t.Fatalf("the copy changed with the original: %+v", cpNow.Weeks)
		}

		// A copy of a complete course is complete: it publishes as it is.
		fresh := s.copied(s.author, original.ID)
		s.do(request{method: "POST", path: "/api/v1/courses/" + fresh.ID + "/publish", token: s.author}).expect(t, 200)
		// And a draft may be copied too, by its editors.
		again := s.copied(s.author, cp.ID)
		if *again.CopiedFrom != cp.ID || len(s.bank(s.author, again.ID)) != 11 {
			t.Fatalf("copy of the draft %+v", again)
		}
	})
}

// Who may copy: the author owning the course and the team; a refused copy
// writes nothing.
func TestCopyRefusals(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		path := "/api/v1/courses/" + s.published.ID + "/copy"
		draft := s.course(s.author)
		s.do(request{method: "POST", path: path, token: s.otherAuthor}).problem(t, 403, "forbidden")
		s.do(request{method: "POST", path: path, token: s.learner}).problem(t, 403, "forbidden")
		s.do(request{method: "POST", path: path}).problem(t, 401, "unauthorized")
		s.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/copy", token: s.otherAuthor}).problem(t, 404, "not_found")
		s.do(request{method: "POST", path: "/api/v1/courses/00000000-0000-4000-8000-000000000000/copy", token: s.team}).problem(t, 404, "not_found")
		s.do(request{method: "POST", path: "/api/v1/courses/not-a-course/copy", token: s.team}).problem(t, 404, "not_found")
		var n int
		if err := db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM courses").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 2 { // the published course and the draft
			t.Fatalf("%d courses after refused copies", n)
		}
	})
}

// A copy that fails at its last step, the tests (refused here by a
// trigger the test adds), leaves no course, lesson, caption or question
// behind: catalogue and assessment write in one transaction.
func TestCopyFailingMidwayLeavesNothing(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		captions := s.uploaded(s.author, "ievads.lv.vtt", []byte(captionsLV))
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + s.published.Weeks[0].Lessons[0].ID, token: s.author,
			body: map[string]any{"captions": []map[string]string{{"language": "lv", "media_id": captions.ID}}}}).expect(t, 200)
		ctx := context.Background()
		rows := func() map[string]int {
			out := map[string]int{}
			for _, table := range []string{"courses", "lessons", "lesson_captions", "questions", "question_options", "tests"} {
				var n int
				if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
					t.Fatal(err)
				}
				out[table] = n
			}
			return out
		}
		refuse := []string{"CREATE TRIGGER refuse_tests BEFORE INSERT ON tests BEGIN SELECT RAISE(ABORT, 'no new tests'); END"}
		allow := []string{"DROP TRIGGER refuse_tests"}
		if db.Dialect() == database.Postgres {
			refuse = []string{
				"CREATE FUNCTION refuse_tests() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no new tests'; END $$",
				"CREATE TRIGGER refuse_tests BEFORE INSERT ON tests FOR EACH ROW EXECUTE FUNCTION refuse_tests()",
			}
			allow = []string{"DROP TRIGGER refuse_tests ON tests"}
		}
		exec := func(statements []string) {
			for _, q := range statements {
				if err := db.Conn(ctx).Exec(q).Error; err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		before := rows()
		if before["lesson_captions"] != 1 || before["question_options"] != 30 {
			t.Fatalf("the original holds %v", before)
		}
		exec(refuse)
		s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/copy", token: s.author}).problem(t, 500, "internal_error")
		if got := rows(); jsonOf(t, got) != jsonOf(t, before) {
			t.Fatalf("a failed copy left rows: %v, before %v", got, before)
		}
		// The same copy goes through once the tests may be written.
		exec(allow)
		s.copied(s.author, s.published.ID)
		got := rows()
		for table, n := range before {
			if table != "courses" && got[table] != 2*n {
				t.Errorf("%s: %d rows after the copy, %d before", table, got[table], n)
			}
		}
	})
}

// A draft with no cohort is deleted with everything it holds; a
// published course is kept, and so is a draft other records name.
func TestDeleteDraft(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		draft := s.copied(s.author, s.published.ID) // lessons, a file, questions, a test
		path := "/api/v1/courses/" + draft.ID
		s.do(request{method: "DELETE", path: path, token: s.otherAuthor}).problem(t, 404, "not_found")
		s.do(request{method: "DELETE", path: path, token: s.learner}).problem(t, 403, "forbidden")
		s.do(request{method: "DELETE", path: path}).problem(t, 401, "unauthorized")
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + s.published.ID, token: s.otherAuthor}).problem(t, 403, "forbidden")
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + s.published.ID, token: s.author}).problem(t, 422, "course_published")
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + s.published.ID, token: s.team}).problem(t, 422, "course_published")
		s.get(s.learner, s.published.ID)

		// A copy of the draft outlives it and forgets where it came from.
		child := s.copied(s.team, draft.ID)
		s.do(request{method: "DELETE", path: path, token: s.author}).expect(t, 204)
		s.do(request{method: "GET", path: path, token: s.author}).problem(t, 404, "not_found")
		s.do(request{method: "DELETE", path: path, token: s.author}).problem(t, 404, "not_found")
		for _, table := range []string{"lessons", "questions", "tests"} {
			if n := count(t, db, table, draft.ID); n != 0 {
				t.Errorf("%d %s of the deleted draft remain", n, table)
			}
		}
		if c := s.edition(s.author, child.ID); c.CopiedFrom != nil || len(c.Weeks[0].Lessons) != 5 || len(s.bank(s.author, c.ID)) != 10 {
			t.Fatalf("the copy of the deleted draft: %+v", c)
		}

		// People waiting to hear of a draft's cohorts keep it; once they
		// are gone the team deletes it.
		waited := s.course(s.author)
		s.do(request{method: "POST", path: "/api/v1/courses/" + waited.ID + "/interest", token: s.author}).expect(t, 204)
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + waited.ID, token: s.author}).problem(t, 409, "course_in_use")
		s.get(s.author, waited.ID)
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + waited.ID + "/interest", token: s.author}).expect(t, 204)
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + waited.ID, token: s.team}).expect(t, 204)
	})
}

// A published course whose cohorts have all ended is archived: gone from
// the lists learners see, no longer changing nor opening cohorts, its
// outline, cohorts, enrolments and history kept. A cohort running or still
// to start keeps it published.
func TestArchive(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		officer, team := s.signUp("team")
		person, learner := s.signUp()
		running := s.cohort(200, 8*24*time.Hour)
		e := s.enrolled(learner, running.ID)
		course := "/api/v1/courses/" + s.published.ID
		reading := s.published.Weeks[0].Lessons[2]
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + reading.ID, token: s.author, body: map[string]any{"title": "Lasāmviela (labota)"}}).expect(t, 200)

		s.do(request{method: "POST", path: course + "/archive", token: s.author}).problem(t, 422, "cohort_running")
		s.do(request{method: "POST", path: course + "/archive", token: team}).problem(t, 422, "cohort_running")
		s.do(request{method: "POST", path: course + "/archive", token: s.otherAuthor}).problem(t, 403, "forbidden")
		s.do(request{method: "POST", path: course + "/archive", token: learner}).problem(t, 403, "forbidden")
		s.do(request{method: "POST", path: course + "/archive"}).problem(t, 401, "unauthorized")
		draft := s.course(s.author)
		s.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/archive", token: s.author}).problem(t, 422, "course_not_published")
		s.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/archive", token: s.otherAuthor}).problem(t, 404, "not_found")

		// A second edition whose only cohort starts next month.
		next := s.copied(s.author, s.published.ID)
		s.do(request{method: "POST", path: "/api/v1/courses/" + next.ID + "/publish", token: s.author}).expect(t, 200)
		now := clock.Now()
		var upcoming cohortBody
		s.do(request{method: "POST", path: "/api/v1/courses/" + next.ID + "/cohorts", token: team, body: map[string]any{
			"title": "Nākamais", "enrolment_opens_at": now, "enrolment_closes_at": now.Add(20 * 24 * time.Hour), "starts_at": now.Add(30 * 24 * time.Hour),
		}}).expect(t, 201).json(t, &upcoming)
		s.do(request{method: "POST", path: "/api/v1/courses/" + next.ID + "/archive", token: s.author}).problem(t, 422, "cohort_running")

		// The first cohort has ended (a second past its end the course
		// archives; tokens of then have expired).
		clock.Set(running.EndsAt.Add(-time.Second))
		team = s.login(officer.Email, testkit.Password)
		s.do(request{method: "POST", path: course + "/archive", token: team}).problem(t, 422, "cohort_running")
		clock.Set(running.EndsAt.Add(time.Second).Truncate(time.Second)) // both databases keep whole seconds exactly
		learner = s.login(person.Email, testkit.Password)
		var archived editionBody
		s.do(request{method: "POST", path: course + "/archive", token: team}).expect(t, 200).json(t, &archived)
		if archived.Status != "archived" || archived.ArchivedAt == nil || !archived.ArchivedAt.Equal(clock.Now()) {
			t.Fatalf("archived %s at %v, want at %v", archived.Status, archived.ArchivedAt, clock.Now())
		}
		var again editionBody
		s.do(request{method: "POST", path: course + "/archive", token: team}).expect(t, 200).json(t, &again)
		if !again.ArchivedAt.Equal(*archived.ArchivedAt) {
			t.Fatalf("archiving again moved archived_at to %v", again.ArchivedAt)
		}

		// Gone from the lists learners see, kept for the team.
		listed := func(token, query string) bool {
			var l struct{ Items []struct{ ID string } }
			s.do(request{method: "GET", path: "/api/v1/courses" + query, token: token}).expect(t, 200).json(t, &l)
			return slices.ContainsFunc(l.Items, func(c struct{ ID string }) bool { return c.ID == s.published.ID })
		}
		for _, q := range []string{"", "?status=archived", "?status=published"} {
			if listed(learner, q) || listed("", q) {
				t.Errorf("a learner's list %q shows the archived course", q)
			}
		}
		if !listed(team, "") || !listed(team, "?status=archived") || listed(team, "?status=published") {
			t.Error("the team's lists do not show the archived course as archived")
		}
		if !strings.Contains(string(s.do(request{method: "GET", path: "/api/v1/courses", token: learner}).body), next.ID) {
			t.Error("the published edition left the list too")
		}

		// Kept: the outline, the cohort, the enrolment with its lessons,
		// the history.
		if got := s.edition(learner, s.published.ID); got.Status != "archived" || got.Weeks[0].Lessons[2].Title != "Lasāmviela (labota)" {
			t.Fatalf("the archived outline %+v", got)
		}
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID, token: learner}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + e.ID + "/lessons/" + reading.ID, token: learner}).expect(t, 200)
		if !strings.Contains(string(s.do(request{method: "GET", path: "/api/v1/cohorts?course_id=" + s.published.ID, token: learner}).expect(t, 200).body), running.ID) {
			t.Fatal("the archived course's cohort is gone")
		}
		if h := s.history(team, s.published.ID, 50); len(h) != 1 {
			t.Fatalf("history %+v", h)
		}

		// It no longer changes nor opens cohorts; it may be copied.
		s.do(request{method: "POST", path: course + "/cohorts", token: team, body: map[string]any{
			"title": "Vēl viens", "enrolment_opens_at": clock.Now(), "enrolment_closes_at": clock.Now().Add(time.Hour), "starts_at": clock.Now().Add(24 * time.Hour),
		}}).problem(t, 422, "course_archived")
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + reading.ID, token: team, body: map[string]any{"title": "Vēl labāk"}}).problem(t, 422, "course_archived")
		s.do(request{method: "POST", path: course + "/questions", token: team, body: map[string]any{"week": 1, "kind": "true_false", "text": "Vai?",
			"options": []map[string]any{{"text": "Jā", "correct": true}, {"text": "Nē"}}}}).problem(t, 422, "course_archived")
		s.do(request{method: "POST", path: course + "/publish", token: team}).problem(t, 422, "course_archived")
		s.do(request{method: "DELETE", path: course, token: team}).problem(t, 422, "course_archived")
		if cp := s.copied(team, s.published.ID); cp.Status != "draft" || *cp.CopiedFrom != s.published.ID {
			t.Fatalf("copy of the archived course %+v", cp)
		}

		// The upcoming cohort still keeps its course published.
		s.do(request{method: "POST", path: "/api/v1/courses/" + next.ID + "/archive", token: team}).problem(t, 422, "cohort_running")
		clock.Set(upcoming.EndsAt)
		team = s.login(officer.Email, testkit.Password)
		s.do(request{method: "POST", path: "/api/v1/courses/" + next.ID + "/archive", token: team}).expect(t, 200)
	})
}

// A methodology's run history: its courses and editions, newest first,
// each with the course it was copied from and its cohorts, latest start
// first. Other authors' drafts are the team's to see, not an author's.
func TestMethodologyRunHistory(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock})
		later := func() { clock.Set(clock.Now().Add(time.Hour)) }
		spring := s.cohort(200, 20*24*time.Hour)
		autumn := s.cohort(200, -10*24*time.Hour)
		later()
		second := s.copied(s.author, s.published.ID)
		s.do(request{method: "POST", path: "/api/v1/courses/" + second.ID + "/publish", token: s.author}).expect(t, 200)
		now := clock.Now()
		var third cohortBody
		s.do(request{method: "POST", path: "/api/v1/courses/" + second.ID + "/cohorts", token: s.team, body: map[string]any{
			"title": "2027. gada pavasaris", "enrolment_opens_at": now, "enrolment_closes_at": now.Add(24 * time.Hour), "starts_at": now.Add(48 * time.Hour),
		}}).expect(t, 201).json(t, &third)
		later()
		draftOfNext := s.copied(s.author, second.ID)
		later()
		foreign := s.course(s.otherAuthor) // another author's draft of the same methodology
		var other struct{ ID string }      // another methodology, whose course is not listed
		s.do(request{method: "POST", path: "/api/v1/methodologies", token: s.team, body: map[string]string{"title": "Kopienas sociālais darbs", "direction": "crisis"}}).
			expect(t, 201).json(t, &other)
		s.do(request{method: "POST", path: "/api/v1/courses", token: s.author, body: map[string]any{"methodology_id": other.ID, "title": "Darbs kopienā"}}).expect(t, 201)

		type edition struct {
			ID         string                `json:"id"`
			Status     string                `json:"status"`
			CopiedFrom *string               `json:"copied_from"`
			Cohorts    []struct{ ID string } `json:"cohorts"`
		}
		read := func(token string, limit int) []edition {
			var all []edition
			for cursor := ""; ; {
				var p struct {
					Items      []edition `json:"items"`
					NextCursor string    `json:"next_cursor"`
				}
				s.do(request{method: "GET", path: "/api/v1/methodologies/" + s.methodology + "/courses?limit=" + strconv.Itoa(limit) + "&cursor=" + cursor, token: token}).
					expect(t, 200).json(t, &p)
				all = append(all, p.Items...)
				if p.NextCursor == "" {
					return all
				}
				cursor = p.NextCursor
			}
		}
		cohortsOf := func(e edition) []string {
			var ids []string
			for _, c := range e.Cohorts {
				ids = append(ids, c.ID)
			}
			return ids
		}
		for _, limit := range []int{1, 2, 50} {
			got := read(s.team, limit)
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if want := []string{foreign.ID, draftOfNext.ID, second.ID, s.published.ID}; !slices.Equal(ids, want) {
				t.Fatalf("limit %d: the team's run history %v, want %v", limit, ids, want)
			}
			if got[3].CopiedFrom != nil || *got[2].CopiedFrom != s.published.ID || *got[1].CopiedFrom != second.ID || got[0].CopiedFrom != nil {
				t.Fatalf("copied_from %+v", got)
			}
			if !slices.Equal(cohortsOf(got[3]), []string{autumn.ID, spring.ID}) || !slices.Equal(cohortsOf(got[2]), []string{third.ID}) ||
				got[1].Cohorts == nil || len(got[1].Cohorts) != 0 {
				t.Fatalf("cohorts %+v", got)
			}
			if got[1].Status != "draft" || got[2].Status != "published" {
				t.Fatalf("statuses %+v", got)
			}
		}
		var ids []string
		for _, e := range read(s.author, 50) {
			ids = append(ids, e.ID)
		}
		if want := []string{draftOfNext.ID, second.ID, s.published.ID}; !slices.Equal(ids, want) {
			t.Fatalf("the author's run history %v, want %v", ids, want)
		}
		path := "/api/v1/methodologies/" + s.methodology + "/courses"
		s.do(request{method: "GET", path: path, token: s.learner}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: path}).problem(t, 401, "unauthorized")
		s.do(request{method: "GET", path: path + "?cursor=x", token: s.team}).problem(t, 400, "invalid_cursor")
		s.do(request{method: "GET", path: "/api/v1/methodologies/00000000-0000-4000-8000-000000000000/courses", token: s.team}).problem(t, 404, "not_found")
	})
}
