package certificates

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/lease"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
)

// gatedObjects holds every Put at a gate (a slow or hung storage).
type gatedObjects struct {
	media.ObjectStore
	gate *testkit.Gate
}

func (g gatedObjects) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (media.ObjectInfo, error) {
	if err := g.gate.Wait(ctx); err != nil {
		return media.ObjectInfo{}, err
	}
	return g.ObjectStore.Put(ctx, key, r, size, contentType)
}

// replica is another process's certificates service over the same
// database and storage, with its own name, a fast heartbeat and the
// shared clock.
func (e *bulkEnv) replica(name string, clk *testkit.Clock, logs *testkit.Logs, objects media.ObjectStore) *Service {
	d := e.deps
	d.Now = clk.Now
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

// startHung starts a replica's job for the cohort with storage held at
// gate, and returns once the replica is storing the first PDF.
func (e *bulkEnv) startHung(t *testing.T, name string, clk *testkit.Clock, logs *testkit.Logs, cohortID string, gate *testkit.Gate) (*Service, Job, func()) {
	t.Helper()
	a := e.replica(name, clk, logs, gatedObjects{ObjectStore: e.objects, gate: gate})
	stop := run(a)
	j, err := a.StartBulk(context.Background(), e.team, cohortID)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	<-gate.Arrived()
	return a, j, stop
}

// waitDone waits until a replica said it finished the job (just after
// writing it done), and returns the job.
func (e *bulkEnv) waitDone(t *testing.T, logs *testkit.Logs, id string) Job {
	t.Helper()
	testkit.Eventually(t, "the job to be finished", func() (int, bool) {
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
		clk, logs := &testkit.Clock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "dead", 3))
		claimed := clk.Now().UTC()
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
		clk.Advance(JobLease + time.Second)
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
		clk, logs := &testkit.Clock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "stopped", 4))

		_, j, stopA := e.startHung(t, "replica-a", clk, logs, cohortID, testkit.NewGate())
		stopA() // a dies: nothing released, the lease left to lapse

		b := e.replica("replica-b", clk, logs, nil)
		defer run(b)()
		clk.Advance(JobLease + time.Second)
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
		clk, logs := &testkit.Clock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "slow", 2))

		slow := testkit.NewGate()
		_, j, stopA := e.startHung(t, "replica-a", clk, logs, cohortID, slow)
		defer stopA()
		clk.Advance(JobLease + 10*time.Second)
		moved := clk.Now().UTC()
		testkit.Eventually(t, "a heartbeat after the clock moved", func() (*time.Time, bool) {
			row, err := e.svc.store.job(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			return row.ClaimedAt, row.ClaimedAt != nil && !row.ClaimedAt.Before(moved)
		})
		b := e.replica("replica-b", clk, logs, nil)
		now := clk.Now().UTC()
		if taken, _, ok, err := b.store.claim(ctx, now, now.Add(-JobLease), "replica-b"); err != nil || ok {
			t.Fatalf("replica-b claimed a job whose lease is renewed: %+v, %v", taken, err)
		}

		slow.Open()
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
		clk, logs := &testkit.Clock{}, &testkit.Logs{}
		cohortID, _ := e.cohort(t, e.learners(t, "twice", 6))
		a, b := e.replica("replica-a", clk, logs, nil), e.replica("replica-b", clk, logs, nil)
		defer run(a)()
		defer run(b)()
		// Queued as another replica's StartBulk would: both find it by polling.
		j := jobRow{ID: uuid.NewString(), CohortID: cohortID, CreatedBy: e.team.UserID, Status: JobQueued, CreatedAt: clk.Now().UTC()}
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
