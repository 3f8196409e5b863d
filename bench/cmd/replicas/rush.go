package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// rushResult is the enrolment rush through the balancer with a replica
// killed halfway.
type rushResult struct {
	Learners, Capacity, Concurrency int
	Killed                          string
	KilledAfter                     int
	Elapsed                         time.Duration
	Created                         int // learners whose client got a 201
	Conflicts                       int // learners whose last answer was 409 already_enrolled (a retry not replayed)
	Failed                          int // learners whose client never got a 201 or 409 after every retry
	Retries                         int // requests sent again (same Idempotency-Key)
	RetriedLearners                 int
	Status5xx                       int // 5xx answers seen (the balancer's 502/503 included)
	TransportErrors                 int
	Counts                          counts
	Rows                            int // the cohort's active enrolments
	Lost                            int // learners with a row whose client never got a 201
}

// rush enrols learners through the balancer, concurrency at a time; once
// half have an answer it kills the replica victim (SIGKILL), unless nil. Each learner
// sends one Idempotency-Key on every try and tries again, up to eight
// times, after a transport error or a 5xx. A server that knows the header
// replays the first reply; one that does not answers a retry whose first
// try got through with 409 already_enrolled.
func rush(ctx context.Context, f *fixture, people []person, cohortID string, capacity, concurrency int, victim *replica) (rushResult, error) {
	r := rushResult{Learners: len(people), Capacity: capacity, Concurrency: concurrency}
	if victim != nil {
		r.Killed = victim.id
	}
	var (
		done, retries, retried, fivexx, transport atomic.Int64
		created, conflicts, failed                atomic.Int64
		killOnce                                  sync.Once
		wg                                        sync.WaitGroup
	)
	half := int64(len(people) / 2)
	url := f.base + "/api/v1/cohorts/" + cohortID + "/enrolments"
	next := make(chan person)
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				key := uuid.NewString()
				got := 0
				for try := 0; try < 8 && ctx.Err() == nil; try++ {
					if try > 0 {
						retries.Add(1)
						if try == 1 {
							retried.Add(1)
						}
						time.Sleep(time.Duration(try*100) * time.Millisecond) // the balancer needs a check or two to take the dead replica out
					}
					status, _, _, err := f.api.do(ctx, "POST", url, p.Token, nil, map[string]string{"Idempotency-Key": key})
					if err != nil {
						transport.Add(1)
						continue
					}
					if status >= 500 {
						fivexx.Add(1)
						continue
					}
					got = status
					break
				}
				switch got {
				case 201:
					created.Add(1)
				case 409:
					conflicts.Add(1)
				default:
					failed.Add(1)
				}
				if done.Add(1) == half && victim != nil {
					killOnce.Do(func() {
						r.KilledAfter = int(half)
						fmt.Fprintf(os.Stderr, "    kill -9 %s (pid %d) after %d of %d answers\n", victim.id, victim.pid(), half, len(people))
						victim.kill(syscall.SIGKILL)
					})
				}
			}
		}()
	}
	for _, p := range people {
		next <- p
	}
	close(next)
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.Created, r.Conflicts, r.Failed = int(created.Load()), int(conflicts.Load()), int(failed.Load())
	r.Retries, r.RetriedLearners = int(retries.Load()), int(retried.Load())
	r.Status5xx, r.TransportErrors = int(fivexx.Load()), int(transport.Load())
	var err error
	if r.Counts, err = f.counts(ctx, cohortID); err != nil {
		return r, err
	}
	r.Rows = r.Counts.RowsEnrolled + r.Counts.RowsWaitlist
	r.Lost = r.lostReplies()
	return r, nil
}

// lostReplies are the rows whose learner's client never saw the 201: each
// learner enrols at most once, so the rows beyond the 201s are those.
func (r rushResult) lostReplies() int { return max(r.Rows-r.Created, 0) }

func (r rushResult) print() {
	fmt.Printf("rush: %d learners into %d seats, %d at a time, %s killed after %d answers: %.1f s\n",
		r.Learners, r.Capacity, r.Concurrency, r.Killed, r.KilledAfter, r.Elapsed.Seconds())
	fmt.Printf("rush: 201 %d, 409 on a retry %d, no answer %d; retries %d (%d learners); 5xx seen %d, transport errors %d\n",
		r.Created, r.Conflicts, r.Failed, r.Retries, r.RetriedLearners, r.Status5xx, r.TransportErrors)
	fmt.Printf("rush: cohort says %d enrolled + %d waitlisted; rows %d + %d (equal: %v); lost replies %d\n",
		r.Counts.APIEnrolled, r.Counts.APIWaitlisted, r.Counts.RowsEnrolled, r.Counts.RowsWaitlist, r.Counts.equal(), r.Lost)
}
