package api_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/idempotency"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// withKey is r sent with an Idempotency-Key.
func withKey(r request, key string) request {
	r.header = map[string]string{idempotency.Header: key}
	return r
}

func replayed(r reply) bool { return r.header.Get(idempotency.Replayed) == "true" }

// sameReply fails unless again is first answered again, marked as such.
func sameReply(t *testing.T, first, again reply) {
	t.Helper()
	if again.status != first.status || !bytes.Equal(again.body, first.body) ||
		again.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Fatalf("the retry answered %d %s, the first request %d %s", again.status, again.body, first.status, first.body)
	}
	if !replayed(again) || replayed(first) {
		t.Fatalf("%s: first %q, retry %q", idempotency.Replayed, first.header.Get(idempotency.Replayed), again.header.Get(idempotency.Replayed))
	}
}

func (s *server) enrolmentsOf(userID string) int64 {
	s.t.Helper()
	var n int64
	if err := s.db.Conn(context.Background()).Table("enrolments").Where("user_id = ?", userID).Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return n
}

// clockedSchool is a school on a clock the test moves, with a cohort open
// for enrolment.
func clockedSchool(t *testing.T, db *database.DB) (*school, *testClock, cohortBody) {
	clock := newClock(time.Now().UTC())
	s := newSchool(t, db, options{clock: clock})
	return s, clock, s.cohort(200, 0)
}

func TestIdempotentEnrolment(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s, clock, c := clockedSchool(t, db)
		learner, token := s.signUp()
		other, otherToken := s.signUp()
		enrol := request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: token}
		const key = "0b3c5c1e-6f43-4a52-9a7e-2a9c1d7b6e10"

		// The first request is processed; its retry answers the same and
		// takes no second seat.
		first := s.do(withKey(enrol, key)).expect(t, 201)
		again := s.do(withKey(enrol, key))
		sameReply(t, first, again)
		// The key as a Structured Field string is the same key.
		sameReply(t, first, s.do(withKey(enrol, `"`+key+`"`)))
		if n := s.enrolmentsOf(learner.ID); n != 1 {
			t.Fatalf("%d enrolments after a retry", n)
		}
		if got := s.cohortNow(c.ID); got.EnrolledCount != 1 {
			t.Fatalf("enrolled_count %d after a retry", got.EnrolledCount)
		}

		// The same key with another request is refused, and changes nothing.
		withBody := enrol
		withBody.body = map[string]string{"user_id": other.ID}
		s.do(withKey(withBody, key)).problem(t, 422, "idempotency_key_reused")
		elsewhere := withKey(request{method: "POST", path: "/api/v1/cohorts/" + s.cohort(200, 0).ID + "/enrolments", token: token}, key)
		s.do(elsewhere).problem(t, 422, "idempotency_key_reused")

		// Another user's key of the same name is theirs alone.
		mine := s.do(withKey(request{method: "POST", path: enrol.path, token: otherToken}, key)).expect(t, 201)
		if replayed(mine) || bytes.Equal(mine.body, first.body) || s.enrolmentsOf(other.ID) != 1 {
			t.Fatalf("another user's request with the same key: %s", mine.body)
		}

		// Without a key nothing changes: a second enrolment is refused.
		s.do(request{method: "POST", path: enrol.path, token: otherToken}).problem(t, 409, "already_enrolled")

		// Keys that are not 1..255 printable ASCII characters.
		for _, bad := range []string{"", " ", strings.Repeat("k", 256), "atslēga", "a\x7fb", `""`, `"unterminated`, `"a" "b"`} {
			p := s.do(withKey(enrol, bad)).problem(t, 400, "invalid_idempotency_key")
			if !strings.Contains(p.Detail, "Idempotency-Key") {
				t.Fatalf("the problem does not name the header: %+v", p)
			}
		}
		s.do(withKey(enrol, strings.Repeat("k", 255))).problem(t, 409, "already_enrolled")

		// After 24 hours the key is forgotten: the request is processed
		// again (and refused, the seat being held already).
		clock.Set(clock.Now().Add(24*time.Hour + time.Second))
		enrol.token = s.login(learner.Email, testkit.Password) // the access token has expired too
		late := s.do(withKey(enrol, key))
		late.problem(t, 409, "already_enrolled")
		if replayed(late) {
			t.Fatal("a reply older than 24 hours was answered again")
		}
		// The sweep deletes every key older than 24 hours.
		clock.Set(clock.Now().Add(24*time.Hour + time.Second))
		if _, err := s.platform.Idempotency.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := s.rowCount("idempotency_keys"); n != 0 {
			t.Fatalf("%d keys left after the sweep", n)
		}
	})
}

// Twenty copies of one request race with one key: one is processed, the
// others get its reply or are told it is still being processed, and no
// second seat is taken.
func TestIdempotentEnrolmentRace(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 0)
		learner, token := s.signUp()
		enrol := withKey(request{method: "POST", path: "/api/v1/cohorts/" + c.ID + "/enrolments", token: token}, "race")

		const n = 20
		replies := make([]reply, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				r, err := s.try(enrol)
				if err != nil {
					t.Error(err)
				}
				replies[i] = r
			})
		}
		close(start)
		wg.Wait()

		processed, kept := 0, 0
		var first reply
		for _, r := range replies {
			switch {
			case r.status == 201 && !replayed(r):
				processed++
				first = r
			case r.status == 201:
				kept++
			case r.status == 409 && strings.Contains(string(r.body), `"idempotency_key_in_flight"`):
			default:
				t.Fatalf("a racing request answered %d %s", r.status, r.body)
			}
		}
		t.Logf("1 processed, %d answered again, %d told it was in flight", kept, n-1-kept)
		if processed != 1 {
			t.Fatalf("%d requests processed, %d answered again", processed, kept)
		}
		for _, r := range replies {
			if r.status == 201 && !bytes.Equal(r.body, first.body) {
				t.Fatalf("a replayed reply differs: %s, first %s", r.body, first.body)
			}
		}
		if got := s.enrolmentsOf(learner.ID); got != 1 {
			t.Fatalf("%d enrolments", got)
		}
		sameReply(t, first, s.do(enrol))
	})
}

// A key left in progress by a replica that stopped mid-request holds off
// retries for its lease, and is then taken over.
func TestIdempotencyStaleKeyTakenOver(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s, clock, c := clockedSchool(t, db)
		learner, token := s.signUp()
		path := "/api/v1/cohorts/" + c.ID + "/enrolments"
		enrol := withKey(request{method: "POST", path: path, token: token}, "left-behind")

		// The replica that died: it claimed the key and never answered.
		dead, _, err := s.platform.Idempotency.Begin(context.Background(), learner.ID, "left-behind",
			idempotency.Fingerprint("POST", path, nil), time.Minute)
		if err != nil || dead == nil {
			t.Fatalf("claim: %v %v", dead, err)
		}
		inFlight := s.do(enrol)
		inFlight.problem(t, 409, "idempotency_key_in_flight")
		if inFlight.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After on a key in flight")
		}
		if s.enrolmentsOf(learner.ID) != 0 {
			t.Fatal("a retry in flight was processed")
		}

		clock.Set(clock.Now().Add(2 * time.Minute))
		first := s.do(enrol).expect(t, 201)
		if replayed(first) {
			t.Fatal("the retry that took the key over was answered from the store")
		}
		// The dead request, were it to wake, keeps nothing of its own.
		if err := s.platform.Idempotency.Finish(context.Background(), dead, idempotency.Reply{Status: 422, Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		sameReply(t, first, s.do(enrol))
		if s.enrolmentsOf(learner.ID) != 1 {
			t.Fatal("more than one enrolment")
		}
	})
}

func TestIdempotentApplication(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		p := c.programme(nil)
		apply := withKey(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/applications", token: c.learner,
			body: map[string]any{"municipality": "Cēsu novads", "took_part_in_pilot": false}}, "pieteikums-1")

		first := c.do(apply).expect(t, 201)
		sameReply(t, first, c.do(apply))
		if n := c.rowCount("applications"); n != 1 {
			t.Fatalf("%d applications", n)
		}
		other := apply
		other.body = map[string]any{"municipality": "Cēsu novads", "took_part_in_pilot": true}
		c.do(other).problem(t, 422, "idempotency_key_reused")
		// Refusals are kept too: the same refusal, answered again.
		refused := withKey(request{method: "POST", path: apply.path, token: c.learner, body: map[string]any{"municipality": "x"}}, "pieteikums-2")
		sameReply(t, c.do(refused), c.do(refused))
	})
}

func TestIdempotentCertificate(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		enrolments, tokens := s.completedLearners(s.cohort(200, 30*24*time.Hour).ID, 1)
		issue := withKey(request{method: "POST", path: "/api/v1/enrolments/" + enrolments[0] + "/certificate", token: tokens[0]}, "apliecinajums")

		// A reply of 5xx is not kept: object storage fails (the disk
		// store's folder is a file for a moment), and the retry with the
		// same key is processed once storage is back.
		aside := s.diskDir + ".aside"
		if err := os.Rename(s.diskDir, aside); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.diskDir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if r := s.do(issue); r.status < 500 {
			t.Fatalf("with storage broken: %d %s", r.status, r.body)
		} else {
			t.Logf("with storage broken: %d %s", r.status, r.body)
		}
		if err := os.Remove(s.diskDir); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(aside, s.diskDir); err != nil {
			t.Fatal(err)
		}

		first := s.do(issue).expect(t, 201)
		if replayed(first) {
			t.Fatal("a 5xx reply was kept")
		}
		// Without the key a repeat answers 200; with it, the first reply.
		sameReply(t, first, s.do(issue))
		if n := s.rowCount("certificates"); n != 1 {
			t.Fatalf("%d certificates", n)
		}
	})
}

// partsSent is an author's resumable upload of a video with every part
// sent, ready to be completed.
func (s *server) partsSent() (author string, up uploadBody, parts []partBody) {
	s.t.Helper()
	_, author = s.signUp("author")
	video := bigVideo(s.t)
	up = s.begun(author, "lekcija.mp4", int64(len(video)))
	return author, up, s.sendParts(up, video)
}

func TestIdempotentUploadCompletion(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		author, up, parts := s.partsSent()
		complete := withKey(request{method: "POST", path: "/api/v1/media/" + up.ID + "/complete", token: author,
			body: map[string]any{"parts": parts}}, "augsupielade")

		first := s.do(complete).expect(t, 200)
		// Without the key a second completion is refused (upload_not_open).
		sameReply(t, first, s.do(complete))
		other := complete
		other.body = map[string]any{"parts": parts[:1]}
		s.do(other).problem(t, 422, "idempotency_key_reused")
		if !s.mediaRow(up.ID) {
			t.Fatal("no media row")
		}
	})
}

// A script of another allowed origin may send the key and read whether its
// reply was the one kept.
func TestIdempotencyKeyAcrossOrigins(t *testing.T) {
	const allowed = "https://mooc.example.lv"
	s := assemble(t, database.SQLite, options{corsOrigins: []string{allowed}})
	s.t = t
	r := s.do(request{method: "OPTIONS", path: "/api/v1/cohorts/0b3c5c1e-6f43-4a52-9a7e-2a9c1d7b6e10/enrolments", header: map[string]string{
		"Origin": allowed, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, idempotency-key",
	}})
	if h := strings.ToLower(r.header.Get("Access-Control-Allow-Headers")); r.status >= 300 || !strings.Contains(h, "idempotency-key") {
		t.Fatalf("preflight: %d, allowed headers %q", r.status, h)
	}
	g := s.do(request{method: "GET", path: "/api/v1/methodologies", header: map[string]string{"Origin": allowed}}).expect(t, 200)
	if h := strings.ToLower(g.header.Get("Access-Control-Expose-Headers")); !strings.Contains(h, "idempotent-replayed") {
		t.Fatalf("exposed headers %q", h)
	}
}
