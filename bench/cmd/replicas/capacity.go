package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"mooc/bench"
)

// enrolled is a learner with an active enrolment and their token.
type enrolled struct {
	UserID, EnrolmentID, Token string
}

// enrolledIn reads the cohort's enrolled learners and matches their tokens.
func enrolledIn(ctx context.Context, f *fixture, cohortID string, people []person) ([]enrolled, error) {
	tokens := map[string]string{}
	for _, p := range people {
		tokens[p.ID] = p.Token
	}
	rows, err := f.pool.Query(ctx, `SELECT user_id, id FROM enrolments WHERE cohort_id = $1 AND status = 'enrolled' ORDER BY id`, cohortID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enrolled
	for rows.Next() {
		var e enrolled
		if err := rows.Scan(&e.UserID, &e.EnrolmentID); err != nil {
			return nil, err
		}
		if e.Token = tokens[e.UserID]; e.Token != "" {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// mixedTargets is the learners' read mix: for each learner the course's
// outline, their own enrolments and the video lesson's playback link, the
// three a learner's player page asks for.
func mixedTargets(base string, f *fixture, learners []enrolled) []vegeta.Target {
	var out []vegeta.Target
	for _, e := range learners {
		h := http.Header{"Authorization": {"Bearer " + e.Token}}
		out = append(out,
			vegeta.Target{Method: "GET", URL: base + "/api/v1/courses/" + f.courseID, Header: h},
			vegeta.Target{Method: "GET", URL: base + "/api/v1/me/enrolments", Header: h},
			vegeta.Target{Method: "GET", URL: base + playbackPath(f, e), Header: h},
		)
	}
	return out
}

// step is one constant rate held for a while.
type step struct {
	Rate       int
	Throughput float64 // successful requests per second
	P50, P99   time.Duration
	Success    float64
	Errors     []string
	CPUPerReq  time.Duration // of the measured processes, per request sent
}

func (s step) ok(p99 time.Duration) bool { return s.Success >= 0.999 && s.P99 <= p99 }

// capacity is the highest rate held with p99 within the goal.
type capacity struct {
	Name  string
	Steps []step
	Best  int // the highest rate held within the goal, 0 for none
}

// ramp attacks the targets at each rate for dur (after a second of
// warm-up at the first rate), reading the CPU time of pids around each
// step, and stops after the first rate that misses the goal twice in a row
// (once per ramp a missed rate is tried again: the machine is shared).
func ramp(ctx context.Context, name string, targets []vegeta.Target, rates []int, dur, p99 time.Duration, pids func() []int) capacity {
	c := capacity{Name: name}
	// An attacker stops for good at the end of its attack: one per rate.
	attacker := func() *vegeta.Attacker {
		return vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Workers(64), vegeta.MaxWorkers(1024),
			vegeta.Connections(512), vegeta.Timeout(5*time.Second), vegeta.HTTP2(false))
	}
	targeter := vegeta.NewStaticTargeter(targets...)
	for range attacker().Attack(targeter, vegeta.Rate{Freq: rates[0], Per: time.Second}, time.Second, name+" warm-up") {
	}
	retried := false
	for i := 0; i < len(rates); i++ {
		rate := rates[i]
		if ctx.Err() != nil {
			break
		}
		before := cpu(pids())
		var m vegeta.Metrics
		for res := range attacker().Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, dur, fmt.Sprintf("%s %d/s", name, rate)) {
			m.Add(res)
		}
		m.Close()
		s := step{Rate: rate, Throughput: m.Throughput, P50: m.Latencies.P50, P99: m.Latencies.P99, Success: m.Success, Errors: m.Errors}
		if m.Requests > 0 {
			s.CPUPerReq = (cpu(pids()) - before) / time.Duration(m.Requests)
		}
		c.Steps = append(c.Steps, s)
		fmt.Printf("capacity: %s at %d/s: %.0f/s answered, p50 %.1f ms, p99 %.1f ms, success %.2f %%, %.2f ms CPU/request\n",
			name, rate, s.Throughput, ms(s.P50), ms(s.P99), 100*s.Success, ms(s.CPUPerReq))
		if !s.ok(p99) && !retried {
			// The machine is shared: a rate missed once is tried once more
			// before the ramp ends there.
			retried = true
			i--
			continue
		}
		if !s.ok(p99) {
			if len(s.Errors) > 0 {
				fmt.Printf("capacity: %s at %d/s: errors: %s\n", name, rate, strings.Join(s.Errors[:min(3, len(s.Errors))], "; "))
			}
			break
		}
		c.Best = rate
	}
	return c
}

// cpu is the user plus system CPU time the processes have used so far.
func cpu(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		if d, err := bench.ReadCPU(pid); err == nil {
			total += d
		}
	}
	return total
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// healthTargets is the reference: GET /healthz, which touches nothing
// but the middleware.
func healthTargets(base string) []vegeta.Target {
	return []vegeta.Target{{Method: "GET", URL: base + "/healthz"}}
}

// profile writes a 10 s CPU profile of the replica whose profiler is at
// pprof while the targets are attacked at rate.
func profile(ctx context.Context, pprof, file string, targets []vegeta.Target, rate int) error {
	type fetched struct {
		raw []byte
		err error
	}
	got := make(chan fetched, 1)
	go func() {
		a := &api{http: &http.Client{Timeout: 30 * time.Second}}
		status, _, raw, err := a.do(ctx, "GET", pprof+"/debug/pprof/profile?seconds=10", "", nil, nil)
		if err == nil && status != 200 {
			err = fmt.Errorf("the profiler answered %d: %.200s", status, raw)
		}
		got <- fetched{raw, err}
	}()
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Workers(64), vegeta.Connections(512), vegeta.Timeout(5*time.Second))
	for range attacker.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: rate, Per: time.Second}, 11*time.Second, "profile") {
	}
	f := <-got
	if f.err != nil {
		return f.err
	}
	return os.WriteFile(file, f.raw, 0o644)
}
