package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

type report struct {
	Started            time.Time
	Elapsed            time.Duration
	Load               string
	Cores              int
	Learners           int
	Rush               rushResult
	Health, One, Three capacity
	Before             capacity // the earlier binary on r1, with -before
	Jobs               takeoverResult
	Outage             outageResult
}

func numCPU() int { return runtime.NumCPU() }

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}

// sectionTitle is the heading of this command's section of BENCHMARKS.md.
const sectionTitle = "## Deployment: three replicas (issue 20)"

func (r report) markdown(o options) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s\n\n", sectionTitle)
	p("`make bench-replicas` (scripts/bench-replicas.sh, `bench/cmd/replicas`) starts three `mooc serve` replicas\n")
	p("on loopback behind Debian's haproxy (round robin, `GET /readyz` checks every 500 ms, a failed connection\n")
	p("sent to another replica), one PostgreSQL database and MinIO over four drive folders (an erasure set), and\n")
	p("measures through the balancer. Last run: %s, %.1f minutes; %d cores, 1-minute load average %s at the start.\n",
		r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Elapsed.Minutes(), r.Cores, r.Load)
	p("**Everything shares these %d cores**: the replicas, haproxy, PostgreSQL, MinIO and the load tool (vegeta in\n", r.Cores)
	p("the same process as the rest of the tool), so three replicas cannot be three times one; the figures say\n")
	p("what one machine holds, not what three machines would.\n\n")

	u := r.Rush
	p("| what | result |\n|---|---|\n")
	p("| enrolment rush: %d learners into %d seats, %d at a time, %s killed (SIGKILL) after %d answers | %.1f s |\n",
		u.Learners, u.Capacity, u.Concurrency, u.Killed, u.KilledAfter, u.Elapsed.Seconds())
	p("| counts equal rows | %s: cohort %d enrolled + %d waitlisted, rows %d + %d |\n",
		yes(u.Counts.equal()), u.Counts.APIEnrolled, u.Counts.APIWaitlisted, u.Counts.RowsEnrolled, u.Counts.RowsWaitlist)
	p("| lost replies (a row whose learner never got a 201 after retries with the same Idempotency-Key) | **%d** (of which %d answered 409 `already_enrolled` on a retry: the key was not replayed) |\n",
		u.Lost, u.Conflicts)
	p("| retries | %d requests sent again, by %d learners; %d 5xx answers seen, %d connections lost; %d learners without an answer at the end |\n",
		u.Retries, u.RetriedLearners, u.Status5xx, u.TransportErrors, u.Failed)
	j := r.Jobs
	if j.Done {
		p("| job takeover: bulk issue of %d certificates, its replica killed with %d issued | **%.1f s** from the kill to `done` through another replica (goal < 60 s); %d certificates |\n",
			j.Holders, j.IssuedAtKill, j.Takeover.Seconds(), j.Certificates)
	} else {
		p("| job takeover: bulk issue of %d certificates, its replica killed with %d issued | **not done** %.0f s after the kill (status `%s`, %d certificate rows): no replica took the job over (a server without job leases) |\n",
			j.Holders, j.IssuedAtKill, j.Takeover.Seconds(), j.Final.Status, j.Certificates)
	}
	if j.OrphanCheckErr != "" {
		p("| orphan objects | not measured: %s |\n", j.OrphanCheckErr)
	} else {
		swept := ""
		if j.OrphansAfter > 0 && j.OrphansAfter == j.OrphansBefore {
			swept = "; none was swept (a server without the orphan sweep)"
		}
		p("| orphan objects (in the bucket, named by no row) | %d after the job; **%d** after waiting %.0f s for the sweep (`MOOC_ORPHAN_MIN_AGE=%s`, `MOOC_ORPHAN_SWEEP_EVERY=%s`); %d objects in all%s |\n",
			j.OrphansBefore, j.OrphansAfter, j.SweepWaited.Seconds(), orphanMinAge, orphanSweepEvery, j.Objects, swept)
	}
	for _, l := range r.Outage.lines() {
		p("| MinIO stopped: %s |\n", strings.Replace(l, ": ", " | ", 1))
	}
	p("\n**Read capacity** (vegeta v12.13.0 as a library, constant rates held %s each; a rate holds when its p99 is\n", o.step)
	p("within %s and at least 99.9 %% of replies are as expected). The mix is, for each of %d enrolled learners with\n", o.p99, r.Learners)
	p("their own token, `GET /api/v1/courses/{id}`, `GET /api/v1/me/enrolments` and the video lesson's\n")
	p("`GET …/playback`, in turn. CPU is the replica processes' user + system time (`/proc/<pid>/stat`) over the\n")
	p("requests sent. `GET /healthz` on one replica is the reference of the same run. On a machine shared with other\n")
	p("work a stall shows up as a missed rate (✗), the reference's included, and a missed rate is tried once more;\n")
	p("CPU per request is the steadier figure.\n\n")
	p("| target | highest rate held (p99 ≤ %s) | at each rate: answered/s, p99, CPU per request |\n|---|---|---|\n", o.p99)
	rows := []capacity{r.Health, r.One, r.Three}
	if r.Before.Name != "" {
		rows = append(rows, r.Before)
	}
	for _, c := range rows {
		var steps []string
		for _, s := range c.Steps {
			mark := ""
			if !s.ok(o.p99) {
				mark = " ✗"
			}
			steps = append(steps, fmt.Sprintf("%d: %.0f/s, %.1f ms, %.2f ms%s", s.Rate, s.Throughput, ms(s.P99), ms(s.CPUPerReq), mark))
		}
		best := "none"
		if c.Best > 0 {
			best = fmt.Sprintf("**%d/s**", c.Best)
		}
		p("| %s | %s | %s |\n", c.Name, best, strings.Join(steps, "; "))
	}
	p("\nGoal: ≥ 2,000 requests/s of the mix on one replica with p99 ≤ 50 ms.\n\n")
	p("What made the mix cheaper (CPU profiles of r1 under the mix, `-profile`; `MOOC_PPROF_ADDR`): most of a\n")
	p("replica's time went to database round trips, five for a playback link and five for a learner's enrolments.\n")
	p("A playback link and a progress report now take the lesson and its captions from the catalogue's cached\n")
	p("outline (`catalogue.CourseLesson`, the same outline and second of staleness as `GET /courses/{id}`), and\n")
	p("read the enrolment with its cohort's start in one query; a learner's enrolments count each course's\n")
	p("lessons and tests from the cached outline too (two queries fewer). The token's signature check is\n")
	p("remembered for a second (`accounts/token_cache.go`, a tenth of the CPU): whether its session ended is\n")
	p("still asked of the revocation copy on every request, so logouts take effect as before. What is left is\n")
	p("mostly the remaining queries (the enrolment, the media record, the learner's progress and results) and\n")
	p("minio-go's presigning of the link. With `MOOC_BENCH_BEFORE=<commit>` the mix is measured on the server\n")
	p("built from that commit too, as r1 on the same database in the same run (the last row above). On an idle\n")
	p("machine both may hold every rate tried, and then the CPU per request at the same rate is the difference;\n")
	p("while other work runs, the cheaper server is the one that still holds its rates.\n")
	return b.String()
}

func yes(ok bool) string {
	if ok {
		return "**yes**"
	}
	return "**NO**"
}

// writeSection puts the section into the file in place of an earlier one,
// or at its end, keeping every other section.
func writeSection(path, section string) error {
	raw, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, []byte(replaceSection(string(raw), section)), 0o644)
}

// replaceSection swaps the section from its heading to the next "## "
// heading (or the end) for section.
func replaceSection(doc, section string) string {
	section = strings.TrimRight(section, "\n") + "\n"
	i := strings.Index(doc, sectionTitle+"\n")
	if i < 0 {
		if doc != "" && !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		return doc + section
	}
	rest := doc[i+len(sectionTitle)+1:]
	end := strings.Index(rest, "\n## ")
	if end < 0 {
		return doc[:i] + section
	}
	return doc[:i] + section + rest[end+1:]
}
