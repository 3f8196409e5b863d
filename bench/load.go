package bench

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop load: Concurrency clients each send a request,
// wait for its reply, and send the next, for Duration or until
// MaxRequests were sent, whichever comes first. Both bounds are required,
// so a run always ends by itself.
type Load struct {
	Concurrency int
	Duration    time.Duration
	MaxRequests int64
}

// Result is what one Load run measured. Latencies holds the latency of
// every successful request, sorted.
type Result struct {
	Requests  int64 // sent
	Errors    int64 // failed (transport error or unexpected reply)
	Elapsed   time.Duration
	Latencies []time.Duration
	FirstErr  error
}

// PerSecond is the rate of successful requests.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which a fraction q (0..1] of the
// successful requests fall (nearest rank), or 0 without any.
func (r Result) Percentile(q float64) time.Duration {
	return Percentile(r.Latencies, q)
}

// Percentile is the nearest-rank percentile q (0..1] of sorted.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Run applies the load with do as one request. do returns nil for a
// reply as expected. Cancelling ctx ends the run early.
func (l Load) Run(ctx context.Context, do func(ctx context.Context) error) Result {
	concurrency := max(l.Concurrency, 1)
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()

	var (
		sent, failed atomic.Int64
		mu           sync.Mutex
		all          []time.Duration
		firstErr     error
		wg           sync.WaitGroup
	)
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1024)
			var err1 error
			for ctx.Err() == nil && sent.Add(1) <= l.MaxRequests {
				t0 := time.Now()
				err := do(ctx)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break // cut off by the end of the run, not a failure
					}
					failed.Add(1)
					if err1 == nil {
						err1 = err
					}
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			all = append(all, mine...)
			if firstErr == nil {
				firstErr = err1
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	requests := min(sent.Load(), l.MaxRequests)
	return Result{Requests: requests, Errors: failed.Load(), Elapsed: elapsed, Latencies: all, FirstErr: firstErr}
}
