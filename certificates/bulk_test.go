package certificates

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
	"mooc/notify/outbox"
)

// bulkEnv is the certificates service over a real database and MinIO,
// with its job runner, and a course whose cohorts are filled with SQL.
type bulkEnv struct {
	db      *database.DB
	svc     *Service
	deps    Deps // svc's, for more replicas
	objects *keptObjects
	people  *accounts.Service
	results *finalResults
	team    accounts.Principal
	courses *cohorts.Service
}

func newBulkEnv(t testing.TB, db *database.DB) *bulkEnv {
	t.Helper()
	e := newIdleBulkEnv(t, db)
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); e.svc.RunJobs(ctx, time.Minute) }()
	t.Cleanup(func() { stop(); <-stopped })
	return e
}

// newIdleBulkEnv is newBulkEnv without a job runner.
func newIdleBulkEnv(t testing.TB, db *database.DB) *bulkEnv {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	people, err := accounts.New(db, accounts.Options{TokenSecret: []byte("bulk-test-secret-0123456789abcdef-0123456789"),
		Hashing: &testkit.Hashing, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	objects := &keptObjects{ObjectStore: testenv.S3Store(t), keys: map[string]bool{}}
	files := media.NewService(db, objects, 1<<20, log)
	results := &finalResults{failed: map[string]bool{}}
	queue := outbox.New(db, nil)
	running := cohorts.New(cohorts.Deps{DB: db, Courses: catalogue.New(catalogue.Deps{DB: db, Media: files, Tests: results}),
		Files: files, Tests: results, Audience: people, Outbox: queue})
	deps := Deps{DB: db, Objects: objects, Enrolments: running, Holders: people, Outbox: queue,
		PublicURL: "https://mooc.example.lv", Issuer: Issuer{Name: testIssuer}, Seal: testSeal(t), Log: log}
	svc := New(deps)
	e := &bulkEnv{db: db, svc: svc, deps: deps, objects: objects, people: people, results: results, courses: running}
	e.team = accounts.Principal{UserID: e.learners(t, "team", 1)[0], Roles: []string{accounts.RoleTeam}}
	return e
}

var (
	givenNames  = []string{"Līga", "Jānis", "Ģirts", "Anna", "Mārtiņš", "Žanna", "Kārlis", "Ilze"}
	familyNames = []string{"Ozoliņa", "Bērziņš", "Ķļaviņš", "Kalniņa", "Šmits", "Pētersone", "Čakste", "Vītola"}
)

// learners registers n learners and returns their ids.
func (e *bulkEnv) learners(t testing.TB, prefix string, n int) []string {
	t.Helper()
	ids, _ := testkit.SignUp(t, e.people, n, func(i int) accounts.Registration {
		r := testkit.Person(fmt.Sprintf("%s.%d.%s@example.lv", prefix, i, uuid.NewString()[:8]))
		r.GivenName, r.FamilyName = givenNames[i%len(givenNames)], fmt.Sprintf("%s %d", familyNames[i%len(familyNames)], i)
		return r
	})
	return ids
}

// cohort writes a published course of no lessons and a cohort in which the
// learners hold seats; the enrolments come back in the learners' order.
func (e *bulkEnv) cohort(t testing.TB, learners []string) (cohortID string, enrolments []string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	methodology, courseID, cohortID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	starts := now.Add(-40 * 24 * time.Hour)
	err := e.db.InTx(ctx, func(ctx context.Context) error {
		conn := e.db.Conn(ctx)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO methodologies (id, title, summary, direction, created_at) VALUES (?, ?, '', 'crisis', ?)`,
				[]any{methodology, "Krīzes intervence", now}},
			{`INSERT INTO courses (id, methodology_id, owner_id, title, summary, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, '', 'lv', 5, 12, 70, 'published', ?, ?, ?)`,
				[]any{courseID, methodology, e.team.UserID, "Krīzes intervence sociālajā darbā", now, now, now}},
			{`INSERT INTO cohorts (id, course_id, title, capacity, enrolled_count, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				[]any{cohortID, courseID, "Pavasaris", len(learners), len(learners), starts.Add(-7 * 24 * time.Hour), starts, starts, starts.Add(35 * 24 * time.Hour), now, now}},
		} {
			if err := conn.Exec(q.sql, q.args...).Error; err != nil {
				return err
			}
		}
		for i, userID := range learners {
			id := uuid.NewString()
			if err := conn.Exec(`INSERT INTO enrolments (id, cohort_id, course_id, user_id, status, queue_seq, enrolled_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'enrolled', ?, ?, ?, ?)`, id, cohortID, courseID, userID, now.UnixNano()+int64(i), now, now, now).Error; err != nil {
				return err
			}
			enrolments = append(enrolments, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed a cohort: %v", err)
	}
	return cohortID, enrolments
}

// issue runs a bulk job for the cohort to its end.
func (e *bulkEnv) issue(t testing.TB, cohortID string) Job {
	t.Helper()
	ctx := context.Background()
	j, err := e.svc.StartBulk(ctx, e.team, cohortID)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for j.Status != JobDone {
		if time.Now().After(deadline) {
			t.Fatalf("the job is not done: %+v", j)
		}
		time.Sleep(5 * time.Millisecond)
		if j, err = e.svc.Job(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

func (e *bulkEnv) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Conn(context.Background()).Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// finalResults stands in for the assessment domain: every final test is
// passed but those of the failed enrolments.
type finalResults struct {
	mu     sync.Mutex
	failed map[string]bool
}

func (r *finalResults) fail(enrolmentIDs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range enrolmentIDs {
		r.failed[id] = true
	}
}

// FinalPassedAt says every passed final test was passed a day ago.
func (r *finalResults) FinalPassedAt(_ context.Context, enrolmentIDs []string) (map[string]time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]time.Time, len(enrolmentIDs))
	for _, id := range enrolmentIDs {
		if !r.failed[id] {
			out[id] = time.Now().UTC().Add(-24 * time.Hour)
		}
	}
	return out, nil
}

func (r *finalResults) Results(_ context.Context, enrolmentIDs []string) (map[string]cohorts.TestResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]cohorts.TestResult, len(enrolmentIDs))
	for _, id := range enrolmentIDs {
		out[id] = cohorts.TestResult{Passed: 1, FinalPassed: !r.failed[id]}
	}
	return out, nil
}

// ForCourses: the seeded courses list no tests.
func (r *finalResults) ForCourses(context.Context, []string) (map[string][]catalogue.TestSummary, error) {
	return map[string][]catalogue.TestSummary{}, nil
}

// keptObjects remembers which keys hold an object, since the store cannot
// list them.
type keptObjects struct {
	media.ObjectStore
	mu   sync.Mutex
	keys map[string]bool
}

func (o *keptObjects) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (media.ObjectInfo, error) {
	info, err := o.ObjectStore.Put(ctx, key, r, size, contentType)
	if err == nil {
		o.mu.Lock()
		o.keys[key] = true
		o.mu.Unlock()
	}
	return info, err
}

func (o *keptObjects) Delete(ctx context.Context, key string) error {
	err := o.ObjectStore.Delete(ctx, key)
	if err == nil {
		o.mu.Lock()
		delete(o.keys, key)
		o.mu.Unlock()
	}
	return err
}

// assertEveryRowHasItsPDF checks that the certificate rows and the stored
// PDFs are the same set, and that each certificate has its notice.
func (e *bulkEnv) assertEveryRowHasItsPDF(t *testing.T) {
	t.Helper()
	var rows []certificateRow
	if err := e.db.Conn(context.Background()).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	e.objects.mu.Lock()
	defer e.objects.mu.Unlock()
	for _, r := range rows {
		if !e.objects.keys[r.PDFKey] {
			t.Errorf("certificate %s has no PDF", r.Code)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE id = ? AND user_id = ? AND template = 'certificate_issued'", "certificate:"+r.ID, r.UserID); n != 1 {
			t.Errorf("certificate %s has %d notices", r.Code, n)
		}
	}
	if len(e.objects.keys) != len(rows) {
		t.Errorf("%d PDFs stored for %d certificates", len(e.objects.keys), len(rows))
	}
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE template = 'certificate_issued'"); n != len(rows) {
		t.Errorf("%d notices for %d certificates", n, len(rows))
	}
}

func TestBulkIssue(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newBulkEnv(t, db)
		learners := e.learners(t, "learner", 45)
		cohortID, enrolments := e.cohort(t, learners)
		e.results.fail(enrolments[40:]...)
		// One has taken theirs already.
		ctx := context.Background()
		own, created, err := e.svc.IssueForEnrolment(ctx, accounts.Principal{UserID: learners[3], Roles: []string{accounts.RoleLearner}}, enrolments[3])
		if err != nil || !created {
			t.Fatalf("issue one: %v, created %v", err, created)
		}

		j := e.issue(t, cohortID)
		if j.Total != 45 || j.Issued != 39 || j.Existing != 1 || j.NotEligible != 5 || j.Failed != 0 || j.FinishedAt == nil {
			t.Fatalf("job %+v", j)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM certificates"); n != 40 {
			t.Fatalf("%d certificates", n)
		}
		e.assertEveryRowHasItsPDF(t)

		// Each holder's own name is on their PDF.
		for _, i := range []int{0, 3, 39} {
			c, err := e.svc.store.bySource(ctx, SourceEnrolment, enrolments[i])
			if err != nil {
				t.Fatal(err)
			}
			if i == 3 && c.Code != own.Code {
				t.Errorf("the job replaced the certificate issued before: %s, was %s", c.Code, own.Code)
			}
			want := fmt.Sprintf("%s %s %d", givenNames[i%len(givenNames)], familyNames[i%len(familyNames)], i)
			if c.HolderName != want {
				t.Errorf("holder %q, want %q", c.HolderName, want)
			}
			r, err := e.objects.Open(ctx, c.PDFKey, 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := io.ReadAll(r)
			_ = r.Close()
			if err != nil {
				t.Fatal(err)
			}
			assertContains(t, testkit.PDFText(t, pdf), want, "„Krīzes intervence sociālajā darbā”", "12 stundas", c.Code)
		}

		// A second job finds everything done and writes nothing.
		again := e.issue(t, cohortID)
		if again.Issued != 0 || again.Existing != 40 || again.NotEligible != 5 || again.Failed != 0 {
			t.Fatalf("second job %+v", again)
		}
		e.assertEveryRowHasItsPDF(t)
	})
}

// A batch in which one certificate cannot be written records the others,
// and one whose source got its certificate meanwhile gives way to it.
func TestBulkBatchKeepsTheGoodCertificates(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newBulkEnv(t, db)
		ctx := context.Background()
		learners := e.learners(t, "batch", 4)
		cohortID, enrolments := e.cohort(t, learners)
		done, err := e.courses.Completions(ctx, enrolments)
		if err != nil {
			t.Fatal(err)
		}
		holders, err := e.svc.holderNames(ctx, done)
		if err != nil {
			t.Fatal(err)
		}
		// A job of its own, which the runner leaves alone.
		j := jobRow{ID: uuid.NewString(), CohortID: cohortID, CreatedBy: e.team.UserID, Status: JobRunning, CreatedAt: time.Now().UTC()}
		if err := e.svc.store.insertJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		batch := make([]outcome, len(done))
		for i, c := range done {
			if batch[i] = e.svc.prepare(ctx, c, holders); batch[i].err != nil {
				t.Fatal(batch[i].err)
			}
		}
		// The learner of the first took theirs while the batch was on its
		// way; the second collides with the third's code.
		if _, created, err := e.svc.Issue(ctx, completionGrant(done[0])); err != nil || !created {
			t.Fatalf("issue: %v, created %v", err, created)
		}
		batch[1].row.Code = batch[2].row.Code

		var tally jobTally
		e.svc.recordBatch(ctx, j.ID, batch, &tally, e.svc.log)
		if want := (jobTally{issued: 2, existing: 1, failed: 1}); tally != want {
			t.Fatalf("tally %+v, want %+v", tally, want)
		}
		stored, err := e.svc.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Issued != 2 || stored.Existing != 1 || stored.Failed != 1 {
			t.Errorf("job progress %+v", stored)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM certificates"); n != 3 {
			t.Errorf("%d certificates", n)
		}
		e.assertEveryRowHasItsPDF(t)
	})
}

// BenchmarkBulkIssue issues a 200-learner cohort's certificates per
// iteration on PostgreSQL and MinIO; compare with BenchmarkRender.
func BenchmarkBulkIssue(b *testing.B) {
	const cohortSize = 200
	e := newBulkEnv(b, testenv.Postgres(b))
	learners := e.learners(b, "bench", cohortSize)
	issued := 0
	cpu0 := processCPU(b)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		cohortID, _ := e.cohort(b, learners)
		b.StartTimer()
		j := e.issue(b, cohortID)
		if j.Issued != cohortSize || j.Failed != 0 {
			b.Fatalf("job %+v", j)
		}
		issued += j.Issued
	}
	b.ReportMetric(float64(issued)/b.Elapsed().Seconds(), "certificates/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(issued, 1)), "ns/certificate")
	// The seeding's share is small: a few statements per iteration.
	b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(max(issued, 1)), "cpu-ns/certificate")
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
