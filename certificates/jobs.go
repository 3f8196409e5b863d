package certificates

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/courses"
)

// staleAfter is how long a running job may go without progress before
// another worker (after a crash or restart) takes it over. Issuing is
// idempotent, so doing part of a job twice is harmless.
const staleAfter = 5 * time.Minute

// StartBulk queues the issue of every eligible certificate of a cohort
// (the team). Errors: courses.ErrNotFound.
func (s *Service) StartBulk(ctx context.Context, caller accounts.Principal, cohortID string) (Job, error) {
	if _, err := s.courses.Cohort(ctx, cohortID); err != nil {
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
			j, ok, err := s.store.claim(ctx, s.now().UTC(), s.now().UTC().Add(-staleAfter))
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("certificate jobs: claim", "error", err)
				}
				break
			}
			if !ok {
				break
			}
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

// runJob issues a cohort's certificates with a few workers: rendering is
// CPU work, storing and recording wait on the network.
func (s *Service) runJob(ctx context.Context, j jobRow) {
	log := s.log.With("job", j.ID, "cohort", j.CohortID)
	ids, err := s.courses.EnrolledInCohort(ctx, j.CohortID)
	if err == nil {
		err = s.store.updateJob(ctx, j.ID, map[string]any{"total": len(ids), "claimed_at": s.now().UTC()})
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
	done, err := s.courses.Completions(ctx, todo)
	if err != nil {
		log.Error("certificate job failed to start", "error", err)
		return
	}

	var mu sync.Mutex
	counts := map[string]int{"existing": len(existing)}
	work := make(chan courses.Completion)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) * 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				_, created, err := s.issueCompletion(ctx, c)
				var notEligible *NotEligibleError
				outcome := "issued"
				switch {
				case errors.As(err, &notEligible):
					outcome = "not_eligible"
				case err != nil:
					outcome = "failed"
					log.Error("certificate not issued", "enrolment", c.EnrolmentID, "error", err)
				case !created:
					outcome = "existing"
				}
				mu.Lock()
				counts[outcome]++
				mu.Unlock()
			}
		}()
	}
	for i, c := range done {
		work <- c
		if i%20 == 19 { // progress for those watching, and a heartbeat
			mu.Lock()
			fields := map[string]any{"issued": counts["issued"], "existing": counts["existing"], "not_eligible": counts["not_eligible"],
				"failed": counts["failed"], "claimed_at": s.now().UTC()}
			mu.Unlock()
			if err := s.store.updateJob(ctx, j.ID, fields); err != nil {
				log.Error("certificate job progress", "error", err)
			}
		}
	}
	close(work)
	wg.Wait()
	finished := s.now().UTC()
	if err := s.store.updateJob(ctx, j.ID, map[string]any{"status": JobDone, "issued": counts["issued"], "existing": counts["existing"],
		"not_eligible": counts["not_eligible"], "failed": counts["failed"], "finished_at": finished}); err != nil {
		log.Error("certificate job could not finish", "error", err)
	}
}

func toJob(j jobRow) Job {
	return Job{ID: j.ID, CohortID: j.CohortID, Status: j.Status, Total: j.Total, Issued: j.Issued, Existing: j.Existing,
		NotEligible: j.NotEligible, Failed: j.Failed, CreatedAt: j.CreatedAt.UTC(), FinishedAt: utc(j.FinishedAt)}
}
