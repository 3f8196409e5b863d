package main

import (
	"fmt"
	"strings"
)

// markdown renders the run as the table BENCHMARKS.md carries, followed
// by the figures of each upload round.
func (r *report) markdown() string {
	var b strings.Builder
	verdict := func(ok bool) string {
		if ok {
			return "**pass**"
		}
		return "**FAIL**"
	}
	where := "a process of its own"
	if r.RefInProcess {
		where = "inside the load tool"
	}
	rounds := len(r.Upload)
	fmt.Fprintf(&b, "Run of %s UTC. Upload: %s, %d round(s), each the platform and the reference back to back; "+
		"throughput figures are medians over the rounds, the ratio the median of the rounds' ratios, the memory growth the highest. "+
		"Outline: %d keep-alive clients for %s after a warm-up; the reference runs in %s.\n\n",
		r.Date.Format("2006-01-02 15:04"), size(r.UploadBytes), rounds, r.Concurrency, r.Duration, where)

	b.WriteString("| benchmark | measured | reference (same run) | ratio | target | result |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| Upload of a %s MP4 (`POST /api/v1/media`): server RSS growth | %s (peak %s; %s above the idle server at start) | — | — | ≤ %s | %s |\n",
		size(r.UploadBytes), size(r.RSSGrowth), size(r.PeakRSS), size(max(r.PeakRSS-r.IdleRSS, 0)), size(targetRSSGrowth), verdict(r.rssPass()))
	fmt.Fprintf(&b, "| Upload of a %s MP4: throughput | %.0f MiB/s | %.0f MiB/s (minio-go `PutObject`, known size, same MinIO) | %.0f %% | ≥ %.0f %% of reference | %s |\n",
		size(r.UploadBytes), r.UploadMiBs, r.RefMiBs, 100*r.UploadRatio, 100*targetUploadRatio, verdict(r.uploadPass()))
	outline := fmt.Sprintf("Course outline `GET /api/v1/courses/{id}` (5 weeks, %d lessons, %s JSON), %d clients", r.Lessons, size(int64(r.OutlineBytes)), r.Concurrency)
	fmt.Fprintf(&b, "| %s: throughput | %s req/s | %s req/s (bare Fiber handler, same JSON bytes) | %.0f %% | none set | reported |\n",
		outline, thousands(r.Outline.PerSecond), thousands(r.RefOutline.PerSecond), 100*ratio(r.Outline.PerSecond, r.RefOutline.PerSecond))
	fmt.Fprintf(&b, "| Course outline, %d clients: latency p50 | %s | %s | %.1f× | none set | reported |\n",
		r.Concurrency, ms(r.Outline.P50ms), ms(r.RefOutline.P50ms), ratio(r.Outline.P50ms, r.RefOutline.P50ms))
	fmt.Fprintf(&b, "| Course outline, %d clients: latency p99 | %s | %s | %.1f× | none set | reported |\n",
		r.Concurrency, ms(r.Outline.P99ms), ms(r.RefOutline.P99ms), ratio(r.Outline.P99ms, r.RefOutline.P99ms))

	fmt.Fprintf(&b, "\nUpload rounds (the server's RSS was %s when it had started, before the first request):\n\n", size(r.IdleRSS))
	b.WriteString("| round | platform | reference | ratio | server RSS before → peak (growth) | server CPU during the upload |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for i, u := range r.Upload {
		fmt.Fprintf(&b, "| %d | %.1f s, %.0f MiB/s | %.1f s, %.0f MiB/s | %.0f %% | %s → %s (+%s) | %.1f s |\n",
			i+1, u.APISeconds, u.APIMiBs, u.RefSeconds, u.RefMiBs, 100*ratio(u.APIMiBs, u.RefMiBs), size(u.BaselineRSS), size(u.PeakRSS), size(u.Growth), u.ServerCPUSecond)
	}
	fmt.Fprintf(&b, "\nOutline reads: platform %d requests in %.1f s (%d failed), reference %d in %.1f s (%d failed).\n",
		r.Outline.Requests, r.Outline.Seconds, r.Outline.Errors, r.RefOutline.Requests, r.RefOutline.Seconds, r.RefOutline.Errors)
	return b.String()
}

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
