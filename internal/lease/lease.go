package lease

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"
)

// Term is how long a claim holds without being renewed. Short, so that
// the work of a dead replica is taken over within half a minute (Term and
// a poll of at most ten seconds); long enough that a database pausing for
// a few seconds does not cost a live worker its claim.
const Term = 20 * time.Second

// Renew is how often a heartbeat renews a claim: several renewals fit in a
// Term, so one failed renewal loses nothing.
const Renew = 5 * time.Second

// Renewal extends a claim; it reports false when the claim is no longer
// the caller's (another replica took it over, or the work was finished).
type Renewal func(ctx context.Context) (held bool, err error)

// Worker is who claims work: this replica, how often it renews its claims,
// and the log that its claims, takeovers and completions go to.
type Worker struct {
	Replica   string        // this process's name (MOOC_REPLICA_ID); "local" when empty
	Heartbeat time.Duration // how often a claim is renewed; Renew when 0 (tests choose less)
	Log       *slog.Logger  // nil logs nothing
}

// Name is the replica's name as claims record it.
func (w Worker) Name() string { return cmp.Or(w.Replica, "local") }

func (w Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// Keep renews a claim every heartbeat until the returned stop is called,
// which waits for a renewal under way. The context it returns is ctx,
// cancelled when a renewal finds the claim lost, so that the work stops
// rather than running on beside its new holder. A renewal that fails is
// logged and tried again at the next beat: the claim outlives a few.
func (w Worker) Keep(ctx context.Context, kind, job string, renew Renewal) (context.Context, func()) {
	every := cmp.Or(w.Heartbeat, Renew)
	log := w.log().With("replica", w.Name(), "job", job, "kind", kind)
	work, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-work.Done():
				return
			case <-t.C:
			}
			held, err := renew(work)
			switch {
			case err != nil:
				if work.Err() == nil {
					log.Warn("lease not renewed", "error", err)
				}
			case !held:
				log.Warn("lease lost to another replica; stopping the work")
				cancel()
				return
			}
		}
	})
	var once sync.Once
	return work, func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			cancel()
		})
	}
}

// The log lines of claimed work are at info, each naming the replica, the
// job and its kind: an operator follows a job from one replica to another
// by them.

// Claimed logs a claim: "job taken over" when previous (the replica whose
// lease lapsed) is set, else "job claimed".
func (w Worker) Claimed(kind, job, previous string, args ...any) {
	if previous != "" {
		w.log().Info("job taken over", append([]any{"replica", w.Name(), "job", job, "kind", kind, "previous_replica", previous}, args...)...)
		return
	}
	w.log().Info("job claimed", append([]any{"replica", w.Name(), "job", job, "kind", kind}, args...)...)
}

// Finished logs that this replica finished a job.
func (w Worker) Finished(kind, job string, args ...any) {
	w.log().Info("job finished", append([]any{"replica", w.Name(), "job", job, "kind", kind}, args...)...)
}
