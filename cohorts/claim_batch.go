package cohorts

import (
	"context"
	"errors"
	"sync"
	"time"

	"mooc/internal/database"
)

// Group commit of seat claims on PostgreSQL.
//
// Every claim of a cohort changes its row, so concurrent claims queue for
// that row's lock, and each holds it until its commit is on disk: a burst
// of enrolments into one cohort runs at the disk's commit rate, one
// enrolment per flush, however many connections wait. The batcher turns
// that queue into batches: the claims of one cohort that arrive while a
// batch runs wait, and then run together, one after another in one
// transaction with one commit. Each claim is still claimStatement, so the
// rules (the capacity, exact positions in the order of promotion) are
// exactly those of a single claim; only the commits are shared. A claim
// waits for at most one batch before its own, the batch is bounded
// (maxClaimBatch), and a claim alone finds no batch running and goes at
// once, so a quiet cohort pays nothing.
//
// A batch's transaction is the batcher's, not a request's: it runs on a
// context of its own (claimBatchTimeout), so one learner's cancelled
// request cannot roll back the others'. A claim whose request has given up
// before its batch starts is left out.

const (
	// maxClaimBatch bounds a batch, and so how long it holds the cohort
	// row: about a quarter of a millisecond a claim.
	maxClaimBatch = 100
	// claimBatchTimeout bounds a batch's transaction.
	claimBatchTimeout = 10 * time.Second
)

// claimFunc runs one claim in the transaction carried by ctx.
type claimFunc func(ctx context.Context, c claimInput) (status string, position int, err error)

// batchFunc runs the claims of one cohort, in order, in the transaction
// carried by ctx, with a few statements for all of them; it fails with
// ErrDuplicate, and writes nothing, when a learner holds a place in the
// course already, and the batch then runs claim by claim.
type batchFunc func(ctx context.Context, cohortID string, cs []claimInput) ([]claimResult, error)

// claimInput is one learner's claim: the enrolment to insert and its
// notice's parameters (without the waitlist position).
type claimInput struct {
	e      enrolmentRow
	params map[string]string
}

type claimBatcher struct {
	db  *database.DB
	one claimFunc
	all batchFunc

	mu     sync.Mutex
	queues map[string][]*pendingClaim // cohort id → claims waiting; present while a runner works on the cohort
}

type pendingClaim struct {
	ctx  context.Context
	in   claimInput
	done chan claimResult // buffered: the runner never waits for the request
}

type claimResult struct {
	status   string
	position int
	err      error
}

func newClaimBatcher(db *database.DB, one claimFunc, all batchFunc) *claimBatcher {
	return &claimBatcher{db: db, one: one, all: all, queues: map[string][]*pendingClaim{}}
}

// claim queues the claim for the cohort's next batch, starting a runner
// when none works on the cohort, and waits for its result.
func (b *claimBatcher) claim(ctx context.Context, in claimInput) (string, int, error) {
	cohortID := in.e.CohortID
	p := &pendingClaim{ctx: ctx, in: in, done: make(chan claimResult, 1)}
	b.mu.Lock()
	waiting, running := b.queues[cohortID]
	b.queues[cohortID] = append(waiting, p)
	b.mu.Unlock()
	if !running {
		go b.drain(cohortID)
	}
	r := <-p.done
	return r.status, r.position, r.err
}

// drain runs the cohort's batches until no claim waits.
func (b *claimBatcher) drain(cohortID string) {
	for {
		b.mu.Lock()
		batch := b.queues[cohortID]
		if len(batch) == 0 {
			delete(b.queues, cohortID)
			b.mu.Unlock()
			return
		}
		if len(batch) > maxClaimBatch {
			b.queues[cohortID] = batch[maxClaimBatch:]
			batch = batch[:maxClaimBatch:maxClaimBatch]
		} else {
			b.queues[cohortID] = nil // still present: this runner goes on
		}
		b.mu.Unlock()
		b.runBatch(cohortID, batch)
	}
}

// runBatch runs the claims in one transaction and tells each its result.
// A claim that fails on its own (the learner holds a place in the course
// already, or the rare seat freed under it too often) is left out and the
// batch runs again without it; it hears its error once the batch has
// committed, so a learner refused for holding a place can read that
// place, claimed earlier in the same batch. A deadlock PostgreSQL broke
// runs the batch again whole; any other failure (the database gone, the
// commit refused) is every claim's.
func (b *claimBatcher) runBatch(cohortID string, batch []*pendingClaim) {
	live := make([]*pendingClaim, 0, len(batch))
	var refused []claimRefusal
	defer func() {
		for _, r := range refused {
			r.p.done <- claimResult{err: r.err}
		}
	}()
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- claimResult{err: err}
			continue
		}
		live = append(live, p)
	}
	if len(live) > 1 && b.runAll(cohortID, live) {
		return
	}
	for tries := 0; len(live) > 0; tries++ {
		results := make([]claimResult, len(live))
		failed := -1
		ctx, cancel := context.WithTimeout(context.Background(), claimBatchTimeout)
		err := b.db.InTx(ctx, func(ctx context.Context) error {
			for i, p := range live {
				st, pos, err := b.one(ctx, p.in)
				if err != nil {
					failed = i
					return err
				}
				results[i] = claimResult{status: st, position: pos}
			}
			return nil
		})
		cancel()
		switch {
		case err == nil:
			for i, p := range live {
				p.done <- results[i]
			}
			return
		case failed >= 0 && (errors.Is(err, database.ErrDuplicate) || errors.Is(err, errSeatFreed)):
			refused = append(refused, claimRefusal{live[failed], err})
			live = append(live[:failed], live[failed+1:]...)
		case database.Retryable(err) && tries < claimTries:
		default:
			for _, p := range live {
				p.done <- claimResult{err: err}
			}
			return
		}
	}
}

type claimRefusal struct {
	p   *pendingClaim
	err error
}

// runAll tries the batch's claims with the few statements of batchFunc,
// telling each its result when they commit. It reports false, having
// told nobody, when the batch is to run claim by claim instead: a learner
// already holds a place, or anything else went wrong (which the claims one
// by one then meet and report).
func (b *claimBatcher) runAll(cohortID string, live []*pendingClaim) bool {
	in := make([]claimInput, len(live))
	for i, p := range live {
		in[i] = p.in
	}
	var results []claimResult
	ctx, cancel := context.WithTimeout(context.Background(), claimBatchTimeout)
	defer cancel()
	err := b.db.InTx(ctx, func(ctx context.Context) (err error) {
		results, err = b.all(ctx, cohortID, in)
		return err
	})
	if err != nil {
		return false
	}
	for i, p := range live {
		p.done <- results[i]
	}
	return true
}
