package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mooc/bench"
)

// soakSample is one window of the soak.
type soakSample struct {
	At         float64 `json:"at_seconds"` // end of the window, from the start
	RSS        int64   `json:"server_rss_bytes"`
	HeapInuse  int64   `json:"server_heap_inuse_bytes"` // go_memstats_heap_inuse_bytes from /metrics
	Goroutines int64   `json:"server_goroutines"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	PerSecond  float64 `json:"requests_per_s"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	Load       string  `json:"load_average"`
}

// soakReport is the soak of issue 8.
type soakReport struct {
	Duration     time.Duration    `json:"duration_ns"`
	Every        time.Duration    `json:"every_ns"`
	Clients      int              `json:"clients"`
	Capacity     int              `json:"capacity"`
	Think        time.Duration    `json:"think_ns"`
	IdleRSS      int64            `json:"server_rss_before_bytes"`
	Samples      []soakSample     `json:"samples"`
	Requests     int64            `json:"requests"`
	Errors       int64            `json:"errors"`
	FirstError   string           `json:"first_error,omitempty"`
	ByKind       map[string]int64 `json:"requests_by_kind"`
	Certificates int64            `json:"certificates"`
	Cycles       int64            `json:"cycles"`     // enrol … withdraw, completed
	RSSGrowth    float64          `json:"rss_growth"` // last half's highest over the first half's, minus 1
	P99Growth    float64          `json:"p99_growth"` // last half's median p99 over the first half's
}

// A soak is stable when the server's resident set in the second half of
// the samples stays within 20 % (+16 MiB) of the first half's, its p99
// within twice the first half's, and no request failed.
func (r *soakReport) rssStable() bool { return len(r.Samples) >= 2 && r.RSSGrowth <= 0.20 }
func (r *soakReport) p99Stable() bool { return len(r.Samples) >= 2 && r.P99Growth <= 2 }
func (r *soakReport) pass() bool      { return r.Errors == 0 && r.rssStable() && r.p99Stable() }

// soakMeter collects latencies per window and counts per kind.
type soakMeter struct {
	mu        sync.Mutex
	window    []time.Duration
	errs      int
	byKind    map[string]int64
	firstErr  error
	requests  atomic.Int64
	errors    atomic.Int64
	certs     atomic.Int64
	cycles    atomic.Int64
	maxRecord int64
}

func (m *soakMeter) record(kind string, d time.Duration, err error) {
	m.requests.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byKind[kind]++
	if err != nil {
		m.errors.Add(1)
		m.errs++
		if m.firstErr == nil {
			m.firstErr = err
		}
		return
	}
	m.window = append(m.window, d)
}

func (m *soakMeter) take() ([]time.Duration, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, e := m.window, m.errs
	m.window, m.errs = make([]time.Duration, 0, len(w)), 0
	slices.Sort(w)
	return w, e
}

// soak: learners (SQL, minted tokens) each go round a learner's life in a
// cohort in its last week with fewer seats than learners — enrol (or be
// waitlisted, look, withdraw), read the outline, for each lesson fetch the
// playback link (media lessons) and report progress, start and submit the
// final test, get the certificate, withdraw (promoting the waitlist) — for
// the soak's duration, while the server's RSS and each window's p99 are
// sampled.
func (s *stage) soak(ctx context.Context) (*soakReport, error) {
	o := s.o
	course, err := s.benchCourse(ctx)
	if err != nil {
		return nil, err
	}
	r := &soakReport{Duration: o.soak, Every: o.soakEvery, Clients: o.soakClients, Capacity: max(1, o.soakClients*3/4), Think: o.soakThink}
	step(fmt.Sprintf("soak: %d learners (SQL, minted tokens), a cohort of %d seats in its last week", r.Clients, r.Capacity))
	people, err := s.learners(ctx, groupSoak, r.Clients)
	if err != nil {
		return nil, err
	}
	cohort, err := s.cohort(ctx, "Ilgstoša slodze", r.Capacity, 30*24*time.Hour)
	if err != nil {
		return nil, err
	}
	settle()
	if m, err := bench.ReadMemory(o.pid); err == nil {
		r.IdleRSS = m.RSS
	}
	meter := &soakMeter{byKind: map[string]int64{}, maxRecord: o.soakMaxRequests}
	api := &client{base: o.url, http: apiClient(r.Clients + 2)}
	step(fmt.Sprintf("soak: %d clients of mixed traffic for %s, sampling every %s", r.Clients, o.soak, o.soakEvery))
	sctx, cancel := context.WithTimeout(ctx, o.soak)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &soakLearner{api: api, meter: meter, me: p, cohort: cohort.ID, course: course, think: o.soakThink}
			w.run(sctx)
		}()
	}
	sample := func() {
		w, errs := meter.take()
		at := time.Since(start)
		prev := time.Duration(0)
		if n := len(r.Samples); n > 0 {
			prev = time.Duration(r.Samples[n-1].At * float64(time.Second))
		}
		smp := soakSample{At: at.Seconds(), Requests: len(w) + errs, Errors: errs, Load: loadAverage(),
			P50ms: msOf(bench.Percentile(w, 0.5)), P99ms: msOf(bench.Percentile(w, 0.99))}
		if span := (at - prev).Seconds(); span > 0 {
			smp.PerSecond = float64(len(w)) / span
		}
		if m, err := bench.ReadMemory(o.pid); err == nil {
			smp.RSS = m.RSS
		}
		smp.HeapInuse, smp.Goroutines = serverGauges(ctx, o.url)
		r.Samples = append(r.Samples, smp)
		fmt.Fprintf(os.Stderr, "    %4.0f s: RSS %s, heap %s, %d goroutines, %d requests (%.0f/s), %d errors, p50 %.1f ms, p99 %.1f ms, load %s\n",
			smp.At, size(smp.RSS), size(smp.HeapInuse), smp.Goroutines, smp.Requests, smp.PerSecond, smp.Errors, smp.P50ms, smp.P99ms, smp.Load)
	}
	ticker := time.NewTicker(o.soakEvery)
	for done := false; !done; {
		select {
		case <-ticker.C:
			sample()
		case <-sctx.Done():
			done = true
		}
	}
	ticker.Stop()
	wg.Wait()
	// the tail of the last window, when it is long enough to say something
	if n := len(r.Samples); n == 0 || time.Since(start).Seconds()-r.Samples[n-1].At >= o.soakEvery.Seconds()/3 {
		sample()
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	r.Requests, r.Errors = meter.requests.Load(), meter.errors.Load()
	r.Certificates, r.Cycles = meter.certs.Load(), meter.cycles.Load()
	r.ByKind = meter.byKind
	if meter.firstErr != nil {
		r.FirstError = meter.firstErr.Error()
	}
	if n := len(r.Samples); n >= 2 {
		first, last := r.Samples[:n/2], r.Samples[n/2:]
		var rss1, rss2 int64
		var p1, p2 []float64
		for _, x := range first {
			rss1 = max(rss1, x.RSS)
			p1 = append(p1, x.P99ms)
		}
		for _, x := range last {
			rss2 = max(rss2, x.RSS)
			p2 = append(p2, x.P99ms)
		}
		r.RSSGrowth = float64(rss2-16<<20)/float64(rss1) - 1
		r.P99Growth = ratio(median(p2), median(p1))
	}
	fmt.Fprintf(os.Stderr, "    %d requests, %d errors, %d cycles, %d certificates\n", r.Requests, r.Errors, r.Cycles, r.Certificates)
	if r.FirstError != "" {
		fmt.Fprintf(os.Stderr, "    first failure: %s\n", r.FirstError)
	}
	return r, nil
}

// serverGauges reads go_memstats_heap_inuse_bytes and go_goroutines from
// the server's /metrics (0 when unavailable).
func serverGauges(ctx context.Context, base string) (heap, goroutines int64) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, 0
	}
	// /metrics is closed without the token the server was started with.
	req.Header.Set("Authorization", "Bearer "+os.Getenv("MOOC_BENCH_METRICS_TOKEN"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0
	}
	defer func() { _ = resp.Body.Close() }() // the reply is read first; a close error loses nothing
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heap = int64(f)
		case "go_goroutines":
			goroutines = int64(f)
		}
	}
	return heap, goroutines
}

// waitlistPause is how long a waitlisted soak client waits before it
// looks whether it was promoted (and withdraws when not).
const waitlistPause = time.Second

// soakLearner is one client of the soak.
type soakLearner struct {
	api    *client
	meter  *soakMeter
	me     learner
	cohort string
	course *benchCourse
	think  time.Duration
}

func (w *soakLearner) run(ctx context.Context) {
	for ctx.Err() == nil {
		if w.meter.maxRecord > 0 && w.meter.requests.Load() >= w.meter.maxRecord {
			return
		}
		if err := w.cycle(ctx); err != nil && ctx.Err() == nil {
			// start again from a clean slate, after a pause
			time.Sleep(200 * time.Millisecond)
			_, _ = w.api.raw(context.WithoutCancel(ctx), "DELETE", "/api/v1/cohorts/"+w.cohort+"/enrolments/me", w.me.Token, nil, 204)
		}
	}
}

// do sends one request of the soak and records it; a reply cut off by the
// end of the soak is not counted.
func (w *soakLearner) do(ctx context.Context, kind, method, path string, body any, want int, out any) error {
	if w.think > 0 {
		select {
		case <-time.After(w.think):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	start := time.Now()
	err := w.api.call(ctx, method, path, w.me.Token, body, want, out)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	w.meter.record(kind, time.Since(start), err)
	return err
}

func (w *soakLearner) cycle(ctx context.Context) error {
	var e enrolmentReply
	if err := w.do(ctx, "enrol", "POST", "/api/v1/cohorts/"+w.cohort+"/enrolments", nil, 201, &e); err != nil {
		return err
	}
	if err := w.do(ctx, "outline", "GET", "/api/v1/courses/"+w.course.ID, nil, 200, nil); err != nil {
		return err
	}
	if e.Status == "waitlisted" {
		// look again a little later: a withdrawal may have promoted us
		select {
		case <-time.After(waitlistPause):
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := w.do(ctx, "enrolment", "GET", "/api/v1/enrolments/"+e.ID, nil, 200, &e); err != nil {
			return err
		}
		if e.Status != "enrolled" { // not promoted meanwhile: give up the place
			return w.do(ctx, "withdraw", "DELETE", "/api/v1/cohorts/"+w.cohort+"/enrolments/me", nil, 204, nil)
		}
	}
	for _, l := range w.course.Lessons {
		base := "/api/v1/enrolments/" + e.ID + "/lessons/" + l.ID
		if l.Media {
			var pb struct {
				URL string `json:"url"`
			}
			if err := w.do(ctx, "playback", "GET", base+"/playback", nil, 200, &pb); err != nil {
				return err
			}
		}
		if l.Kind == "video" {
			// Watched as a player at 2x reports it: the start, then the end
			// once half the video's length has passed (half a second for
			// the default fixture).
			if err := w.do(ctx, "progress", "PUT", base+"/progress", map[string]any{"position_seconds": 0, "completed": false}, 200, nil); err != nil {
				return err
			}
			select {
			case <-time.After(time.Duration(l.Seconds / 2 * float64(time.Second))):
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := w.do(ctx, "progress", "PUT", base+"/progress", map[string]any{"position_seconds": l.Seconds, "completed": true}, 200, nil); err != nil {
				return err
			}
			continue
		}
		if err := w.do(ctx, "progress", "PUT", base+"/progress", map[string]any{"position_seconds": 600, "completed": true}, 200, nil); err != nil {
			return err
		}
	}
	var a startedAttempt
	if err := w.do(ctx, "start test", "POST", "/api/v1/enrolments/"+e.ID+"/tests/"+w.course.FinalTestID+"/attempts", nil, 201, &a); err != nil {
		return err
	}
	type answer struct {
		QuestionID string   `json:"question_id"`
		OptionIDs  []string `json:"option_ids"`
	}
	answers := make([]answer, 0, len(a.Questions))
	for _, q := range a.Questions {
		ans := answer{QuestionID: q.ID, OptionIDs: []string{}}
		for _, o := range q.Options {
			if o.Text == correctOption {
				ans.OptionIDs = append(ans.OptionIDs, o.ID)
			}
		}
		answers = append(answers, ans)
	}
	var result struct {
		Passed bool `json:"passed"`
	}
	if err := w.do(ctx, "submit test", "POST", "/api/v1/attempts/"+a.ID+"/submit", map[string]any{"answers": answers}, 200, &result); err != nil {
		return err
	}
	if !result.Passed {
		return fmt.Errorf("the soak's right answers did not pass")
	}
	var cert json.RawMessage
	if err := w.do(ctx, "certificate", "POST", "/api/v1/enrolments/"+e.ID+"/certificate", nil, 201, &cert); err != nil {
		return err
	}
	w.meter.certs.Add(1)
	if err := w.do(ctx, "enrolment", "GET", "/api/v1/enrolments/"+e.ID, nil, 200, nil); err != nil {
		return err
	}
	if err := w.do(ctx, "withdraw", "DELETE", "/api/v1/cohorts/"+w.cohort+"/enrolments/me", nil, 204, nil); err != nil {
		return err
	}
	w.meter.cycles.Add(1)
	return nil
}
