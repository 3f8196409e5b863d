package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// outlineTTL is how long a replica may serve an outline another replica
// has changed (catalogue's outline cache).
const outlineTTL = time.Second

// outline reads GET /courses/{id} with token and, when given, If-None-Match.
func (s *server) outline(token, courseID, ifNoneMatch string) reply {
	s.t.Helper()
	r := request{method: "GET", path: "/api/v1/courses/" + courseID, token: token}
	if ifNoneMatch != "" {
		r.header = map[string]string{"If-None-Match": ifNoneMatch}
	}
	return s.do(r)
}

// titleOf is the title of the lesson in an outline reply.
func titleOf(t *testing.T, r reply, lessonID string) string {
	t.Helper()
	var c courseBody
	r.expect(t, 200).json(t, &c)
	for _, w := range c.Weeks {
		for _, l := range w.Lessons {
			if l.ID == lessonID {
				return l.Title
			}
		}
	}
	t.Fatalf("lesson %s is not in the outline %s", lessonID, r.body)
	return ""
}

// The outline carries a strong ETag; If-None-Match naming it is answered
// 304 without a body, by the weak comparison RFC 9110 asks of it, until the
// course changes. Learners and visitors share one version; the author's
// view, with the lessons' text, is another.
func TestOutlineETag(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		id := s.published.ID
		first := s.outline(s.learner, id, "").expect(t, 200)
		tag := first.header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 10 {
			t.Fatalf("ETag %q", tag)
		}
		if cc := first.header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control %q", cc)
		}
		if ct := first.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if strings.Contains(string(first.body), readingBody) {
			t.Fatal("a learner's outline carries a lesson's text")
		}
		if anon := s.outline("", id, ""); anon.header.Get("ETag") != tag || string(anon.body) != string(first.body) {
			t.Errorf("an anonymous visitor gets %s, the learner %s", anon.header.Get("ETag"), tag)
		}
		for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
			r := s.outline(s.learner, id, inm)
			if r.status != 304 || len(r.body) != 0 || r.header.Get("ETag") != tag {
				t.Errorf("If-None-Match %s: %d, %d bytes, ETag %q", inm, r.status, len(r.body), r.header.Get("ETag"))
			}
		}
		if r := s.outline(s.learner, id, `"other"`); r.status != 200 || string(r.body) != string(first.body) {
			t.Errorf("another tag: %d", r.status)
		}

		own := s.outline(s.author, id, "").expect(t, 200)
		ownTag := own.header.Get("ETag")
		if ownTag == tag || !strings.Contains(string(own.body), readingBody) {
			t.Fatalf("the author's view (ETag %s) is the learners' (%s) or lacks the text", ownTag, tag)
		}
		s.outline(s.author, id, ownTag).expect(t, 304)
		s.outline(s.author, id, tag).expect(t, 200) // the learners' version is not the author's

		// A correction makes a new version, at once on this replica.
		lesson := s.published.Weeks[0].Lessons[2]
		s.do(request{method: "PATCH", path: "/api/v1/lessons/" + lesson.ID, token: s.author, body: map[string]any{"title": "Labots nosaukums"}}).expect(t, 200)
		r := s.outline(s.learner, id, tag)
		if titleOf(t, r, lesson.ID) != "Labots nosaukums" || r.header.Get("ETag") == tag {
			t.Fatalf("after the correction: ETag %s (was %s)", r.header.Get("ETag"), tag)
		}
		s.outline(s.author, id, ownTag).expect(t, 200)

		s.outline(s.learner, "00000000-0000-0000-0000-000000000000", tag).problem(t, 404, "not_found")
	})
}

// Two replicas on one database: what one writes, it serves at once, and
// the other within the cache's lifetime by the shared clock. Drafts are
// never served to learners, before or after the cache holds anything.
func TestOutlineCacheAcrossReplicas(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		a := newSchool(t, db, options{clock: clock})
		b := newServer(t, db.Dialect(), options{db: db, clock: clock})
		id := a.published.ID
		lesson := a.published.Weeks[0].Lessons[2]
		tag := a.outline(a.learner, id, "").header.Get("ETag")
		if got := b.outline(a.learner, id, "").header.Get("ETag"); got != tag {
			t.Fatalf("the replicas version one outline as %s and %s", tag, got)
		}

		// Read again and again, the outline costs no query.
		before := db.Statements()
		for range 20 {
			a.outline(a.learner, id, "").expect(t, 200)
		}
		if n := db.Statements() - before; n >= 20 {
			t.Errorf("20 reads of a cached outline made %d statements", n)
		}

		// A correction on A: A serves it to the next request, B once the
		// lifetime is over.
		a.do(request{method: "PATCH", path: "/api/v1/lessons/" + lesson.ID, token: a.author, body: map[string]any{"title": "Labots A"}}).expect(t, 200)
		if got := titleOf(t, a.outline(a.learner, id, ""), lesson.ID); got != "Labots A" {
			t.Fatalf("A serves %q after its own correction", got)
		}
		clock.Set(clock.Now().Add(outlineTTL))
		fixed := b.outline(a.learner, id, tag)
		if got := titleOf(t, fixed, lesson.ID); got != "Labots A" {
			t.Fatalf("B serves %q a lifetime after the correction", got)
		}
		if fixed.header.Get("ETag") != a.outline("", id, "").header.Get("ETag") {
			t.Error("the replicas disagree on the corrected outline's version")
		}

		// The other way round, and the clock moved past the lifetime by
		// the domain's clock alone, however little time really passed.
		b.outline(a.learner, id, "").expect(t, 200)
		b.do(request{method: "PATCH", path: "/api/v1/lessons/" + lesson.ID, token: a.author, body: map[string]any{"title": "Labots B"}}).expect(t, 200)
		if got := titleOf(t, b.outline("", id, ""), lesson.ID); got != "Labots B" {
			t.Fatalf("B serves %q after its own correction", got)
		}
		clock.Set(clock.Now().Add(outlineTTL + time.Millisecond))
		if got := titleOf(t, a.outline("", id, ""), lesson.ID); got != "Labots B" {
			t.Fatalf("A serves %q a lifetime after B's correction", got)
		}

		// Archiving, on A: at once there, within the lifetime on B.
		b.outline(a.learner, id, "").expect(t, 200)
		a.do(request{method: "POST", path: "/api/v1/courses/" + id + "/archive", token: a.author}).expect(t, 200)
		var c courseBody
		a.outline(a.learner, id, "").expect(t, 200).json(t, &c)
		if c.Status != "archived" {
			t.Fatalf("A serves status %s after archiving", c.Status)
		}
		clock.Set(clock.Now().Add(outlineTTL))
		b.outline(a.learner, id, "").expect(t, 200).json(t, &c)
		if c.Status != "archived" {
			t.Fatalf("B serves status %s a lifetime after the archiving", c.Status)
		}

		// A draft: no learner or other author sees it on either replica,
		// however often asked; its author reads it with the lessons' text.
		draft := a.buildCourse(a.author)
		for range 3 {
			for _, srv := range []*server{a.server, b} {
				srv.outline(a.learner, draft.ID, "").problem(t, 404, "not_found")
				srv.outline("", draft.ID, "").problem(t, 404, "not_found")
				srv.outline(a.otherAuthor, draft.ID, "").problem(t, 404, "not_found")
				if r := srv.outline(a.author, draft.ID, "").expect(t, 200); !strings.Contains(string(r.body), readingBody) {
					t.Fatal("the author's draft lacks its text")
				}
			}
		}
		// Published on B, it is served on both at once: nothing of the
		// draft was held.
		b.do(request{method: "POST", path: "/api/v1/courses/" + draft.ID + "/publish", token: a.author}).expect(t, 200)
		for _, srv := range []*server{a.server, b} {
			r := srv.outline(a.learner, draft.ID, "").expect(t, 200)
			if strings.Contains(string(r.body), readingBody) {
				t.Fatal("the published course shows a learner the lessons' text")
			}
		}
		// The author's view of a published course stays the author's,
		// after learners have filled the cache.
		if r := a.outline(a.author, draft.ID, ""); !strings.Contains(string(r.body), readingBody) {
			t.Fatal("the author reads the learners' view of the published course")
		}
		if r := a.outline(a.team, draft.ID, ""); !strings.Contains(string(r.body), readingBody) {
			t.Fatal("the team reads the learners' view of the published course")
		}
	})
}

// Readers and a writer at once (run with -race): every reply is a whole
// outline, and after each correction returns, the next read on the same
// replica shows it.
func TestOutlineConcurrentReadersAndWriter(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		id := s.published.ID
		lesson := s.published.Weeks[0].Lessons[2]
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		tags := map[string]bool{}
		for i := range 6 {
			wg.Go(func() {
				inm := ""
				for {
					select {
					case <-stop:
						return
					default:
					}
					r := request{method: "GET", path: "/api/v1/courses/" + id, token: s.learner}
					if i%2 == 1 && inm != "" {
						r.header = map[string]string{"If-None-Match": inm}
					}
					rep, err := s.try(r)
					switch {
					case err != nil:
						t.Error(err)
						return
					case rep.status == 304:
						continue
					case rep.status != 200 || !strings.Contains(string(rep.body), `"weeks"`):
						t.Errorf("a reader got %d: %s", rep.status, rep.body)
						return
					}
					inm = rep.header.Get("ETag")
					mu.Lock()
					tags[inm] = true
					mu.Unlock()
				}
			})
		}
		for i := range 8 {
			title := fmt.Sprintf("Labojums %d", i)
			s.do(request{method: "PATCH", path: "/api/v1/lessons/" + lesson.ID, token: s.author, body: map[string]any{"title": title}}).expect(t, 200)
			if got := titleOf(t, s.outline(s.learner, id, ""), lesson.ID); got != title {
				close(stop)
				wg.Wait()
				t.Fatalf("after correction %d the outline says %q", i, got)
			}
		}
		close(stop)
		wg.Wait()
		if len(tags) < 2 {
			t.Errorf("readers saw %d versions over 8 corrections", len(tags))
		}
	})
}
