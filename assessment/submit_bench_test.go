package assessment

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mooc/internal/testenv"
)

// BenchmarkSubmit grades a 20-question final test on PostgreSQL, one
// submission after another: the CPU and allocations of one submission,
// and its statements.
func BenchmarkSubmit(b *testing.B) {
	f := newFixture(b, testenv.Postgres(b), 20)
	ids := f.attempts(b, b.N)
	sub := f.right()
	ctx := context.Background()
	b.ReportAllocs()
	before := f.db.Statements()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.svc.Submit(ctx, f.learner, ids[i], sub); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(f.db.Statements()-before)/float64(b.N), "stmts/op")
}

// BenchmarkSubmitParallel is the burst: many submissions at once, sharing
// the pool.
func BenchmarkSubmitParallel(b *testing.B) {
	f := newFixture(b, testenv.Postgres(b), 20)
	ids := f.attempts(b, b.N)
	sub := f.right()
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.svc.Submit(ctx, f.learner, ids[next.Add(1)-1], sub); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSubmitBurst is issue 5's burst without HTTP: a cohort of 200
// submitting at one instant, as p99-ms (and the whole burst as ns/op).
func BenchmarkSubmitBurst(b *testing.B) {
	const cohort = 200
	f := newFixture(b, testenv.Postgres(b), 20)
	ids := f.attempts(b, cohort*b.N)
	sub := f.right()
	ctx := context.Background()
	var p99 time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		took := make([]time.Duration, cohort)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, id := range ids[n*cohort : (n+1)*cohort] {
			wg.Go(func() {
				<-start
				t0 := time.Now()
				if _, err := f.svc.Submit(ctx, f.learner, id, sub); err != nil {
					b.Error(err)
				}
				took[i] = time.Since(t0)
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(took)
		p99 += took[cohort*99/100]
	}
	b.ReportMetric(float64(p99.Milliseconds())/float64(b.N), "p99-ms")
}
