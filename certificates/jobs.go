package certificates

import (
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/cohorts"
	"mooc/internal/lease"
)

// JobLease is how long a running job's claim holds without a heartbeat;
// the heartbeat renews it every lease.Renew while the job runs, so only a
// job whose replica died (or stopped) goes without one that long. Issuing
// is idempotent, so the replica taking it over repeating part of it is
// harmless.
const JobLease = lease.Term

// JobPoll is how often a replica looks for queued jobs besides being woken
// by StartBulk on itself: for jobs queued on other replicas, and for those
// whose lease lapsed. A dead replica's job is taken over within JobLease +
// JobPoll (25 s).
const JobPoll = 5 * time.Second

// jobKind names bulk certificate jobs in the log.
const jobKind = "certificates.bulk"

// StartBulk queues the issue of every eligible certificate of a cohort
// (the team). Errors: cohorts.ErrNotFound.
func (s *Service) StartBulk(ctx context.Context, caller accounts.Principal, cohortID string) (Job, error) {
	if _, err := s.enrolments.Cohort(ctx, cohortID); err != nil {
		return Job{}, err
	}
	now := s.now().UTC()
	j := jobRow{ID: uuid.NewString(), CohortID: cohortID, CreatedBy: caller.UserID, Status: JobQueued, CreatedAt: now}
	if err := s.store.insertJob(ctx, j); err != nil {
		return Job{}, err
	}
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return toJob(j), nil
}

// Job reports a bulk issue's progress. Errors: ErrNotFound.
func (s *Service) Job(ctx context.Context, id string) (Job, error) {
	if uuid.Validate(id) != nil {
		return Job{}, ErrNotFound
	}
	j, err := s.store.job(ctx, id)
	return toJob(j), err
}

// RunJobs works through queued jobs until ctx ends: when woken by
// StartBulk, and every poll interval for jobs queued by other replicas or
// left behind by a crashed one.
func (s *Service) RunJobs(ctx context.Context, poll time.Duration) {
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		for {
			now := s.now().UTC()
			j, previous, ok, err := s.store.claim(ctx, now, now.Add(-JobLease), s.worker.Name())
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("certificate jobs: claim", "error", err)
				}
				break
			}
			if !ok {
				break
			}
			s.worker.Claimed(jobKind, j.ID, previous, "cohort", j.CohortID)
			s.runJob(ctx, j)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-ticker.C:
		}
	}
}

// jobWorkers render and store PDFs side by side. Rendering takes a core for
// about a millisecond, storing waits on object storage several times as
// long, so more workers than cores keep both busy.
func jobWorkers() int { return runtime.GOMAXPROCS(0) * 4 }

// maxBatch bounds the certificates recorded in one transaction.
const maxBatch = 32

// runJob issues a cohort's certificates. Workers render and store the PDFs
// while this goroutine records them: whatever the workers stored while the
// previous batch was being written goes into one transaction, with the
// notices and the job's progress.
//
// The job's lease is renewed while it runs; should another replica take it
// over all the same (this one stalled past the lease), the work stops.
func (s *Service) runJob(ctx context.Context, j jobRow) {
	replica := s.worker.Name()
	log := s.log.With("replica", replica, "job", j.ID, "kind", jobKind, "cohort", j.CohortID)
	ctx, release := s.worker.Keep(ctx, jobKind, j.ID, func(ctx context.Context) (bool, error) {
		return s.store.renewJob(ctx, j.ID, replica, s.now().UTC())
	})
	defer release()
	ids, err := s.enrolments.EnrolledInCohort(ctx, j.CohortID)
	if err == nil {
		err = s.store.updateJob(ctx, j.ID, map[string]any{"total": len(ids)})
	}
	if err != nil {
		log.Error("certificate job failed to start", "error", err)
		return
	}
	existing, err := s.store.bySources(ctx, SourceEnrolment, ids)
	if err != nil {
		log.Error("certificate job failed to start", "error", err)
		return
	}
	var todo []string
	for _, id := range ids {
		if _, ok := existing[id]; !ok {
			todo = append(todo, id)
		}
	}
	done, err := s.enrolments.Completions(ctx, todo)
	var holders map[string]string
	if err == nil {
		holders, err = s.holderNames(ctx, done)
	}
	if err != nil {
		log.Error("certificate job failed to start", "error", err)
		return
	}

	// A small buffer: a PDF stored but not recorded when the process dies
	// stays behind in storage without a row.
	workers := jobWorkers()
	work := make(chan cohorts.Completion)
	stored := make(chan outcome, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				stored <- s.prepare(ctx, c, holders)
			}
		})
	}
	go func() {
		for _, c := range done {
			work <- c
		}
		close(work)
		wg.Wait()
		close(stored)
	}()
	tally := jobTally{existing: len(existing)}
	for first := range stored {
		s.recordBatch(ctx, j.ID, takeBatch(first, stored), &tally, log)
	}
	if ctx.Err() != nil {
		// Stopping, or the lease was lost: the job stays running under
		// its lease, and whoever holds it next finishes it.
		log.Info("certificate job left unfinished", "error", context.Cause(ctx))
		return
	}
	fields := tally.fields()
	fields["status"], fields["finished_at"] = JobDone, s.now().UTC()
	switch finished, err := s.store.finishJob(ctx, j.ID, replica, fields); {
	case err != nil:
		log.Error("certificate job could not finish", "error", err)
	case finished:
		s.worker.Finished(jobKind, j.ID, "cohort", j.CohortID, "issued", tally.issued,
			"existing", tally.existing, "not_eligible", tally.notEligible, "failed", tally.failed)
	default:
		log.Warn("certificate job finished by another replica")
	}
}

// holderNames reads the names of the learners due a certificate, for the
// whole cohort at once.
func (s *Service) holderNames(ctx context.Context, done []cohorts.Completion) (map[string]string, error) {
	var ids []string
	for _, c := range done {
		if len(c.Missing) == 0 {
			ids = append(ids, c.UserID)
		}
	}
	users, err := s.holders.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(users))
	for id, u := range users {
		names[id] = u.FullName()
	}
	return names, nil
}

// outcome is what a worker made of one learner: a stored PDF whose row is
// still to be written, or the reason there is none.
type outcome struct {
	enrolmentID string
	row         certificateRow
	notEligible bool
	err         error
}

func (s *Service) prepare(ctx context.Context, c cohorts.Completion, holders map[string]string) outcome {
	o := outcome{enrolmentID: c.EnrolmentID}
	name, ok := holders[c.UserID]
	switch {
	case len(c.Missing) > 0:
		o.notEligible = true
	case !ok:
		o.err = ErrNotFound
	default:
		o.row, o.err = s.storePDF(ctx, completionGrant(c), name)
	}
	return o
}

// takeBatch adds to first what else is ready, without waiting.
func takeBatch(first outcome, ready <-chan outcome) []outcome {
	batch := []outcome{first}
	for len(batch) < maxBatch {
		select {
		case o, ok := <-ready:
			if !ok {
				return batch
			}
			batch = append(batch, o)
		default:
			return batch
		}
	}
	return batch
}

type jobTally struct{ issued, existing, notEligible, failed int }

func (t jobTally) fields() map[string]any {
	return map[string]any{"issued": t.issued, "existing": t.existing, "not_eligible": t.notEligible, "failed": t.failed}
}

// recordBatch writes the rows of a batch's stored PDFs, their notices and
// the job's progress in one transaction. Should that fail, it records the
// certificates one by one, so that one bad row costs no others.
func (s *Service) recordBatch(ctx context.Context, jobID string, batch []outcome, t *jobTally, log *slog.Logger) {
	next := *t
	var rows []certificateRow
	for _, o := range batch {
		switch {
		case o.notEligible:
			next.notEligible++
		case o.err != nil:
			next.failed++
			log.Error("certificate not issued", "enrolment", o.enrolmentID, "error", o.err)
		default:
			rows = append(rows, o.row)
		}
	}
	// In one order, so that two jobs writing the same cohort at once cannot
	// each wait for a row the other holds.
	slices.SortFunc(rows, func(a, b certificateRow) int { return strings.Compare(a.SourceID, b.SourceID) })
	var kept map[string]bool
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		after := next
		if len(rows) > 0 {
			var err error
			if kept, err = s.store.insertMany(ctx, rows); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if !kept[r.ID] {
				after.existing++
				continue
			}
			after.issued++
			if err := s.notice(ctx, r); err != nil {
				return err
			}
		}
		if err := s.store.updateJob(ctx, jobID, after.fields()); err != nil {
			return err
		}
		next = after
		return nil
	})
	if err == nil {
		for _, r := range rows {
			if !kept[r.ID] { // issued meanwhile by its learner or another job
				s.dropPDF(ctx, r)
			}
		}
		*t = next
		return
	}
	log.Warn("certificate batch not recorded; recording one by one", "error", err)
	for _, r := range rows {
		// A commit reported as failed may have happened all the same.
		if c, err := s.store.bySource(ctx, r.SourceKind, r.SourceID); err == nil && c.ID == r.ID {
			next.issued++
			continue
		}
		switch ok, err := s.record(ctx, r); {
		case err != nil:
			next.failed++
			log.Error("certificate not issued", "enrolment", r.SourceID, "error", err)
		case ok:
			next.issued++
		default:
			next.existing++
		}
	}
	*t = next
	if err := s.store.updateJob(ctx, jobID, t.fields()); err != nil {
		log.Error("certificate job progress", "error", err)
	}
}

func toJob(j jobRow) Job {
	return Job{ID: j.ID, CohortID: j.CohortID, Status: j.Status, Total: j.Total, Issued: j.Issued, Existing: j.Existing,
		NotEligible: j.NotEligible, Failed: j.Failed, CreatedAt: j.CreatedAt.UTC(), FinishedAt: utc(j.FinishedAt)}
}
