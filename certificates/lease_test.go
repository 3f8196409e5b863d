package certificates

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/lease"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
)

// testClock is the replicas' shared clock, which a test moves.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// gatedObjects holds every Put until the gate opens (a slow or hung
// storage), saying when the first arrived.
type gatedObjects struct {
	media.ObjectStore
	gate    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func newGatedObjects(under media.ObjectStore) *gatedObjects {
	return &gatedObjects{ObjectStore: under, gate: make(chan struct{}), entered: make(chan struct{})}
}

func (g *gatedObjects) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (media.ObjectInfo, error) {
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.gate:
	case <-ctx.Done():
		return media.ObjectInfo{}, ctx.Err()
	}
	return g.ObjectStore.Put(ctx, key, r, size, contentType)
}

// replica is another process's certificates service over the same
// database and storage, with its own name, a fast heartbeat and the
// shared clock.
func (e *bulkEnv) replica(name string, clk *testClock, logs *testkit.Logs, objects media.ObjectStore) *Service {
	d := e.deps
	d.Now = clk.now
	d.Log = logs.Logger()
	d.Worker = lease.Worker{Replica: name, Heartbeat: 5 * time.Millisecond, Log: d.Log}
	if objects != nil {
		d.Objects = objects
	}
	return New(d)
}

// run runs svc's job runner, polling every few milliseconds, until the
// returned stop, which waits for it to return.
func run(svc *Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); svc.RunJobs(ctx, 5*time.Millisecond) }()
	return func() { cancel(); <-stopped }
}

// waitDone waits until a replica said it finished the job (just after
// writing it done), and returns the job.
func (e *bulkEnv) waitDone(t *testing.T, logs *testkit.Logs, id string) Job {
	t.Helper()
	waitFor(t, "the job to be finished", func() (int, bool) {
		n := 0
		for _, r := range logs.Records(t, "job finished") {
			if r["job"] == id {
				n++
			}
		}
		return n, n > 0
	})
	j, err := e.svc.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != JobDone {
		t.Fatalf("finished, but %+v", j)
	}
	return j
}

// waitFor polls cond until it holds, failing after a minute.
func waitFor[T any](t *testing.T, what string, cond func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		v, ok := cond()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s: %+v", what, v)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// assertLogged checks the records of msg: one per replica named, in that
// order, each about the job, with the attributes given.
func assertLogged(t *testing.T, logs *testkit.Logs, msg, jobID string, want ...map[string]any) {
	t.Helper()
	got := logs.Records(t, msg)
	if len(got) != len(want) {
		t.Fatalf("%d %q lines, want %d: %v", len(got), msg, len(want), got)
	}
	for i, w := range want {
		w["job"], w["kind"] = jobID, jobKind
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("%q line %d: %s = %v, want %v (%v)", msg, i, k, got[i][k], v, got[i])
			}
		}
	}
}

// A job whose replica died holding it (its lease lapsed under a name no
// process answers to) is taken over by the next replica to look, which
// says whose it was, and finished.
func TestBulkJobOfADeadReplicaIsTakenOver(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newIdleBulkEnv(t, db)
		ctx := context.Background()
		clk, logs := &testClock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "dead", 3))
		claimed := clk.now().UTC()
		j := jobRow{ID: uuid.NewString(), CohortID: cohortID, CreatedBy: e.team.UserID, Status: JobRunning,
			ClaimedAt: &claimed, ClaimedBy: "replica-dead", CreatedAt: claimed}
		if err := e.svc.store.insertJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		// What the dead replica had stored without recording it.
		lost := pdfKeyPrefix + "LOST-0000.pdf"
		if _, err := e.objects.Put(ctx, lost, bytes.NewReader([]byte("%PDF-")), 5, "application/pdf"); err != nil {
			t.Fatal(err)
		}

		b := e.replica("replica-b", clk, logs, nil)
		defer run(b)()
		clk.advance(JobLease + time.Second)
		done := e.waitDone(t, logs, j.ID)
		if done.Issued != 3 || done.Failed != 0 {
			t.Fatalf("job %+v", done)
		}
		assertLogged(t, logs, "job taken over", j.ID, map[string]any{"replica": "replica-b", "previous_replica": "replica-dead"})
		assertLogged(t, logs, "job finished", j.ID, map[string]any{"replica": "replica-b"})
		if n := len(logs.Records(t, "job claimed")); n != 0 {
			t.Errorf("%d first claims of a job that was held", n)
		}

		// The orphan sweep asks which PDFs a row names.
		var issued certificateRow
		if err := db.Conn(ctx).Where("source_kind = ?", SourceEnrolment).Take(&issued).Error; err != nil {
			t.Fatal(err)
		}
		known, err := b.KnownKeys(ctx, []string{issued.PDFKey, lost})
		if err != nil || !known[issued.PDFKey] || known[lost] || b.KeyPrefix() != "certificates/" {
			t.Errorf("known PDFs %v (%v) under %q", known, err, b.KeyPrefix())
		}
	})
}

// A replica that stops mid-job without releasing it (its process killed)
// leaves the job to its lease; once that lapses another replica takes the
// job over and finishes it, every certificate once.
func TestBulkJobOfAStoppedReplicaIsTakenOver(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newIdleBulkEnv(t, db)
		ctx := context.Background()
		clk, logs := &testClock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "stopped", 4))

		hung := newGatedObjects(e.objects)
		a := e.replica("replica-a", clk, logs, hung)
		stopA := run(a)
		j, err := a.StartBulk(ctx, e.team, cohortID)
		if err != nil {
			t.Fatal(err)
		}
		<-hung.entered // a is storing the first PDF
		stopA()        // and dies: nothing released, the lease left to lapse

		b := e.replica("replica-b", clk, logs, nil)
		defer run(b)()
		clk.advance(JobLease + time.Second)
		done := e.waitDone(t, logs, j.ID)
		if done.Issued != 4 || done.Failed != 0 || done.Existing != 0 {
			t.Fatalf("job %+v", done)
		}
		assertLogged(t, logs, "job claimed", j.ID, map[string]any{"replica": "replica-a"})
		assertLogged(t, logs, "job taken over", j.ID, map[string]any{"replica": "replica-b", "previous_replica": "replica-a"})
		assertLogged(t, logs, "job finished", j.ID, map[string]any{"replica": "replica-b"})
		e.assertEveryRowHasItsPDF(t)
	})
}

// A job that takes longer than its lease keeps it: the heartbeat renews
// it while the job waits on storage, so no replica takes it over.
func TestBulkJobLeaseIsRenewedWhileItRuns(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newIdleBulkEnv(t, db)
		ctx := context.Background()
		clk, logs := &testClock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "slow", 2))

		slow := newGatedObjects(e.objects)
		a := e.replica("replica-a", clk, logs, slow)
		defer run(a)()
		j, err := a.StartBulk(ctx, e.team, cohortID)
		if err != nil {
			t.Fatal(err)
		}
		<-slow.entered
		clk.advance(JobLease + 10*time.Second)
		moved := clk.now().UTC()
		waitFor(t, "a heartbeat after the clock moved", func() (*time.Time, bool) {
			row, err := e.svc.store.job(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			return row.ClaimedAt, row.ClaimedAt != nil && !row.ClaimedAt.Before(moved)
		})
		b := e.replica("replica-b", clk, logs, nil)
		now := clk.now().UTC()
		if taken, _, ok, err := b.store.claim(ctx, now, now.Add(-JobLease), "replica-b"); err != nil || ok {
			t.Fatalf("replica-b claimed a job whose lease is renewed: %+v, %v", taken, err)
		}

		close(slow.gate)
		if done := e.waitDone(t, logs, j.ID); done.Issued != 2 {
			t.Fatalf("job %+v", done)
		}
		assertLogged(t, logs, "job claimed", j.ID, map[string]any{"replica": "replica-a"})
		assertLogged(t, logs, "job finished", j.ID, map[string]any{"replica": "replica-a"})
		if n := len(logs.Records(t, "job taken over")); n != 0 {
			t.Errorf("%d takeovers of a live job", n)
		}
	})
}

// Two replicas polling for one job: one claims it, one finishes it, and
// every certificate is issued once.
func TestBulkJobIsDoneOnceByTwoReplicas(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newIdleBulkEnv(t, db)
		ctx := context.Background()
		clk, logs := &testClock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "twice", 6))
		a, b := e.replica("replica-a", clk, logs, nil), e.replica("replica-b", clk, logs, nil)
		defer run(a)()
		defer run(b)()
		// Queued as another replica's StartBulk would: both find it by polling.
		j := jobRow{ID: uuid.NewString(), CohortID: cohortID, CreatedBy: e.team.UserID, Status: JobQueued, CreatedAt: clk.now().UTC()}
		if err := e.svc.store.insertJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if done := e.waitDone(t, logs, j.ID); done.Issued != 6 || done.Existing != 0 {
			t.Fatalf("job %+v", done)
		}
		claims, finishes := logs.Records(t, "job claimed"), logs.Records(t, "job finished")
		if len(claims) != 1 || len(finishes) != 1 || claims[0]["replica"] != finishes[0]["replica"] {
			t.Fatalf("claims %v, finishes %v: want one of each, by one replica", claims, finishes)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM certificates"); n != 6 {
			t.Errorf("%d certificates", n)
		}
		e.assertEveryRowHasItsPDF(t)
	})
}
