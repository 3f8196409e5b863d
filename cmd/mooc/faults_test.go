package main

// Reliability under faults: the service runs against private PostgreSQL
// and MinIO servers (internal/testenv/servers.go) that these tests stop,
// kill and restart, and the server itself is killed mid-work.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
)

const (
	faultTeamEmail    = "team@example.lv"
	faultTeamPassword = "bootstrap password 1"
	faultBucket       = "mooc"
	// Every answer during an outage must come within this bound: a
	// dependency that is down is reported, not waited for. A refused
	// connection is answered in milliseconds; the bound leaves room for a
	// loaded 2-core machine running the race detector.
	answerBound = 3 * time.Second
	// Requests must succeed again by themselves this soon after the
	// database accepts connections again (it takes well under a second on
	// an idle machine; the bound is what must hold on a loaded one).
	recoveryBound = 15 * time.Second
	// waitBound bounds the waits for something the test set going (a
	// rush, uploads reaching MinIO, a job's progress, a server coming
	// back). A passing run waits only as long as that takes; the bound is
	// there so that a broken run ends, and is generous for a loaded 2-core
	// machine with the race detector.
	waitBound = 2 * time.Minute
)

// faultEnv configures a server on the private PostgreSQL and, when mi is
// set, the private MinIO (else objects on disk in the data folder).
func faultEnv(t *testing.T, pg *testenv.PG, mi *testenv.MinIOProc) map[string]string {
	env := map[string]string{
		"MOOC_ADDR":               "127.0.0.1:0",
		"MOOC_DATA_DIR":           t.TempDir(),
		"MOOC_DATABASE_URL":       pg.URL(),
		"MOOC_TOKEN_SECRET":       "fault-tests-token-secret-of-32-characters-or-more",
		"MOOC_REGISTER_LIMIT":     "0",
		"MOOC_BOOTSTRAP_EMAIL":    faultTeamEmail,
		"MOOC_BOOTSTRAP_PASSWORD": faultTeamPassword,
	}
	if mi != nil {
		env["MOOC_S3_ENDPOINT"] = mi.Endpoint()
		env["MOOC_S3_ACCESS_KEY"] = mi.AccessKey()
		env["MOOC_S3_SECRET_KEY"] = mi.SecretKey()
		env["MOOC_S3_BUCKET"] = faultBucket
	}
	return env
}

// privateDB opens the private cluster's database behind the service's back.
func privateDB(t *testing.T, pg *testenv.PG) *database.DB {
	t.Helper()
	db, err := database.OpenPostgres(context.Background(), pg.URL())
	if err != nil {
		t.Fatalf("open the private database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// answer is one HTTP exchange as a client saw it.
type answer struct {
	status int
	ctype  string
	body   []byte
	took   time.Duration
	err    error
}

func (a answer) code() string {
	var p struct{ Code string }
	_ = json.Unmarshal(a.body, &p)
	return p.Code
}

func (a answer) String() string {
	if a.err != nil {
		return fmt.Sprintf("error after %v: %v", a.took, a.err)
	}
	return fmt.Sprintf("%d %s after %v: %.300s", a.status, a.ctype, a.took.Round(time.Millisecond), a.body)
}

// isUnavailable is the contract's answer for a dependency that is down.
func (a answer) isUnavailable() bool {
	return a.err == nil && a.status == 503 && strings.HasPrefix(a.ctype, "application/problem+json") && a.code() == "unavailable"
}

func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

func send(c *http.Client, method, url, token, ctype string, body io.Reader, size int64) answer {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return answer{err: err}
	}
	if body != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	began := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(began)}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b, took: time.Since(began), err: err}
}

func sendJSON(c *http.Client, method, url, token string, v any) answer {
	if v == nil {
		return send(c, method, url, token, "", nil, 0)
	}
	b, _ := json.Marshal(v)
	return send(c, method, url, token, "application/json", bytes.NewReader(b), int64(len(b)))
}

func faultLogin(t *testing.T, c *http.Client, base, email, password string) string {
	t.Helper()
	a := sendJSON(c, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if a.status != 200 || json.Unmarshal(a.body, &out) != nil || out.AccessToken == "" {
		t.Fatalf("login %s: %v", email, a)
	}
	return out.AccessToken
}

// uploadSmall posts a file as multipart/form-data in one request.
func uploadSmall(c *http.Client, base, token, filename string, content []byte) answer {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("file", filename)
	_, _ = part.Write(content)
	_ = w.Close()
	return send(c, "POST", base+"/api/v1/media", token, w.FormDataContentType(), bytes.NewReader(b.Bytes()), int64(b.Len()))
}

// waitUntil polls cond every few milliseconds until it holds or timeout
// passes, and reports whether it held.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func readyz(c *http.Client, base string) (int, map[string]string) {
	a := send(c, "GET", base+"/readyz", "", "", nil, 0)
	var out struct{ Checks map[string]string }
	_ = json.Unmarshal(a.body, &out)
	return a.status, out.Checks
}

func lessonMP4(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../api/testdata/lesson.mp4")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---------------------------------------------------------------------------

// PostgreSQL stops (as a crash would) while clients keep calling: every
// answer comes quickly, as 503 unavailable or a success, never 500; /readyz
// says 503; and once PostgreSQL is back, requests succeed again by
// themselves within recoveryBound.
func TestFaultPostgresStoppedMidLoad(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	s := start(t, faultEnv(t, pg, nil))
	base := "http://" + s.addr
	client := newClient(t)
	client.Timeout = 10 * time.Second // far above answerBound: a hang shows as a long answer
	token := faultLogin(t, client, base, faultTeamEmail, faultTeamPassword)

	type sample struct {
		at   time.Time
		path string
		answer
	}
	var (
		mu      sync.Mutex
		samples []sample
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	paths := []string{"/api/v1/me", "/api/v1/courses"}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3000; i++ { // bounded, however the phases go
				select {
				case <-stop:
					return
				default:
				}
				path := paths[(w+i)%len(paths)]
				at := time.Now()
				a := send(client, "GET", base+path, token, "", nil, 0)
				mu.Lock()
				samples = append(samples, sample{at, path, a})
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	var stopOnce sync.Once
	stopLoad := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer stopLoad()

	time.Sleep(300 * time.Millisecond)
	pg.Stop()
	stoppedAt := time.Now()
	if !waitUntil(answerBound, func() bool {
		status, checks := readyz(client, base)
		return status == 503 && checks["database"] == "unavailable"
	}) {
		status, checks := readyz(client, base)
		t.Errorf("/readyz with PostgreSQL stopped: %d %v", status, checks)
	}
	time.Sleep(time.Second) // the load goes on against the stopped database

	restartBegan := time.Now()
	pg.Start() // returns once PostgreSQL accepts connections
	accepting := time.Now()
	ok := func(path string) bool { return send(client, "GET", base+path, token, "", nil, 0).status == 200 }
	if !waitUntil(recoveryBound, func() bool { return ok("/api/v1/me") && ok("/api/v1/courses") }) {
		t.Fatalf("requests still fail %v after PostgreSQL accepts connections again: %v", recoveryBound,
			send(client, "GET", base+"/api/v1/me", token, "", nil, 0))
	}
	recovered := time.Now()
	t.Logf("PostgreSQL restart took %v; requests succeeded again %v after it accepted connections",
		accepting.Sub(restartBegan).Round(time.Millisecond), recovered.Sub(accepting).Round(time.Millisecond))
	if status, checks := readyz(client, base); status != 200 {
		t.Errorf("/readyz after the restart: %d %v", status, checks)
	}
	time.Sleep(500 * time.Millisecond) // more load on the recovered server
	stopLoad()

	counts := map[string]map[string]int{}
	var slowest time.Duration
	failures := 0
	fail := func(format string, args ...any) { // the first few tell the story
		if failures++; failures <= 20 {
			t.Errorf(format, args...)
		}
	}
	defer func() {
		if failures > 20 {
			t.Errorf("... and %d more failed answers", failures-20)
		}
	}()
	for _, s := range samples {
		phase := "before"
		switch {
		case s.at.After(recovered):
			phase = "after recovery"
		case s.at.After(accepting):
			phase = "recovering"
		case s.at.After(restartBegan):
			phase = "restarting"
		case s.at.After(stoppedAt):
			phase = "outage"
		}
		if counts[phase] == nil {
			counts[phase] = map[string]int{}
		}
		key := fmt.Sprint(s.status)
		if s.err != nil {
			key = "transport error"
		}
		counts[phase][key]++
		slowest = max(slowest, s.took)

		switch {
		case s.err != nil:
			fail("%s GET %s: %v", phase, s.path, s.answer)
		case s.took > answerBound:
			fail("%s GET %s took %v (bound %v): %v", phase, s.path, s.took, answerBound, s.answer)
		case s.status == 200:
		case s.status == 503 && !s.isUnavailable():
			fail("%s GET %s: 503 without the contract's problem+json code unavailable: %v", phase, s.path, s.answer)
		case s.status != 503:
			fail("%s GET %s: want 200 or 503, got %v", phase, s.path, s.answer)
		}
		if phase == "outage" && s.status == 200 {
			fail("GET %s answered 200 with PostgreSQL stopped", s.path)
		}
		if phase == "after recovery" && s.status != 200 {
			fail("after recovery GET %s: %v", s.path, s.answer)
		}
	}
	t.Logf("answers by phase: %v; slowest answer %v", counts, slowest.Round(time.Millisecond))
	if counts["before"]["200"] == 0 || counts["outage"]["503"] == 0 || counts["after recovery"]["200"] == 0 {
		t.Errorf("the load did not span the outage: %v", counts)
	}
}

// PostgreSQL hangs (every process stopped with SIGSTOP, as a network
// partition looks): connections open but nothing answers. Requests must
// still answer within frozenBound, with 503, rather than wait for TCP to
// give up; once PostgreSQL answers again they succeed by themselves.
func TestFaultPostgresFrozen(t *testing.T) {
	// Longer than answerBound: noticing a silent server takes a deadline,
	// not a refused connection.
	const frozenBound = 5 * time.Second
	pg := testenv.OwnPostgres(t)
	env := faultEnv(t, pg, nil)
	env["MOOC_REQUEST_TIMEOUT"] = "2s" // the deadline under test, well inside the bound
	s := start(t, env)
	base := "http://" + s.addr
	client := newClient(t)
	client.Timeout = frozenBound + time.Second // a hang shows as a transport error
	token := faultLogin(t, client, base, faultTeamEmail, faultTeamPassword)
	if a := send(client, "GET", base+"/api/v1/courses", token, "", nil, 0); a.status != 200 {
		t.Fatalf("before the freeze: %v", a)
	}

	pg.Freeze()
	answers := make([]answer, 4)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = send(client, "GET", base+[]string{"/api/v1/me", "/api/v1/courses"}[i%2], token, "", nil, 0)
		}()
	}
	status, checks := readyz(client, base)
	wg.Wait()
	pg.Thaw()
	for i, a := range answers {
		if !a.isUnavailable() || a.took > frozenBound {
			t.Errorf("request %d with PostgreSQL frozen: want 503 unavailable within %v, got %v", i, frozenBound, a)
		} else {
			t.Logf("request %d with PostgreSQL frozen: %v", i, a)
		}
	}
	if status != 503 || checks["database"] != "unavailable" {
		t.Errorf("/readyz with PostgreSQL frozen: %d %v", status, checks)
	}

	thawed := time.Now()
	var last answer
	if !waitUntil(recoveryBound, func() bool {
		last = send(client, "GET", base+"/api/v1/me", token, "", nil, 0)
		return last.status == 200
	}) {
		t.Fatalf("requests still fail %v after PostgreSQL answers again: %v", recoveryBound, last)
	}
	t.Logf("requests succeeded again %v after the thaw", time.Since(thawed).Round(time.Millisecond))
}

// MinIO is killed: /readyz stays 200 with storage degraded, an upload answers 503 and leaves no
// media row, the rest of the API keeps working, and uploads work again
// once MinIO is back.
func TestFaultMinIOStopped(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	mi := testenv.OwnMinIO(t)
	s := start(t, faultEnv(t, pg, mi))
	db := privateDB(t, pg)
	base := "http://" + s.addr
	client := newClient(t)
	token := faultLogin(t, client, base, faultTeamEmail, faultTeamPassword)
	video := lessonMP4(t)
	ctx := context.Background()
	mediaRows := func() []string {
		var keys []string
		if err := db.Conn(ctx).Raw("SELECT object_key FROM media ORDER BY object_key").Scan(&keys).Error; err != nil {
			t.Fatal(err)
		}
		return keys
	}

	if a := uploadSmall(client, base, token, "ievads.mp4", video); a.status != 201 {
		t.Fatalf("upload with MinIO up: %v", a)
	}

	mi.Stop()
	// The replica stays in the balancer: ready, storage degraded, within
	// the second the storage probe trusts its last answer.
	var status int
	var checks map[string]string
	if !waitUntil(waitBound, func() bool {
		status, checks = readyz(client, base)
		return checks["object_storage"] == "degraded"
	}) || status != 200 || checks["database"] != "ok" {
		t.Errorf("/readyz with MinIO stopped: %d %v", status, checks)
	}
	a := uploadSmall(client, base, token, "otrais.mp4", video)
	t.Logf("upload with MinIO stopped: %v", a)
	if !a.isUnavailable() {
		t.Errorf("upload with MinIO stopped: want 503 unavailable, got %v", a)
	}
	if a.took > answerBound {
		t.Errorf("upload with MinIO stopped took %v to fail (bound %v)", a.took.Round(time.Millisecond), answerBound)
	}
	if rows := mediaRows(); len(rows) != 1 {
		t.Errorf("the failed upload left a media row: %v", rows)
	}
	if a := send(client, "GET", base+"/api/v1/me", token, "", nil, 0); a.status != 200 {
		t.Errorf("GET /me with only MinIO down: %v", a)
	}

	mi.Start()
	back := time.Now()
	var up answer
	if !waitUntil(waitBound, func() bool {
		up = uploadSmall(client, base, token, "treshais.mp4", video)
		return up.status == 201
	}) {
		t.Fatalf("uploads still fail after MinIO is back: %v", up)
	}
	t.Logf("uploads worked again %v after MinIO answered", time.Since(back).Round(time.Millisecond))
	if status, checks := readyz(client, base); status != 200 {
		t.Errorf("/readyz after MinIO is back: %d %v", status, checks)
	}
	rows := mediaRows()
	objects, err := mi.Objects(ctx, faultBucket, "media/")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows, ",") != strings.Join(objects, ",") {
		t.Errorf("media rows %v, objects %v: want the same two", rows, objects)
	}
}

// ---------------------------------------------------------------------------

// learnersOf registers n learners through the accounts service on the
// private database and logs them in; tokens are signed with the server's
// secret, so the server takes them.
func learnersOf(t *testing.T, db *database.DB, secret string, n int) (ids, tokens []string) {
	t.Helper()
	// The hash carries its parameters, so the server verifies it as it is.
	users, err := accounts.New(db, accounts.Options{TokenSecret: []byte(secret), Hashing: &testkit.Hashing,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return testkit.SignUp(t, users, n, func(i int) accounts.Registration {
		return testkit.Person(fmt.Sprintf("steidzas.%d@example.lv", i))
	})
}

// openCohort writes a published course and a cohort open for enrolment
// straight into the database: building a publishable course over HTTP
// takes dozens of calls, and the path under test is the enrolment.
func openCohort(t *testing.T, db *database.DB, capacity int) (courseID, cohortID string) {
	t.Helper()
	ctx := context.Background()
	var teamID string
	if err := db.Conn(ctx).Raw("SELECT id FROM users WHERE email = ?", faultTeamEmail).Scan(&teamID).Error; err != nil || teamID == "" {
		t.Fatalf("bootstrap team account: %q %v", teamID, err)
	}
	now := time.Now().UTC()
	methodology, courseID, cohortID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	starts := now.Add(24 * time.Hour)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO methodologies (id, title, summary, direction, created_at) VALUES (?, ?, '', 'crisis', ?)`,
			[]any{methodology, "Krīzes intervence", now}},
		{`INSERT INTO courses (id, methodology_id, owner_id, title, summary, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, '', 'lv', 5, 12, 70, 'published', ?, ?, ?)`,
			[]any{courseID, methodology, teamID, "Atbalsts krīzē", now, now, now}},
		{`INSERT INTO cohorts (id, course_id, title, capacity, enrolled_count, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
			[]any{cohortID, courseID, "Pavasaris", capacity, now.Add(-time.Hour), now.Add(2 * time.Hour), starts, starts.Add(5 * 7 * 24 * time.Hour), now, now}},
	} {
		if err := db.Conn(ctx).Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	return courseID, cohortID
}

type cohortState struct {
	capacity, enrolledCount int
	byStatus                map[string]int
	duplicates              int // learners with more than one active enrolment in the course
	rowsPerLearnerOverOne   int // learners with more than one row of any status in the cohort
}

func stateOf(t *testing.T, db *database.DB, courseID, cohortID string) cohortState {
	t.Helper()
	ctx := context.Background()
	var st cohortState
	row := db.SQL().QueryRowContext(ctx, "SELECT capacity, enrolled_count FROM cohorts WHERE id = $1", cohortID)
	if err := row.Scan(&st.capacity, &st.enrolledCount); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Status string
		N      int
	}
	if err := db.Conn(ctx).Raw("SELECT status, COUNT(*) AS n FROM enrolments WHERE cohort_id = ? GROUP BY status", cohortID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	st.byStatus = map[string]int{}
	for _, r := range rows {
		st.byStatus[r.Status] = r.N
	}
	if err := db.Conn(ctx).Raw(`SELECT COUNT(*) FROM (SELECT user_id FROM enrolments WHERE course_id = ? AND status IN ('enrolled', 'waitlisted')
		GROUP BY user_id HAVING COUNT(*) > 1) d`, courseID).Scan(&st.duplicates).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Conn(ctx).Raw(`SELECT COUNT(*) FROM (SELECT user_id FROM enrolments WHERE cohort_id = ?
		GROUP BY user_id HAVING COUNT(*) > 1) d`, cohortID).Scan(&st.rowsPerLearnerOverOne).Error; err != nil {
		t.Fatal(err)
	}
	return st
}

func (st cohortState) check(t *testing.T, when string) {
	t.Helper()
	t.Logf("%s: capacity %d, enrolled_count %d, rows %v", when, st.capacity, st.enrolledCount, st.byStatus)
	if st.enrolledCount != st.byStatus["enrolled"] {
		t.Errorf("%s: enrolled_count %d but %d rows enrolled", when, st.enrolledCount, st.byStatus["enrolled"])
	}
	if st.enrolledCount > st.capacity {
		t.Errorf("%s: %d enrolled in %d seats", when, st.enrolledCount, st.capacity)
	}
	if st.byStatus["waitlisted"] > 0 && st.enrolledCount < st.capacity {
		t.Errorf("%s: %d seats free while %d wait", when, st.capacity-st.enrolledCount, st.byStatus["waitlisted"])
	}
	if st.duplicates != 0 || st.rowsPerLearnerOverOne != 0 {
		t.Errorf("%s: %d learners with two active enrolments, %d with two rows", when, st.duplicates, st.rowsPerLearnerOverOne)
	}
}

type enrolReply struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// The server process is killed (SIGKILL) while learners rush a cohort.
// After a restart the seat count matches the rows, no learner holds two
// places, every place acknowledged before the kill is there, and the
// learners whose requests were cut off can enrol.
func TestKillDuringEnrolmentRush(t *testing.T) {
	const learners, capacity, killAfter = 300, 100, 40
	pg := testenv.OwnPostgres(t)
	env := faultEnv(t, pg, nil) // enrolment never touches object storage
	// What is under test is what survives the kill, not how fast 300
	// claims at once are answered: on a machine busy with other packages'
	// tests (-race, a browser) the default 5 s deadline was seen to run
	// out for the retries after the restart, which answered 503.
	env["MOOC_REQUEST_TIMEOUT"] = "30s"
	first := spawn(t, env)
	db := privateDB(t, pg)
	ids, tokens := learnersOf(t, db, env["MOOC_TOKEN_SECRET"], learners)
	courseID, cohortID := openCohort(t, db, capacity)
	client := newClient(t)

	answers := make([]answer, learners)
	var answered atomic.Int32
	killed := make(chan struct{})
	var wg sync.WaitGroup
	startRush := make(chan struct{})
	url := "http://" + first.addr + "/api/v1/cohorts/" + cohortID + "/enrolments"
	for i := 0; i < learners; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startRush
			answers[i] = sendJSON(client, "POST", url, tokens[i], map[string]string{})
			if answers[i].err == nil && answered.Add(1) == killAfter {
				close(killed)
			}
		}()
	}
	began := time.Now()
	close(startRush)
	select {
	case <-killed:
	case <-time.After(waitBound):
		t.Fatal("the rush did not get going")
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	_ = first.cmd.Wait()
	wg.Wait()

	counts := map[string]int{}
	for i, a := range answers {
		switch {
		case a.err != nil:
			counts["cut off"]++
		case a.status == 201:
			var e enrolReply
			_ = json.Unmarshal(a.body, &e)
			counts["201 "+e.Status]++
		default:
			counts[fmt.Sprint(a.status)]++
			t.Errorf("learner %d before the kill: %v", i, a)
		}
	}
	t.Logf("rush of %d, killed %v in after %d answers: %v", learners, killedAt.Sub(began).Round(time.Millisecond), killAfter, counts)
	if counts["cut off"] == 0 {
		t.Errorf("the kill came after the rush: %v", counts)
	}

	second := spawn(t, env)
	st := stateOf(t, db, courseID, cohortID)
	st.check(t, "after the kill")
	held := st.byStatus["enrolled"] + st.byStatus["waitlisted"]
	if acknowledged := learners - counts["cut off"]; held < acknowledged {
		t.Errorf("%d places acknowledged before the kill, %d in the database", acknowledged, held)
	}
	// Every place acknowledged before the kill was kept as acknowledged.
	for i, a := range answers {
		if a.err != nil || a.status != 201 {
			continue
		}
		var e enrolReply
		_ = json.Unmarshal(a.body, &e)
		var got []string
		if err := db.Conn(context.Background()).Raw("SELECT status FROM enrolments WHERE id = ? AND user_id = ?", e.ID, ids[i]).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != e.Status {
			t.Errorf("learner %d was told %s (%s) but the database holds %v", i, e.Status, e.ID, got)
		}
	}

	// Everyone tries (again) on the restarted server: those who hold a
	// place hear 409 already_enrolled, the others get one.
	url = "http://" + second.addr + "/api/v1/cohorts/" + cohortID + "/enrolments"
	again := map[string]int{}
	var mu sync.Mutex
	for i := 0; i < learners; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := sendJSON(client, "POST", url, tokens[i], map[string]string{})
			key := fmt.Sprint(a.status)
			if a.status == 201 {
				var e enrolReply
				_ = json.Unmarshal(a.body, &e)
				key += " " + e.Status
			} else if a.status != 409 || a.code() != "already_enrolled" {
				t.Errorf("learner %d after the restart: %v", i, a)
			}
			mu.Lock()
			again[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("after the restart: %v", again)
	st = stateOf(t, db, courseID, cohortID)
	st.check(t, "after everyone enrolled")
	if st.byStatus["enrolled"] != capacity || st.byStatus["waitlisted"] != learners-capacity || st.byStatus["withdrawn"] != 0 {
		t.Errorf("want %d enrolled and %d waitlisted, got %v", capacity, learners-capacity, st.byStatus)
	}
	if again["409"] != held {
		t.Errorf("%d learners held a place after the kill, but %d heard 409 already_enrolled", held, again["409"])
	}
}

// ---------------------------------------------------------------------------

// gatedBody is a generated MP4 upload of size bytes that pauses after
// pauseAt bytes until gate closes, then breaks off.
type gatedBody struct {
	head    []byte // a real MP4, so the type sniffs as video/mp4
	filler  []byte
	size    int64
	pauseAt int64
	gate    <-chan struct{}
	pos     int64
	sent    *atomic.Int64
}

func (g *gatedBody) Read(p []byte) (int, error) {
	if g.pos >= g.size {
		return 0, io.EOF
	}
	if g.pos >= g.pauseAt {
		<-g.gate
		return 0, errors.New("the client gave up")
	}
	limit := min(int64(len(p)), g.size-g.pos, g.pauseAt-g.pos)
	n := 0
	for int64(n) < limit {
		var c int
		if g.pos < int64(len(g.head)) {
			c = copy(p[n:limit], g.head[g.pos:])
		} else {
			c = copy(p[n:limit], g.filler[(g.pos-int64(len(g.head)))%int64(len(g.filler)):])
		}
		n += c
		g.pos += int64(c)
	}
	g.sent.Add(int64(n))
	return n, nil
}

// uploadStream posts body as the file part of a multipart/form-data
// request of known length.
func uploadStream(c *http.Client, base, token, filename string, body io.Reader, size int64) answer {
	const boundary = "fault-test-boundary-7f3a"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
		"\"\r\nContent-Type: video/mp4\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	r := io.MultiReader(strings.NewReader(head), body, strings.NewReader(tail))
	return send(c, "POST", base+"/api/v1/media", token, "multipart/form-data; boundary="+boundary, r, int64(len(head))+size+int64(len(tail)))
}

// The server process is killed while several large uploads stream through
// it. After a restart every media row has its object; objects without a
// row and unfinished multipart uploads left in the bucket are reported.
func TestKillDuringUploads(t *testing.T) {
	const streams = 3
	const size, pauseAt = 64 << 20, 24 << 20 // one 16 MiB part is in MinIO when the kill comes
	pg := testenv.OwnPostgres(t)
	mi := testenv.OwnMinIO(t)
	env := faultEnv(t, pg, mi)
	first := spawn(t, env)
	db := privateDB(t, pg)
	client := newClient(t)
	base := "http://" + first.addr
	token := faultLogin(t, client, base, faultTeamEmail, faultTeamPassword)
	video := lessonMP4(t)
	ctx := context.Background()

	if a := uploadSmall(client, base, token, "pirms.mp4", video); a.status != 201 {
		t.Fatalf("upload before the kill: %v", a)
	}
	filler := make([]byte, 1<<20)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range filler {
		filler[i] = byte(rnd.Uint32())
	}
	gate := make(chan struct{})
	var sent atomic.Int64
	var wg sync.WaitGroup
	cut := make([]answer, streams)
	for i := 0; i < streams; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := &gatedBody{head: video, filler: filler, size: size, pauseAt: pauseAt, gate: gate, sent: &sent}
			cut[i] = uploadStream(client, base, token, fmt.Sprintf("liels-%d.mp4", i), body, size)
		}()
	}
	// Kill once every stream has a part stored in MinIO.
	var pending []testenv.Upload
	if !waitUntil(waitBound, func() bool {
		ups, err := mi.IncompleteUploads(ctx, faultBucket)
		if err != nil {
			return false
		}
		pending = ups
		full := 0
		for _, u := range ups {
			if u.Bytes >= 16<<20 {
				full++
			}
		}
		return full == streams
	}) {
		close(gate)
		t.Fatalf("the uploads did not reach MinIO: %d bytes sent, unfinished uploads %+v", sent.Load(), pending)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	close(gate)
	wg.Wait()
	for i, a := range cut {
		if a.err == nil {
			t.Errorf("upload %d answered although the server was killed: %v", i, a)
		}
	}
	t.Logf("killed with %d uploads in flight, %d MiB sent", streams, sent.Load()>>20)

	second := spawn(t, env)
	base = "http://" + second.addr
	store, err := media.NewS3Store(ctx, mi.Config(faultBucket))
	if err != nil {
		t.Fatal(err)
	}
	files := media.NewService(db, store, 4<<30, slog.New(slog.NewTextHandler(io.Discard, nil)))
	swept, err := files.SweepStaleUploads(ctx, 0)
	if err != nil {
		t.Errorf("sweep: %v", err)
	}

	var rows []struct {
		ID, ObjectKey, Status string
		Size                  int64
	}
	if err := db.Conn(ctx).Raw("SELECT id, object_key, status, size FROM media").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rows {
		keys[r.ObjectKey] = true
		info, err := store.Stat(ctx, r.ObjectKey)
		switch {
		case err != nil:
			t.Errorf("media row %s (%s) has no object: %v", r.ID, r.Status, err)
		case r.Status == media.StatusReady && info.Size != r.Size:
			t.Errorf("media row %s says %d bytes, its object holds %d", r.ID, r.Size, info.Size)
		}
	}
	objects, err := mi.Objects(ctx, faultBucket, "media/")
	if err != nil {
		t.Fatal(err)
	}
	var orphans []string
	for _, k := range objects {
		if !keys[k] {
			orphans = append(orphans, k)
		}
	}
	left, err := mi.IncompleteUploads(ctx, faultBucket)
	if err != nil {
		t.Fatal(err)
	}
	var leftBytes int64
	for _, u := range left {
		leftBytes += u.Bytes
	}
	sort.Strings(orphans)
	t.Logf("after the restart and a sweep (removed %d): %d media rows, %d objects, orphan objects %v", swept, len(rows), len(objects), orphans)
	// A known weakness, bounded: a single-request upload streams into a
	// multipart upload that no row names, so a kill leaves it for the
	// bucket with nothing to remove it: SweepStaleUploads cannot see it. At most
	// one per upload in flight, holding at most what its client had sent.
	t.Logf("known weakness: %d unfinished multipart uploads holding %d MiB were left by the killed single-request uploads", len(left), leftBytes>>20)
	if len(left) > streams || leftBytes > streams*pauseAt {
		t.Errorf("the kill left %d unfinished multipart uploads holding %d bytes; the bound is one per upload in flight (%d), "+
			"each holding at most the %d bytes sent before the kill", len(left), leftBytes, streams, pauseAt)
	}

	if a := uploadSmall(client, base, token, "pec.mp4", video); a.status != 201 {
		t.Errorf("upload after the restart: %v", a)
	} else {
		var m struct{ ID string }
		_ = json.Unmarshal(a.body, &m)
		if _, err := store.Stat(ctx, "media/"+m.ID); err != nil {
			t.Errorf("the new upload has no object: %v", err)
		}
	}
}

// ---------------------------------------------------------------------------

// completedCohort writes, straight into the database, a cohort of n
// learners who each completed the course: no lessons, and a passed final
// test.
func completedCohort(t *testing.T, db *database.DB, learnerIDs []string) (cohortID string) {
	t.Helper()
	ctx := context.Background()
	_, cohortID = openCohort(t, db, len(learnerIDs))
	var courseID string
	if err := db.Conn(ctx).Raw("SELECT course_id FROM cohorts WHERE id = ?", cohortID).Scan(&courseID).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	testID := uuid.NewString()
	err := db.InTx(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		if err := conn.Exec(`INSERT INTO tests (id, course_id, title, week, final, question_count, pass_percent, time_limit_minutes, max_attempts, shuffle, created_at)
			VALUES (?, ?, 'Noslēguma tests', NULL, TRUE, 1, 70, 10, 3, TRUE, ?)`, testID, courseID, now).Error; err != nil {
			return err
		}
		for i, userID := range learnerIDs {
			enrolmentID := uuid.NewString()
			if err := conn.Exec(`INSERT INTO enrolments (id, cohort_id, course_id, user_id, status, queue_seq, enrolled_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'enrolled', ?, ?, ?, ?)`, enrolmentID, cohortID, courseID, userID, now.UnixNano()+int64(i), now, now, now).Error; err != nil {
				return err
			}
			if err := conn.Exec(`INSERT INTO attempts (id, test_id, enrolment_id, user_id, number, started_at, expires_at, submitted_at, score, max_score, percent, passed)
				VALUES (?, ?, ?, ?, 1, ?, ?, ?, 1, 1, 100, TRUE)`, uuid.NewString(), testID, enrolmentID, userID, now, now.Add(10*time.Minute), now).Error; err != nil {
				return err
			}
		}
		return conn.Exec("UPDATE cohorts SET enrolled_count = ? WHERE id = ?", len(learnerIDs), cohortID).Error
	})
	if err != nil {
		t.Fatalf("seed a completed cohort: %v", err)
	}
	return cohortID
}

// certificateState checks that every certificate row has its PDF, and
// returns the PDFs that no row names.
func certificateState(t *testing.T, db *database.DB, mi *testenv.MinIOProc, store *media.S3Store, when string) (rows int, orphans []string) {
	t.Helper()
	ctx := context.Background()
	var keys []string
	if err := db.Conn(ctx).Raw("SELECT pdf_key FROM certificates").Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, k := range keys {
		named[k] = true
		info, err := store.Stat(ctx, k)
		if err != nil {
			t.Errorf("%s: certificate %s has no PDF: %v", when, k, err)
		} else if info.Size == 0 {
			t.Errorf("%s: certificate %s has an empty PDF", when, k)
		}
	}
	objects, err := mi.Objects(ctx, faultBucket, "certificates/")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if !named[o] {
			orphans = append(orphans, o)
		}
	}
	return len(keys), orphans
}

// The server process is killed while a bulk job issues a cohort's
// certificates. No certificate is recorded without its PDF; a new job
// after the restart issues the rest, each once.
func TestKillDuringCertificateIssuing(t *testing.T) {
	const learners, killAfter = 40, 6
	pg := testenv.OwnPostgres(t)
	mi := testenv.OwnMinIO(t)
	env := faultEnv(t, pg, mi)
	first := spawn(t, env)
	db := privateDB(t, pg)
	ids, _ := learnersOf(t, db, env["MOOC_TOKEN_SECRET"], learners)
	cohortID := completedCohort(t, db, ids)
	client := newClient(t)
	base := "http://" + first.addr
	team := faultLogin(t, client, base, faultTeamEmail, faultTeamPassword)
	ctx := context.Background()
	issued := func() int {
		var n int
		_ = db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM certificates").Scan(&n)
		return n
	}

	if a := sendJSON(client, "POST", base+"/api/v1/cohorts/"+cohortID+"/certificates", team, nil); a.status != 202 {
		t.Fatalf("start the bulk issue: %v", a)
	}
	if !waitUntil(waitBound, func() bool { return issued() >= killAfter }) {
		t.Fatalf("the bulk issue did not get going: %d issued", issued())
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	atKill := issued()
	if atKill >= learners {
		t.Errorf("the kill came after the job: %d of %d issued", atKill, learners)
	}

	store, err := media.NewS3Store(ctx, mi.Config(faultBucket))
	if err != nil {
		t.Fatal(err)
	}
	rows, orphansAtKill := certificateState(t, db, mi, store, "after the kill")
	sort.Strings(orphansAtKill)
	t.Logf("killed with %d of %d certificates issued; %d rows, PDFs without a row: %v", atKill, learners, rows, orphansAtKill)

	second := spawn(t, env)
	base = "http://" + second.addr
	a := sendJSON(client, "POST", base+"/api/v1/cohorts/"+cohortID+"/certificates", team, nil)
	var job struct{ ID, Status string }
	if a.status != 202 || json.Unmarshal(a.body, &job) != nil {
		t.Fatalf("start the bulk issue again: %v", a)
	}
	var last answer
	if !waitUntil(waitBound, func() bool {
		last = sendJSON(client, "GET", base+"/api/v1/certificate-jobs/"+job.ID, team, nil)
		return last.status == 200 && strings.Contains(string(last.body), `"status":"done"`)
	}) {
		t.Fatalf("the second job did not finish: %v", last)
	}
	t.Logf("second job: %s", last.body)
	rows, orphans := certificateState(t, db, mi, store, "after the second job")
	sort.Strings(orphans)
	if rows != learners {
		t.Errorf("%d certificates for %d learners", rows, learners)
	}
	var twice int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT source_id FROM certificates GROUP BY source_kind, source_id HAVING COUNT(*) > 1) d`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if twice != 0 {
		t.Errorf("%d enrolments hold two certificates", twice)
	}
	// A known weakness, bounded: PDFs stored but not yet recorded when the
	// process dies stay in storage without a row, where nothing serves
	// them (a PDF is found through its row). At most the batch being
	// recorded, the workers' buffer and one per worker
	// (certificates.jobWorkers, maxBatch), never more than the learners
	// not issued at the kill; and a job that runs to its end leaves none.
	t.Logf("known weakness: %d PDFs without a certificate row were left by the kill: %v", len(orphans), orphans)
	workers := runtime.GOMAXPROCS(0) * 4
	if bound := min(learners-atKill, 32+2*workers); len(orphans) > bound {
		t.Errorf("%d PDFs without a row after the kill; the bound is %d", len(orphans), bound)
	}
	if !slices.Equal(orphans, orphansAtKill) {
		t.Errorf("the second job left PDFs without a row: %v after the kill, %v after the job", orphansAtKill, orphans)
	}
	for _, o := range orphans {
		code := strings.TrimSuffix(strings.TrimPrefix(o, "certificates/"), ".pdf")
		if a := sendJSON(client, "GET", base+"/api/v1/certificates/"+code+"/verify", "", nil); a.status != 404 {
			t.Errorf("the orphan PDF %s verifies: %v", o, a)
		}
		if a := sendJSON(client, "GET", base+"/api/v1/certificates/"+code+"/pdf", team, nil); a.status != 404 {
			t.Errorf("the orphan PDF %s is served: %v", o, a)
		}
	}
	var stuck []string
	if err := db.Conn(ctx).Raw("SELECT status FROM certificate_jobs WHERE id <> ?", job.ID).Scan(&stuck).Error; err != nil {
		t.Fatal(err)
	}
	t.Logf("the killed job's status after the restart: %v (taken over only after it has been stale for 5 minutes)", stuck)
}
