package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// markdown renders the run as the table BENCHMARKS.md carries, followed
// by the details of each phase.
func (r *report) markdown() string {
	var b strings.Builder
	where := "a process of its own"
	if r.RefInProcess {
		where = "inside the load tool"
	}
	fmt.Fprintf(&b, "Run of %s UTC.", r.Date.Format("2006-01-02 15:04"))
	if r.ran("upload") {
		fmt.Fprintf(&b, " Upload: %s, %d round(s), each the platform and the reference back to back; "+
			"throughput figures are medians over the rounds, the ratio the median of the rounds' ratios, the memory growth the highest.",
			size(r.UploadBytes), len(r.Upload))
	}
	if r.ran("outline") {
		fmt.Fprintf(&b, " Outline: %d keep-alive clients for %s after a warm-up.", r.Concurrency, r.Duration)
	}
	fmt.Fprintf(&b, " Fiber references run in %s.\n\n", where)

	b.WriteString("| benchmark | measured | reference (same run) | ratio | target | result |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	if r.ran("upload") && len(r.Upload) > 0 {
		fmt.Fprintf(&b, "| Upload of a %s MP4 (`POST /api/v1/media`): server RSS growth | %s (peak %s; %s above the idle server at start) | — | — | ≤ %s | %s |\n",
			size(r.UploadBytes), size(r.RSSGrowth), size(r.PeakRSS), size(max(r.PeakRSS-r.IdleRSS, 0)), size(targetRSSGrowth), verdict(r.rssPass()))
		fmt.Fprintf(&b, "| Upload of a %s MP4: throughput | %.0f MiB/s | %.0f MiB/s (minio-go `PutObject`, known size, same MinIO) | %.0f %% | ≥ %.0f %% of reference | %s |\n",
			size(r.UploadBytes), r.UploadMiBs, r.RefMiBs, 100*r.UploadRatio, 100*targetUploadRatio, verdict(r.uploadPass()))
	}
	if r.ran("outline") && r.Outline.Requests > 0 {
		outline := fmt.Sprintf("Course outline `GET /api/v1/courses/{id}` (5 weeks, %d lessons, %s JSON), %d clients", r.Lessons, size(int64(r.OutlineBytes)), r.Concurrency)
		fmt.Fprintf(&b, "| %s: throughput | %s req/s | %s req/s (bare Fiber handler, same JSON bytes) | %.0f %% | ≥ %.0f %% of reference | %s |\n",
			outline, thousands(r.Outline.PerSecond), thousands(r.RefOutline.PerSecond), 100*ratio(r.Outline.PerSecond, r.RefOutline.PerSecond),
			100*targetOutlineRatio, verdict(r.outlinePass()))
		fmt.Fprintf(&b, "| Course outline, %d clients: latency p50 | %s | %s | %.1f× | none set | reported |\n",
			r.Concurrency, ms(r.Outline.P50ms), ms(r.RefOutline.P50ms), ratio(r.Outline.P50ms, r.RefOutline.P50ms))
		fmt.Fprintf(&b, "| Course outline, %d clients: latency p99 | %s | %s | %.1f× | none set | reported |\n",
			r.Concurrency, ms(r.Outline.P99ms), ms(r.RefOutline.P99ms), ratio(r.Outline.P99ms, r.RefOutline.P99ms))
		if r.AnonOutline.Requests > 0 {
			fmt.Fprintf(&b, "| Course outline, %d clients, anonymous (no token to check): throughput | %s req/s (p50 %s, p99 %s) | %s req/s | %.0f %% | none set | reported |\n",
				r.Concurrency, thousands(r.AnonOutline.PerSecond), ms(r.AnonOutline.P50ms), ms(r.AnonOutline.P99ms), thousands(r.RefOutline.PerSecond),
				100*ratio(r.AnonOutline.PerSecond, r.RefOutline.PerSecond))
		}
		switch {
		case r.Page != nil:
			fmt.Fprintf(&b, "| Course page `GET %s` (HTML, %s), %d clients, anonymous: throughput | %s req/s (p50 %s, p99 %s) | %s req/s (the bare Fiber handler above) | %.0f %% | ≥ %.0f %% of reference | %s |\n",
				r.PagePath, size(int64(r.Page.Bytes)), r.Concurrency, thousands(r.Page.Load.PerSecond), ms(r.Page.Load.P50ms), ms(r.Page.Load.P99ms),
				thousands(r.RefOutline.PerSecond), 100*ratio(r.Page.Load.PerSecond, r.RefOutline.PerSecond), 100*targetOutlineRatio, verdict(r.pagePass()))
		case r.PagePath == "none":
			b.WriteString("| Course page: not measured (`-page-path none`) | — | — | — | none set | not run |\n")
		}
	}
	if e := r.Enrol; e != nil {
		fmt.Fprintf(&b, "| Enrolment burst (issue 4): %s learners `POST /api/v1/cohorts/{id}/enrolments` at one instant into a %d-seat cohort: latency | whole burst %s; p50 %s, p99 %s; %s | — | — | p99 ≤ %s, no errors | %s |\n",
			thousands(float64(e.Learners)), e.Capacity, seconds(e.Burst.Seconds), ms(e.Burst.P50ms), ms(e.Burst.P99ms), errorsText(e.Burst.Errors),
			seconds(targetBurstP99.Seconds()), verdict(e.latencyPass()))
		ref, rat := "no reference: "+r.scrub(e.PgbenchNote), "—"
		if e.Pgbench != nil {
			ref = fmt.Sprintf("%s tps (pgbench, %d clients = the server's pool, the same statements per enrolment, same database)", thousands(e.Pgbench.TPS), e.PgbenchClients)
			rat = fmt.Sprintf("%.0f %%", 100*e.Ratio)
		}
		fmt.Fprintf(&b, "| Enrolment burst: throughput | %s req/s | %s | %s | ≥ %.0f %% of reference | %s |\n",
			thousands(e.Burst.PerSecond), ref, rat, 100*targetBurstVsPgbench, verdict(e.ratioPass()))
		fmt.Fprintf(&b, "| Enrolment burst: outcome | replies: %s enrolled, %s waitlisted; `GET /api/v1/cohorts/{id}`: enrolled_count %d, waitlist_count %s; team list: %s | — | — | exactly %d enrolled, the rest waitlisted 1..N | %s |\n",
			thousands(float64(e.Enrolled)), thousands(float64(e.Waitlisted)), e.CohortEnrolled, thousands(float64(e.CohortWaitlisted)),
			thousandsIn(e.PositionsNote), min(e.Learners, e.Capacity), verdict(e.outcomePass()))
	}
	if sub := r.Submit; sub != nil {
		fmt.Fprintf(&b, "| Final test submissions (issue 5): %d `POST /api/v1/attempts/{id}/submit` (%d questions each) at one instant: latency | p50 %s, p99 %s; %s, %d passed | p50 %s, p99 %s (bare Fiber handler, same requests and replies) | p99 %.1f× | p99 ≤ %s, no errors | %s |\n",
			sub.Learners, sub.Questions, ms(sub.Burst.P50ms), ms(sub.Burst.P99ms), errorsText(sub.Burst.Errors), sub.Passed,
			ms(sub.Ref.P50ms), ms(sub.Ref.P99ms), ratio(sub.Burst.P99ms, sub.Ref.P99ms), ms(msOf(targetSubmitP99)), verdict(sub.pass()))
	}
	if c := r.Certs; c != nil {
		fmt.Fprintf(&b, "| Certificates (issue 6): bulk issue for a %d-learner cohort (`POST /api/v1/cohorts/{id}/certificates`, job polled every 50 ms) | %.0f certificates/s (%d issued in %s, %d failed) | %.0f pages/s (`certificates.Render` alone, %d workers, in the load tool); %.0f pages/s rendered and sealed (`Render` + `Seal.Sign`, issue 19) | %.1f× the time per certificate of Render alone | ≥ %.0f/s, sealed | %s |\n",
			c.Learners, c.PerSecond, c.Issued, seconds(c.Seconds), c.Failed, c.Render.PerSecond, c.Render.Workers, c.Sealed.PerSecond, c.Ratio, targetCertsPerSec, verdict(c.pass()))
	}
	if c := r.Report; c != nil {
		fmt.Fprintf(&b, "| Completions report (issue 7): `GET /api/v1/reports/completions`, %s enrolments, %s certificates, %d cohorts; %d sequential requests | p50 %s, p99 %s | p50 %s, p99 %s (the report's three queries, bare, over pgx) | p99 %.1f× | p99 < %s | %s |\n",
			thousands(float64(c.Enrolments)), thousands(float64(c.Certificates)), c.Cohorts, c.Requests, ms(c.P50ms), ms(c.P99ms),
			ms(c.SQLP50ms), ms(c.SQLP99ms), ratio(c.P99ms, c.SQLP99ms), ms(msOf(targetReport)), verdict(c.pass()))
	}
	if sk := r.Soak; sk != nil && len(sk.Samples) > 0 {
		first, last := sk.Samples[0], sk.Samples[len(sk.Samples)-1]
		var top int64
		for _, x := range sk.Samples {
			top = max(top, x.RSS)
		}
		fmt.Fprintf(&b, "| Soak (issue 8): %s of mixed traffic, %d clients: server RSS | %s → %s (first → last of %d samples; highest %s) | — | — | second half ≤ first half + 20 %% (+16 MiB) | %s |\n",
			durationText(sk.Duration), sk.Clients, size(first.RSS), size(last.RSS), len(sk.Samples), size(top), stability(sk.rssStable(), len(sk.Samples)))
		fmt.Fprintf(&b, "| Soak: p99 per %s window | %s → %s | — | %.1f× (second half over first, medians) | second half ≤ 2× first half | %s |\n",
			durationText(sk.Every), ms(first.P99ms), ms(last.P99ms), sk.P99Growth, stability(sk.p99Stable(), len(sk.Samples)))
		fmt.Fprintf(&b, "| Soak: errors | %s of %s requests | — | — | none | %s |\n",
			thousands(float64(sk.Errors)), thousands(float64(sk.Requests)), verdict(sk.Errors == 0))
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "| %s | did not complete: %s | — | — | — | **FAIL** |\n", f.Phase, cell(r.scrub(f.Error)))
	}

	if r.ran("upload") && len(r.Upload) > 0 {
		fmt.Fprintf(&b, "\nUpload rounds (the server's RSS was %s when it had started, before the first request):\n\n", size(r.IdleRSS))
		b.WriteString("| round | platform | reference | ratio | server RSS before → peak (growth) | server CPU during the upload |\n")
		b.WriteString("|---|---|---|---|---|---|\n")
		for i, u := range r.Upload {
			fmt.Fprintf(&b, "| %d | %.1f s, %.0f MiB/s | %.1f s, %.0f MiB/s | %.0f %% | %s → %s (+%s) | %.1f s |\n",
				i+1, u.APISeconds, u.APIMiBs, u.RefSeconds, u.RefMiBs, 100*ratio(u.APIMiBs, u.RefMiBs), size(u.BaselineRSS), size(u.PeakRSS), size(u.Growth), u.ServerCPUSecond)
		}
	}
	if r.ran("outline") && r.Outline.Requests > 0 {
		fmt.Fprintf(&b, "\nOutline reads: platform %d requests in %.1f s (%d failed), reference %d in %.1f s (%d failed).\n",
			r.Outline.Requests, r.Outline.Seconds, r.Outline.Errors, r.RefOutline.Requests, r.RefOutline.Seconds, r.RefOutline.Errors)
	}
	if e := r.Enrol; e != nil {
		fmt.Fprintf(&b, "\nEnrolment burst (load average %s at its start): %d connections opened in %s before the release; the last reply came %s after it; "+
			"the server used %.1f s of CPU meanwhile.", e.Load, e.Learners, seconds(e.Burst.OpeningS), seconds(e.Burst.Seconds), e.ServerCPU)
		if e.Burst.Errors > 0 {
			fmt.Fprintf(&b, " First failure: %s.", cell(r.scrub(e.Burst.FirstError)))
		}
		if p := e.Pgbench; p != nil {
			fmt.Fprintf(&b, " pgbench: %d/%d transactions, %d failed, latency average %.1f ms; its copy of the cohort ended with %d enrolled and %s waitlisted.",
				p.Processed, p.Wanted, p.Failed, p.LatencyMs, e.PgbenchEnrolled, thousands(float64(e.PgbenchWaitlisted)))
			if len(p.Statements) > 0 {
				fmt.Fprintf(&b, " Its costliest statements (average per execution, `pgbench -r`): %s.", costliest(p.Statements, 4))
			}
		}
		b.WriteString("\n")
	}
	if sub := r.Submit; sub != nil {
		fmt.Fprintf(&b, "\nSubmissions (load average %s at their start): the last of %d replies came %s after the release (reference: %s); the server used %.2f s of CPU.",
			sub.Load, sub.Learners, ms(sub.Burst.MaxMs), ms(sub.Ref.MaxMs), sub.ServerCPU)
		if sub.Burst.Errors > 0 {
			fmt.Fprintf(&b, " First failure: %s.", cell(r.scrub(sub.Burst.FirstError)))
		}
		b.WriteString("\n")
	}
	if c := r.Certs; c != nil {
		fmt.Fprintf(&b, "\nCertificates (load average %s at their start): job %s, %d issued, %d existing, %d not eligible, %d failed; %s from the POST to the poll that saw it done "+
			"(%s between the job's own created_at and finished_at). Server CPU %.1f s, %.1f ms per certificate; `certificates.Render` alone: %d pages in %s, %.1f ms CPU per page, PDF of %s; rendered and sealed: %s, %.1f ms CPU per page, PDF of %s. "+
			"Every certificate the platform stores is sealed (a PAdES signature by the seal of MOOC_SEAL_CERT, here one generated into the data directory). "+
			"Lesson progress was written with SQL (`lesson_progress` rows, as `PUT …/progress` writes them); the passed final tests are the submissions' own, over HTTP.\n",
			c.Load, c.Status, c.Issued, c.Existing, c.NotEligible, c.Failed, seconds(c.Seconds), seconds(c.JobSeconds),
			c.ServerCPU, 1000*ratio(c.ServerCPU, float64(c.Issued)), c.Render.N, seconds(c.Render.Seconds), 1000*ratio(c.Render.CPUSeconds, float64(c.Render.N)), size(int64(c.Render.Bytes)),
			seconds(c.Sealed.Seconds), 1000*ratio(c.Sealed.CPUSeconds, float64(c.Sealed.N)), size(int64(c.Sealed.Bytes)))
	}
	if c := r.Report; c != nil {
		fmt.Fprintf(&b, "\nCompletions report (load average %s at its start): written with COPY in %s — %d cohorts, %s enrolments (%s completed), %s lesson progress rows, %s final test attempts, %s certificates, %d programmes with %d participants; then ANALYZE. "+
			"The reply: %d rows, %s of JSON; %s (HTTP and bare SQL %s). Bare SQL p50 per query: online %s, in-person %s, distinct people %s.\n",
			c.Load, seconds(c.InsertS), c.Cohorts, thousands(float64(c.Enrolments)), thousands(float64(c.Completed)), thousands(float64(c.Progress)),
			thousands(float64(c.Attempts)), thousands(float64(c.Certificates)), c.Programmes, c.Applications, c.Rows, size(int64(c.Bytes)), thousandsIn(c.Totals),
			map[bool]string{true: "agree", false: "**disagree**"}[c.Agree], ms(c.Q1ms), ms(c.Q2ms), ms(c.Q3ms))
	}
	if sk := r.Soak; sk != nil {
		fmt.Fprintf(&b, "\nSoak: %d clients, each a learner going round enrol (or be waitlisted, look and withdraw) → outline → for every lesson the playback link (media lessons) and progress → start and submit the final test → certificate → withdraw, "+
			"with a %s pause before each request (a waitlisted one looks again after %s), in a cohort of %d seats; %s requests, %s cycles, %s certificates. Server RSS before: %s.",
			sk.Clients, durationText(sk.Think), durationText(waitlistPause), sk.Capacity, thousands(float64(sk.Requests)), thousands(float64(sk.Cycles)), thousands(float64(sk.Certificates)), size(sk.IdleRSS))
		if sk.FirstError != "" {
			fmt.Fprintf(&b, " First failure: %s.", cell(r.scrub(sk.FirstError)))
		}
		kinds := make([]string, 0, len(sk.ByKind))
		for k := range sk.ByKind {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		var mix []string
		for _, k := range kinds {
			mix = append(mix, fmt.Sprintf("%s %s", k, thousands(float64(sk.ByKind[k]))))
		}
		fmt.Fprintf(&b, " Requests by kind: %s.\n\n", strings.Join(mix, ", "))
		b.WriteString("| at | server RSS | Go heap in use | goroutines | requests | req/s | errors | p50 | p99 | load average |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, x := range sk.Samples {
			fmt.Fprintf(&b, "| %.0f s | %s | %s | %d | %s | %.0f | %d | %s | %s | %s |\n",
				x.At, size(x.RSS), size(x.HeapInuse), x.Goroutines, thousands(float64(x.Requests)), x.PerSecond, x.Errors, ms(x.P50ms), ms(x.P99ms), x.Load)
		}
	}
	return b.String()
}

// durationText writes a duration as people do: "60 s", "30 min", "20 ms".
func durationText(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0 && d > 2*time.Minute:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	}
}

func verdict(ok bool) string {
	if ok {
		return "**pass**"
	}
	return "**FAIL**"
}

func stability(ok bool, samples int) string {
	switch {
	case samples < 2:
		return "too short to tell"
	case ok:
		return "**pass** (stable)"
	default:
		return "**FAIL** (grew)"
	}
}

func errorsText(n int) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

func seconds(s float64) string {
	if s < 10 {
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// thousandsIn puts separators into the numbers of four or more digits of s.
func thousandsIn(s string) string {
	return bigNumber.ReplaceAllStringFunc(s, func(n string) string {
		v, _ := strconv.ParseFloat(n, 64)
		return thousands(v)
	})
}

var bigNumber = regexp.MustCompile(`\b\d{4,}\b`)

// cell makes text safe for one table cell: one line, no pipes, not long.
func cell(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "|", "/")), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// scrub keeps what goes into BENCHMARKS.md free of the database URL, the
// token secret and file paths of this machine (errors may quote them).
func (r *report) scrub(s string) string {
	for _, secret := range r.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "…")
		}
	}
	return filePath.ReplaceAllString(s, "…")
}

var filePath = regexp.MustCompile(`(?:/[\w.+\-]+){2,}/?`)

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// thousands renders a rate as a whole number with thin separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
