package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

type cohortBody struct {
	ID                string    `json:"id"`
	CourseID          string    `json:"course_id"`
	Title             string    `json:"title"`
	Capacity          int       `json:"capacity"`
	EnrolledCount     int       `json:"enrolled_count"`
	WaitlistCount     int       `json:"waitlist_count"`
	StartsAt          time.Time `json:"starts_at"`
	EndsAt            time.Time `json:"ends_at"`
	EnrolmentOpensAt  time.Time `json:"enrolment_opens_at"`
	EnrolmentClosesAt time.Time `json:"enrolment_closes_at"`
	EnrolmentOpen     bool      `json:"enrolment_open"`
}

type progressBody struct {
	LessonsCompleted    int  `json:"lessons_completed"`
	LessonsTotal        int  `json:"lessons_total"`
	TestsPassed         int  `json:"tests_passed"`
	Percent             int  `json:"percent"`
	CertificateEligible bool `json:"certificate_eligible"`
}

type enrolmentBody struct {
	ID               string        `json:"id"`
	CohortID         string        `json:"cohort_id"`
	UserID           string        `json:"user_id"`
	Status           string        `json:"status"`
	WaitlistPosition *int          `json:"waitlist_position"`
	Progress         *progressBody `json:"progress"`
}

// school is a catalogue with one published course, ready for cohorts.
type school struct {
	*catalogue
	published courseBody
}

func newSchool(t *testing.T, db *database.DB, o options) *school {
	o.db = db
	c := catalogueOn(t, newServer(t, db.Dialect(), o), map[string]string{"title": "Darbs ar ģimenēm ar bērniem", "direction": "target_group"})
	course := c.buildCourse(c.author)
	c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200)
	return &school{catalogue: c, published: c.get(c.author, course.ID)}
}

// cohort opens a cohort whose window is open now and which started
// `started` ago (negative: starts in the future). The window closes in 30
// days, or when the five-week cohort ends if that is sooner.
func (s *school) cohort(capacity int, started time.Duration) cohortBody {
	s.t.Helper()
	now := time.Now().UTC()
	starts, closes := now.Add(-started), now.Add(30*24*time.Hour)
	if ends := starts.Add(35 * 24 * time.Hour); ends.Before(closes) {
		closes = ends
	}
	var c cohortBody
	s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/cohorts", token: s.team, body: map[string]any{
		"title": "2026. gada pavasaris", "capacity": capacity, "enrolment_opens_at": now.Add(-time.Hour),
		"enrolment_closes_at": closes, "starts_at": starts,
	}}).expect(s.t, 201).json(s.t, &c)
	return c
}

func (s *school) enrol(token, cohortID string) reply {
	return s.do(request{method: "POST", path: "/api/v1/cohorts/" + cohortID + "/enrolments", token: token})
}

func (s *school) enrolled(token, cohortID string) enrolmentBody {
	s.t.Helper()
	var e enrolmentBody
	s.enrol(token, cohortID).expect(s.t, 201).json(s.t, &e)
	return e
}

func (s *school) cohortNow(id string) cohortBody {
	s.t.Helper()
	var c cohortBody
	s.do(request{method: "GET", path: "/api/v1/cohorts/" + id, token: s.learner}).expect(s.t, 200).json(s.t, &c)
	return c
}

func (s *school) enrolmentNow(token, id string) enrolmentBody {
	s.t.Helper()
	var e enrolmentBody
	s.do(request{method: "GET", path: "/api/v1/enrolments/" + id, token: token}).expect(s.t, 200).json(s.t, &e)
	return e
}

func TestCohorts(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		now := time.Now().UTC()
		start := now.Add(24 * time.Hour).Truncate(time.Second)
		path := "/api/v1/courses/" + s.published.ID + "/cohorts"
		body := map[string]any{"title": "Rudens grupa", "enrolment_opens_at": now.Add(-time.Hour), "enrolment_closes_at": now.Add(time.Hour), "starts_at": start}

		s.do(request{method: "POST", path: path, token: s.author, body: body}).problem(t, 403, "forbidden")
		var c cohortBody
		s.do(request{method: "POST", path: path, token: s.team, body: body}).expect(t, 201).json(t, &c)
		if c.Capacity != 200 || c.EnrolledCount != 0 || c.WaitlistCount != 0 || !c.EnrolmentOpen || !c.StartsAt.Equal(start) || !c.EndsAt.Equal(start.Add(35*24*time.Hour)) {
			t.Fatalf("cohort %+v", c)
		}
		for name, bad := range map[string]map[string]any{
			"capacity 0":         {"capacity": 0},
			"capacity 201":       {"capacity": 201},
			"closes before open": {"enrolment_closes_at": now.Add(-2 * time.Hour)},
			"no start":           {"starts_at": nil},
		} {
			t.Run(name, func(t *testing.T) {
				b := map[string]any{}
				for k, v := range body {
					b[k] = v
				}
				for k, v := range bad {
					b[k] = v
				}
				s.do(request{method: "POST", path: path, token: s.team, body: b}).problem(t, 422, "validation_failed")
			})
		}
		draft := s.course(s.author)
		s.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/cohorts", token: s.team, body: body}).problem(t, 422, "course_not_published")

		// A closed window: past and future.
		closed := map[string]any{"title": "Vēlāk", "enrolment_opens_at": now.Add(24 * time.Hour), "enrolment_closes_at": now.Add(48 * time.Hour), "starts_at": now.Add(72 * time.Hour)}
		var later cohortBody
		s.do(request{method: "POST", path: path, token: s.team, body: closed}).expect(t, 201).json(t, &later)
		s.enrol(s.learner, later.ID).problem(t, 422, "enrolment_closed")

		var open struct{ Items []cohortBody }
		s.do(request{method: "GET", path: "/api/v1/cohorts?open=true&course_id=" + s.published.ID, token: s.learner}).expect(t, 200).json(t, &open)
		if len(open.Items) != 1 || open.Items[0].ID != c.ID {
			t.Fatalf("open cohorts %+v", open.Items)
		}
		s.do(request{method: "GET", path: "/api/v1/cohorts"}).problem(t, 401, "unauthorized")
		s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID, token: s.learner}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/cohorts/00000000-0000-4000-8000-000000000000", token: s.learner}).problem(t, 404, "not_found")

		s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]any{"title": "Rudens grupa (Rīga)"}}).expect(t, 200).json(t, &c)
		if c.Title != "Rudens grupa (Rīga)" {
			t.Fatalf("title %q", c.Title)
		}
		s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.learner, body: map[string]any{"title": "x"}}).problem(t, 403, "forbidden")
	})
}

func TestEnrolmentWaitlistAndWithdrawal(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(2, 0)
		var tokens []string
		var ids []string
		for i := 0; i < 5; i++ {
			u, token := s.signUp()
			tokens, ids = append(tokens, token), append(ids, u.ID)
		}
		a, b := s.enrolled(tokens[0], c.ID), s.enrolled(tokens[1], c.ID)
		w1, w2 := s.enrolled(tokens[2], c.ID), s.enrolled(tokens[3], c.ID)
		if a.Status != "enrolled" || b.Status != "enrolled" || a.WaitlistPosition != nil {
			t.Fatalf("first two: %+v %+v", a, b)
		}
		if w1.Status != "waitlisted" || *w1.WaitlistPosition != 1 || *w2.WaitlistPosition != 2 {
			t.Fatalf("waitlist: %+v %+v", w1, w2)
		}
		if got := s.cohortNow(c.ID); got.EnrolledCount != 2 || got.WaitlistCount != 2 {
			t.Fatalf("counts %+v", got)
		}

		// Enrolling twice answers 409 with the existing enrolment.
		var p struct {
			Code      string        `json:"code"`
			Enrolment enrolmentBody `json:"enrolment"`
		}
		r := s.enrol(tokens[2], c.ID)
		r.problem(t, 409, "already_enrolled")
		r.json(t, &p)
		if p.Enrolment.ID != w1.ID || p.Enrolment.Status != "waitlisted" {
			t.Fatalf("409 carries %+v", p.Enrolment)
		}
		// One active enrolment per course, whatever the cohort.
		other := s.cohort(200, 0)
		s.enrol(tokens[0], other.ID).problem(t, 409, "already_enrolled")

		// Withdrawing frees the seat for the head of the waitlist.
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: tokens[0]}).expect(t, 204)
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: tokens[0]}).problem(t, 404, "not_found")
		if e := s.enrolmentNow(tokens[2], w1.ID); e.Status != "enrolled" || e.WaitlistPosition != nil {
			t.Fatalf("head of the waitlist not promoted: %+v", e)
		}
		if e := s.enrolmentNow(tokens[3], w2.ID); e.Status != "waitlisted" || *e.WaitlistPosition != 1 {
			t.Fatalf("second in line: %+v", e)
		}
		if got := s.cohortNow(c.ID); got.EnrolledCount != 2 || got.WaitlistCount != 1 {
			t.Fatalf("counts after withdrawal %+v", got)
		}
		// Re-enrolling after withdrawal is allowed: at the back of the queue.
		before := db.Statements()
		again := s.enrolled(tokens[0], c.ID)
		// On PostgreSQL: the cohort, and the one statement that claims a
		// seat or joins the waitlist with its e-mail (a learner's token is
		// believed without a look-up).
		if n := db.Statements() - before; db.Dialect() == database.Postgres && n != 2 {
			t.Fatalf("an enrolment took %d statements, want 2", n)
		}
		if again.Status != "waitlisted" || *again.WaitlistPosition != 2 || again.ID == a.ID {
			t.Fatalf("re-enrolment %+v", again)
		}

		// Capacity: never below the enrolled count; raising promotes in order.
		s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]any{"capacity": 1}}).problem(t, 422, "capacity_below_enrolled")
		var raised cohortBody
		s.do(request{method: "PATCH", path: "/api/v1/cohorts/" + c.ID, token: s.team, body: map[string]any{"capacity": 3}}).expect(t, 200).json(t, &raised)
		if raised.EnrolledCount != 3 || raised.WaitlistCount != 1 {
			t.Fatalf("after raising %+v", raised)
		}
		if e := s.enrolmentNow(tokens[3], w2.ID); e.Status != "enrolled" {
			t.Fatalf("w2 not promoted: %+v", e)
		}
		if e := s.enrolmentNow(tokens[0], again.ID); e.Status != "waitlisted" || *e.WaitlistPosition != 1 {
			t.Fatalf("re-enrolled learner: %+v", e)
		}

		// The team enrols a named user; the seat counts the same.
		var named enrolmentBody
		s.do(request{method: "POST", path: "/api/v1/cohorts/" + other.ID + "/enrolments", token: s.team, body: map[string]string{"user_id": ids[4]}}).expect(t, 201).json(t, &named)
		if named.UserID != ids[4] || named.Status != "enrolled" || s.cohortNow(other.ID).EnrolledCount != 1 {
			t.Fatalf("named enrolment %+v", named)
		}
		s.do(request{method: "POST", path: "/api/v1/cohorts/" + other.ID + "/enrolments", token: tokens[1], body: map[string]string{"user_id": ids[3]}}).problem(t, 403, "forbidden")
		s.do(request{method: "POST", path: "/api/v1/cohorts/" + other.ID + "/enrolments", token: s.team, body: map[string]string{"user_id": "00000000-0000-4000-8000-000000000000"}}).problem(t, 422, "validation_failed")

		// Enrolments are their learner's and the team's.
		s.do(request{method: "GET", path: "/api/v1/enrolments/" + named.ID, token: tokens[1]}).problem(t, 404, "not_found")
		s.enrolmentNow(s.team, named.ID)
		var mine struct{ Items []enrolmentBody }
		s.do(request{method: "GET", path: "/api/v1/me/enrolments", token: tokens[0]}).expect(t, 200).json(t, &mine)
		if len(mine.Items) != 2 || mine.Items[0].ID != again.ID || mine.Items[1].Status != "withdrawn" || mine.Items[0].Progress == nil {
			t.Fatalf("my enrolments %+v", mine.Items)
		}

		// The team's list, as JSON and as CSV with Latvian names intact.
		var list struct{ Items []enrolmentBody }
		s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: s.team}).expect(t, 200).json(t, &list)
		if len(list.Items) != 5 {
			t.Fatalf("%d enrolments listed", len(list.Items))
		}
		s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: tokens[1]}).problem(t, 403, "forbidden")
		rows := readCSV(t, s.do(request{method: "GET", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200))
		if len(rows) != 6 || rows[0][0] != "enrolment_id" || rows[1][2] != "Līga" || rows[1][3] != "Ozoliņa" {
			t.Fatalf("csv %v", rows)
		}
	})
}

func TestPacingPlaybackAndProgress(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				s := newSchool(t, db, options{s3: storage == "s3"})
				// Started eight days ago: weeks 1 and 2 are open, 3 is not.
				c := s.cohort(1, 8*24*time.Hour)
				_, learner := s.signUp()
				_, other := s.signUp()
				e := s.enrolled(learner, c.ID)
				waiting := s.enrolled(other, c.ID)
				week1, week3 := s.published.Weeks[0].Lessons, s.published.Weeks[2].Lessons
				video := week1[0]
				base := "/api/v1/enrolments/" + e.ID + "/lessons/"

				var pb struct {
					URL         string    `json:"url"`
					ExpiresAt   time.Time `json:"expires_at"`
					ContentType string    `json:"content_type"`
					Captions    []struct{ Language, URL string }
				}
				s.do(request{method: "GET", path: base + video.ID + "/playback", token: learner}).expect(t, 200).json(t, &pb)
				if pb.ContentType != "video/mp4" || pb.ExpiresAt.After(time.Now().Add(15*time.Minute)) || pb.ExpiresAt.Before(time.Now()) || pb.Captions == nil {
					t.Fatalf("playback %+v", pb)
				}
				status, got := s.fetch(t, pb.URL, "bytes=0-7")
				if status != 206 || got != string(fixture(t, "lesson.mp4")[:8]) {
					t.Fatalf("ranged fetch of the playback url: %d %q", status, got)
				}

				s.do(request{method: "GET", path: base + week3[0].ID + "/playback", token: learner}).problem(t, 403, "week_locked")
				s.do(request{method: "GET", path: base + week3[0].ID, token: learner}).problem(t, 403, "week_locked")
				s.do(request{method: "PUT", path: base + week3[0].ID + "/progress", token: learner, body: map[string]any{"position_seconds": 1, "completed": true}}).problem(t, 403, "week_locked")
				s.do(request{method: "GET", path: base + video.ID + "/playback", token: other}).problem(t, 404, "not_found")
				s.do(request{method: "GET", path: base + video.ID + "/playback", token: s.team}).problem(t, 404, "not_found")
				s.do(request{method: "GET", path: "/api/v1/enrolments/" + waiting.ID + "/lessons/" + video.ID + "/playback", token: other}).problem(t, 403, "enrolment_inactive")
				reading := week1[2]
				s.do(request{method: "GET", path: base + reading.ID + "/playback", token: learner}).problem(t, 404, "not_found")
				var content struct {
					Body     string
					Progress struct{ Completed bool }
				}
				s.do(request{method: "GET", path: base + reading.ID, token: learner}).expect(t, 200).json(t, &content)
				if !strings.Contains(content.Body, "ģimenēm") || content.Progress.Completed {
					t.Fatalf("lesson content %+v", content)
				}

				var lp struct {
					PositionSeconds int  `json:"position_seconds"`
					Completed       bool `json:"completed"`
				}
				s.do(request{method: "PUT", path: base + video.ID + "/progress", token: learner, body: map[string]any{"position_seconds": 0, "completed": false}}).expect(t, 200).json(t, &lp)
				s.watch(learner, e.ID, lessonVideoSeconds, video.ID)
				s.do(request{method: "PUT", path: base + video.ID + "/progress", token: learner, body: map[string]any{"position_seconds": 0, "completed": false}}).expect(t, 200).json(t, &lp)
				if !lp.Completed || lp.PositionSeconds != 0 {
					t.Fatalf("completion did not stick: %+v", lp)
				}
				s.do(request{method: "PUT", path: base + reading.ID + "/progress", token: learner, body: map[string]any{"position_seconds": -1}}).problem(t, 422, "validation_failed")
				s.do(request{method: "PUT", path: base + reading.ID + "/progress", token: learner, body: map[string]any{"completed": true}}).expect(t, 200)

				// 2 of 25 lessons and 0 of 1 test: 7 %.
				got2 := s.enrolmentNow(learner, e.ID)
				if p := got2.Progress; p == nil || p.LessonsCompleted != 2 || p.LessonsTotal != 25 || p.Percent != 7 || p.CertificateEligible {
					t.Fatalf("progress %+v", got2.Progress)
				}
			})
		})
	}
}

// fetch GETs a signed link: through the app for disk links, over the
// network for MinIO's.
func (s *server) fetch(t *testing.T, link, rangeHeader string) (int, string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	if s.s3 == nil {
		req := httptest.NewRequest("GET", u.RequestURI(), nil)
		req.Header.Set("Range", rangeHeader)
		resp, err = s.app.Test(req, -1)
	} else {
		req, _ := http.NewRequest("GET", link, nil)
		req.Header.Set("Range", rangeHeader)
		resp, err = http.DefaultClient.Do(req)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return resp.StatusCode, readAll(t, resp.Body)
}
