package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"mooc/bench"
	"mooc/cohorts"
)

// Targets of issue 4.
const (
	targetBurstP99       = time.Second // every enrolment of the burst answered within
	targetBurstVsPgbench = 0.50        // burst throughput over pgbench's
)

// burstFigures sums up one burst.
type burstFigures struct {
	Requests   int     `json:"requests"`
	OK         int     `json:"ok"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"` // release to last reply
	PerSecond  float64 `json:"requests_per_s"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	OpeningS   float64 `json:"opening_seconds"` // opening the connections, before the release
}

func burstSummary(res bench.BurstResult, ok func(int) bool) burstFigures {
	lat := res.Latencies(ok)
	failed, first := res.Failed(ok)
	f := burstFigures{Requests: len(res.Replies), OK: len(lat), Errors: failed, Seconds: res.Elapsed.Seconds(),
		PerSecond: res.PerSecond(), P50ms: msOf(bench.Percentile(lat, 0.50)), P99ms: msOf(bench.Percentile(lat, 0.99)),
		MaxMs: msOf(res.Elapsed), OpeningS: res.Opening.Seconds()}
	if first != nil {
		f.FirstError = first.Error()
	}
	return f
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// enrolReport is the enrolment burst of issue 4.
type enrolReport struct {
	Learners   int          `json:"learners"`
	Capacity   int          `json:"capacity"`
	Burst      burstFigures `json:"burst"`
	ServerCPU  float64      `json:"server_cpu_seconds"` // during the burst
	Enrolled   int          `json:"replies_enrolled"`
	Waitlisted int          `json:"replies_waitlisted"`
	// GET /cohorts/{id} and the team's list of the cohort's enrolments afterwards
	CohortEnrolled   int    `json:"cohort_enrolled_count"`
	CohortWaitlisted int    `json:"cohort_waitlist_count"`
	PositionsOK      bool   `json:"waitlist_positions_ok"`
	PositionsNote    string `json:"waitlist_positions_note"`

	PgbenchClients    int            `json:"pgbench_clients"`
	Pgbench           *bench.Pgbench `json:"pgbench,omitempty"`
	PgbenchNote       string         `json:"pgbench_note,omitempty"` // why there is no reference
	PgbenchEnrolled   int            `json:"pgbench_enrolled"`
	PgbenchWaitlisted int            `json:"pgbench_waitlisted"`
	Ratio             float64        `json:"throughput_ratio"`
	Load              string         `json:"load_average"`
}

func (e *enrolReport) latencyPass() bool {
	return e.Burst.Errors == 0 && e.Burst.P99ms <= msOf(targetBurstP99)
}

func (e *enrolReport) outcomePass() bool {
	want := min(e.Learners, e.Capacity)
	return e.Burst.Errors == 0 && e.Enrolled == want && e.Waitlisted == e.Learners-want &&
		e.CohortEnrolled == want && e.CohortWaitlisted == e.Learners-want && e.PositionsOK
}

func (e *enrolReport) ratioPass() bool { return e.Pgbench != nil && e.Ratio >= targetBurstVsPgbench }

// enrolBurst: learners written with SQL, each with a minted token, all
// enrol at one instant into one cohort; then pgbench runs the same
// statements against a copy of the course.
func (s *stage) enrolBurst(ctx context.Context) (*enrolReport, error) {
	r := &enrolReport{Learners: s.o.burstLearners, Capacity: s.o.burstCapacity, PgbenchClients: s.o.pgbenchClients, Load: loadAverage()}
	course, err := s.benchCourse(ctx)
	if err != nil {
		return nil, err
	}
	step(fmt.Sprintf("enrolment burst: insert %d learners with SQL and mint their tokens", r.Learners))
	people, err := s.learners(ctx, groupBurst, r.Learners)
	if err != nil {
		return nil, err
	}
	cohort, err := s.cohort(ctx, "Enrolment burst", r.Capacity, -7*24*time.Hour)
	if err != nil {
		return nil, err
	}
	path := "/api/v1/cohorts/" + cohort.ID + "/enrolments"
	reqs := make([]bench.BurstRequest, len(people))
	for i, p := range people {
		reqs[i] = bench.BurstRequest{Method: "POST", Path: path, Header: map[string]string{"Authorization": "Bearer " + p.Token}}
	}
	settle()
	step(fmt.Sprintf("enrolment burst: %d connections open, then %d × POST %s at once", len(reqs), len(reqs), "/api/v1/cohorts/{id}/enrolments"))
	cpu0, _ := bench.ReadCPU(s.o.pid)
	res, err := bench.Burst(ctx, hostPort(s.o.url), reqs, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	cpu1, _ := bench.ReadCPU(s.o.pid)
	r.ServerCPU = (cpu1 - cpu0).Seconds()
	created := func(st int) bool { return st == 201 }
	r.Burst = burstSummary(res, created)
	fmt.Fprintf(os.Stderr, "    whole burst %.2f s, p50 %.0f ms, p99 %.0f ms, %.0f req/s, %d errors (connections opened in %.2f s), server CPU %.1f s\n",
		r.Burst.Seconds, r.Burst.P50ms, r.Burst.P99ms, r.Burst.PerSecond, r.Burst.Errors, r.Burst.OpeningS, r.ServerCPU)
	if r.Burst.Errors > 0 {
		fmt.Fprintf(os.Stderr, "    first failure: %s\n", r.Burst.FirstError)
	}
	for _, rep := range res.Replies {
		var e enrolmentReply
		if rep.Status != 201 || json.Unmarshal(rep.Body, &e) != nil {
			continue
		}
		switch e.Status {
		case "enrolled":
			r.Enrolled++
		case "waitlisted":
			r.Waitlisted++
		}
	}

	// Afterwards: the counts, and the waitlist as the team sees it.
	var after cohortReply
	if err := s.api.call(ctx, "GET", "/api/v1/cohorts/"+cohort.ID, s.team, nil, 200, &after); err != nil {
		return nil, err
	}
	r.CohortEnrolled, r.CohortWaitlisted = after.EnrolledCount, after.WaitlistCount
	var list struct {
		Items []enrolmentReply `json:"items"`
	}
	if err := s.api.call(ctx, "GET", path, s.team, nil, 200, &list); err != nil {
		return nil, err
	}
	var positions []int
	enrolled := 0
	for _, e := range list.Items {
		switch {
		case e.Status == "enrolled":
			enrolled++
		case e.Status == "waitlisted" && e.WaitlistPosition != nil:
			positions = append(positions, *e.WaitlistPosition)
		}
	}
	slices.Sort(positions)
	r.PositionsOK = enrolled == min(r.Learners, r.Capacity) && len(positions) == r.Learners-enrolled
	for i, p := range positions {
		if p != i+1 {
			r.PositionsOK = false
			break
		}
	}
	if len(positions) > 0 {
		r.PositionsNote = fmt.Sprintf("%d enrolled; %d waitlisted with positions %d..%d", enrolled, len(positions), positions[0], positions[len(positions)-1])
	} else {
		r.PositionsNote = fmt.Sprintf("%d enrolled; none waitlisted", enrolled)
	}
	if !r.PositionsOK {
		r.PositionsNote += " (not exactly 1..N)"
	}
	fmt.Fprintf(os.Stderr, "    replies: %d enrolled, %d waitlisted; cohort: enrolled_count %d, waitlist_count %d; %s\n",
		r.Enrolled, r.Waitlisted, r.CohortEnrolled, r.CohortWaitlisted, r.PositionsNote)

	// The reference: pgbench, the same statements, same pool size.
	if s.o.pgbench == "" {
		r.PgbenchNote = "pgbench not found"
		return r, nil
	}
	settle()
	if err := s.pgbenchEnrol(ctx, r, course, cohort); err != nil {
		r.PgbenchNote = err.Error()
		fmt.Fprintf(os.Stderr, "    pgbench: %v\n", err)
		return r, nil
	}
	if r.Pgbench.TPS > 0 {
		r.Ratio = r.Burst.PerSecond / r.Pgbench.TPS
	}
	return r, nil
}

// pgbenchScript is one POST /api/v1/cohorts/{id}/enrolments as the server
// issues it for a learner (whose token needs no look-up): the statements of
// cohorts.Service.Enrol on PostgreSQL, taken from the cohorts package
// itself. A first, table-less SELECT sets what the server computes in Go:
// the learner's id, the new enrolment's id and the time
// (pgbench's \set only does arithmetic). Variables: prefix, cohort, course,
// params and per_client come from -D; k counts each client's transactions
// (from -D k=0), so learner n = client_id × per_client + k is a new one
// every time.
func pgbenchScript() string {
	var b strings.Builder
	b.WriteString(`-- one enrolment, statement for statement as the server issues it
\set k :k + 1
\set n :client_id * :per_client + :k
SELECT :prefix || lpad(CAST(:n AS text), 12, '0') AS "user", CAST(gen_random_uuid() AS text) AS id, now() AS now \gset
`)
	for _, stmt := range cohorts.EnrolmentStatements() {
		b.WriteString(strings.ReplaceAll(stmt, "@", ":") + ";\n")
	}
	return b.String()
}

// pgbenchEnrol copies the course and the burst's cohort (empty) with SQL
// and lets pgbench enrol the same learners into the copy: clients × per
// client = the burst's learners.
func (s *stage) pgbenchEnrol(ctx context.Context, r *enrolReport, course *benchCourse, cohort cohortReply) error {
	clients := r.PgbenchClients
	if r.Learners%clients != 0 {
		return fmt.Errorf("%d learners do not split evenly over %d pgbench clients", r.Learners, clients)
	}
	courseID, cohortID := newUUID(), newUUID()
	if _, err := s.pool.Exec(ctx, `INSERT INTO courses (id, methodology_id, owner_id, title, summary, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at)
		SELECT $2, methodology_id, owner_id, title || ' (pgbench)', summary, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at
		FROM courses WHERE id = $1`, course.ID, courseID); err != nil {
		return fmt.Errorf("copying the course: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO cohorts (id, course_id, title, capacity, enrolled_count, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, created_at, updated_at, announced_at)
		SELECT $2, $3, title || ' (pgbench)', capacity, 0, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, now(), now(), now()
		FROM cohorts WHERE id = $1`, cohort.ID, cohortID, courseID); err != nil {
		return fmt.Errorf("copying the cohort: %w", err)
	}
	params, _ := json.Marshal(map[string]string{"course": course.Title, "cohort": "Enrolment burst (pgbench)", "starts": "2026. gada 30. novembrī"})

	dir, err := os.MkdirTemp("", "moocload-pgbench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary folder; what is left is harmless
	script := filepath.Join(dir, "enrol.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript()), 0o600); err != nil {
		return err
	}
	perClient := r.Learners / clients
	step(fmt.Sprintf("enrolment burst reference: pgbench, %d clients × %d transactions of the same statements, into a copy of the cohort", clients, perClient))
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.o.pgbench, "-n", "-r", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
		"-t", strconv.Itoa(perClient), "-f", script,
		"-D", "k=0", "-D", "per_client="+strconv.Itoa(perClient), "-D", "prefix="+learnerIDPrefix(groupPgbench),
		"-D", "cohort="+cohortID, "-D", "course="+courseID, "-D", "params="+string(params),
		s.o.databaseURL)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	p, perr := bench.ParsePgbench(string(out))
	if err != nil || perr != nil {
		tail := string(out)
		if len(tail) > 800 {
			tail = tail[len(tail)-800:]
		}
		return errors.Join(fmt.Errorf("pgbench failed: %s", tail), err, perr)
	}
	r.Pgbench = &p
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'enrolled'), count(*) FILTER (WHERE status = 'waitlisted') FROM enrolments WHERE cohort_id = $1`,
		cohortID).Scan(&r.PgbenchEnrolled, &r.PgbenchWaitlisted); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "    %d/%d transactions (%d failed), %.0f tps, latency average %.1f ms; %d enrolled, %d waitlisted\n",
		p.Processed, p.Wanted, p.Failed, p.TPS, p.LatencyMs, r.PgbenchEnrolled, r.PgbenchWaitlisted)
	fmt.Fprintf(os.Stderr, "    costliest statements: %s\n", costliest(p.Statements, 5))
	if p.Processed != r.Learners || p.Failed != 0 {
		return fmt.Errorf("pgbench processed %d of %d transactions (%d failed)", p.Processed, r.Learners, p.Failed)
	}
	return nil
}

// costliest names the n statements of a pgbench -r run with the highest
// average latency, shortened.
func costliest(st []bench.PgbenchStatement, n int) string {
	sorted := slices.Clone(st)
	slices.SortStableFunc(sorted, func(a, b bench.PgbenchStatement) int { return cmp.Compare(b.Ms, a.Ms) })
	var out []string
	for _, s := range sorted[:min(n, len(sorted))] {
		cmd := s.Command
		if len(cmd) > 70 {
			cmd = cmd[:70] + "…"
		}
		out = append(out, fmt.Sprintf("`%s` %.1f ms", cmd, s.Ms))
	}
	return strings.Join(out, "; ")
}
