package main

import (
	"strings"
	"testing"
	"time"

	"mooc/bench"
)

func TestFlagsRefuseAnythingButLoopback(t *testing.T) {
	t.Setenv("MOOC_BENCH_EMAIL", "team@example.lv")
	t.Setenv("MOOC_BENCH_PASSWORD", "x")
	t.Setenv("MOOC_TEST_S3_ACCESS_KEY", "k")
	t.Setenv("MOOC_TEST_S3_SECRET_KEY", "s")
	t.Setenv("MOOC_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mooc_bench?sslmode=disable")
	t.Setenv("MOOC_BENCH_TOKEN_SECRET", "0123456789abcdef0123456789abcdef")

	t.Setenv("MOOC_TEST_S3_ENDPOINT", "127.0.0.1:9000")
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-url", "http://10.1.2.3:8080", "-pid", "1"},
		{"-url", "http://example.lv", "-pid", "1"},
		{"-url", "http://127.0.0.1:8080", "-pid", "1", "-duration", "1h"},
		{"-url", "http://127.0.0.1:8080", "-pid", "1", "-upload-size", "17179869184"},
		{"-url", "http://127.0.0.1:8080"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%v passed", args)
		}
	}
	t.Setenv("MOOC_TEST_S3_ENDPOINT", "minio.example.lv:9000")
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1"}); err == nil || !strings.Contains(err.Error(), "MOOC_TEST_S3_ENDPOINT") {
		t.Fatalf("a remote MinIO passed: %v", err)
	}
}

func TestReportTable(t *testing.T) {
	r := &report{
		Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), UploadBytes: 2 << 30, IdleRSS: 30 << 20, PeakRSS: 70 << 20,
		RSSGrowth: 40 << 20, UploadMiBs: 150, RefMiBs: 200, UploadRatio: 0.75, OutlineBytes: 8000, Lessons: 25,
		Concurrency: 64, Duration: 20 * time.Second, Phases: []string{"upload", "outline"},
		Outline:    loadFigures{Requests: 43568, PerSecond: 2178.4, P50ms: 25.2, P99ms: 104},
		RefOutline: loadFigures{PerSecond: 35785, P50ms: 1.5, P99ms: 7},
		Upload:     []uploadRound{{APIMiBs: 150, RefMiBs: 200}},
	}
	md := r.markdown()
	for _, want := range []string{"| 40 MiB (peak 70 MiB; 40 MiB above", "≤ 64 MiB | **pass**", "| 75 % | ≥ 80 % of reference | **FAIL**", "2,178 req/s", "35,785 req/s"} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	if r.Passed() {
		t.Error("a missed throughput target passed")
	}
}

// The outline's target is half the reference; the course page is a line
// of its own, measured, not measured (none), or a failure.
func TestReportTableOutlineAndPage(t *testing.T) {
	r := &report{
		Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), OutlineBytes: 6900, Lessons: 25,
		Concurrency: 64, Duration: 20 * time.Second, Phases: []string{"outline"}, PagePath: "/courses/{id}",
		Outline:     loadFigures{Requests: 500000, PerSecond: 25000, P50ms: 2.2, P99ms: 9},
		RefOutline:  loadFigures{PerSecond: 40000, P50ms: 1.5, P99ms: 7},
		AnonOutline: loadFigures{Requests: 600000, PerSecond: 30000, P50ms: 2, P99ms: 8},
		Page:        &pageFigures{Bytes: 12 << 10, ContentType: "text/html; charset=utf-8", Load: loadFigures{PerSecond: 9000, P50ms: 6, P99ms: 20}},
	}
	md := r.markdown()
	for _, want := range []string{"| 62 % | ≥ 50 % of reference | **pass** |", "| Course page `GET /courses/{id}` (HTML, 12.0 KiB), 64 clients, anonymous: throughput | 9,000 req/s", "| 22 % | ≥ 50 % of reference | **FAIL** |", "anonymous (no token to check): throughput | 30,000 req/s (p50 2.00 ms, p99 8.00 ms) | 40,000 req/s | 75 % |"} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	if r.Passed() {
		t.Error("the course page at 22 % of the reference met its target")
	}
	r.Page.Load.PerSecond = 24000
	if !r.Passed() || !strings.Contains(r.markdown(), "| 60 % | ≥ 50 % of reference | **pass** |") {
		t.Errorf("the outline at 62 %% and the page at 60 %% of the reference missed their targets:\n%s", r.markdown())
	}

	r.Outline.PerSecond = 2800
	if r.Passed() || !strings.Contains(r.markdown(), "| 7 % | ≥ 50 % of reference | **FAIL** |") {
		t.Errorf("7 %% of the reference passed:\n%s", r.markdown())
	}
	r.Outline.PerSecond = 25000

	r.Page = nil
	r.Failures = []phaseFailure{{Phase: "Course page `GET /courses/{id}`", Error: "answered 404, not the page (70 bytes of application/problem+json)"}}
	if md := r.markdown(); !strings.Contains(md, "| Course page `GET /courses/{id}` | did not complete: answered 404, not the page (70 bytes of application/problem+json)") || r.Passed() {
		t.Errorf("a page answering 404 is not a failure:\n%s", md)
	}

	r.Failures, r.PagePath = nil, "none"
	if md := r.markdown(); !strings.Contains(md, "| Course page: not measured (`-page-path none`)") {
		t.Errorf("an unmeasured page is not said:\n%s", md)
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567"} {
		if got := thousands(v); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{0.42, 0.92, 0.84}, 0.84}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestReportTableOfIssues4To8(t *testing.T) {
	r := &report{
		Date:    time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC),
		Phases:  []string{"enrolment", "submissions", "certificates", "report", "soak"},
		secrets: []string{"postgres://postgres@127.0.0.1:5432/mooc_bench_1", "s3cr3t"},
		Enrol: &enrolReport{Learners: 2000, Capacity: 200, Burst: burstFigures{Requests: 2000, OK: 2000, Seconds: 0.8, PerSecond: 2500, P50ms: 400, P99ms: 790},
			Enrolled: 200, Waitlisted: 1800, CohortEnrolled: 200, CohortWaitlisted: 1800, PositionsOK: true, PositionsNote: "200 enrolled; 1800 waitlisted with positions 1..1800",
			PgbenchClients: 40, Pgbench: &bench.Pgbench{Processed: 2000, Wanted: 2000, TPS: 4000}, Ratio: 0.625},
		Submit: &submitReport{Learners: 200, Questions: 20, Burst: burstFigures{P50ms: 60, P99ms: 140}, Ref: burstFigures{P50ms: 5, P99ms: 10}, Passed: 200},
		Certs:  &certReport{Learners: 200, Issued: 200, Status: "done", Seconds: 4, PerSecond: 50, Ratio: 2.5},
		Report: &completionsReport{Cohorts: 50, Enrolments: 10000, Certificates: 2000, Requests: 20, P50ms: 120, P99ms: 150, SQLP50ms: 90, SQLP99ms: 100, Agree: true},
		Soak: &soakReport{Duration: time.Minute, Every: 30 * time.Second, Clients: 32, Requests: 1000,
			Samples: []soakSample{{At: 30, RSS: 80 << 20, P99ms: 40}, {At: 60, RSS: 82 << 20, P99ms: 42}}, RSSGrowth: -0.17, P99Growth: 1.05},
		Failures: []phaseFailure{{Phase: "extra", Error: "pgbench: could not open /tmp/moocload-pgbench-1/enrol.sql on postgres://postgres@127.0.0.1:5432/mooc_bench_1 with s3cr3t"}},
	}
	md := r.markdown()
	for _, want := range []string{
		"whole burst 0.80 s; p50 400.0 ms, p99 790.0 ms; 0 errors | — | — | p99 ≤ 1.00 s, no errors | **pass** |",
		"| 2,500 req/s | 4,000 tps (pgbench, 40 clients", "| 62 % | ≥ 50 % of reference | **pass** |",
		"1,800 waitlisted with positions 1..1,800",
		"p50 60.0 ms, p99 140.0 ms; 0 errors, 200 passed", "p99 ≤ 100.0 ms, no errors | **FAIL** |",
		"| 50 certificates/s (200 issued in 4.00 s, 0 failed)", "≥ 100/s, sealed | **FAIL** |",
		"p50 120.0 ms, p99 150.0 ms | p50 90.0 ms, p99 100.0 ms", "p99 < 500.0 ms | **pass** |",
		"80 MiB → 82 MiB (first → last of 2 samples; highest 82 MiB)", "**pass** (stable)",
		"| extra | did not complete: pgbench: could not open … on … with … |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	for _, leak := range []string{"/tmp", "127.0.0.1", "s3cr3t"} {
		if strings.Contains(md, leak) {
			t.Errorf("the table carries %q", leak)
		}
	}
	if r.Passed() {
		t.Error("missed targets passed")
	}
}

func TestPhases(t *testing.T) {
	t.Setenv("MOOC_BENCH_EMAIL", "team@example.lv")
	t.Setenv("MOOC_BENCH_PASSWORD", "x")
	t.Setenv("MOOC_TEST_S3_ENDPOINT", "")
	o, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "outline"})
	if err != nil || !o.runs("outline") || o.runs("upload") {
		t.Fatalf("%v %v", o.phases, err)
	}
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "certificates"}); err == nil ||
		!strings.Contains(err.Error(), "MOOC_BENCH_DATABASE_URL") {
		t.Fatalf("the certificates ran without a database: %v", err)
	}
	t.Setenv("MOOC_BENCH_TOKEN_SECRET", "0123456789abcdef0123456789abcdef")
	t.Setenv("MOOC_BENCH_DATABASE_URL", "postgres://postgres@10.0.0.7:5432/mooc?sslmode=disable")
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "report"}); err == nil {
		t.Fatal("a remote database passed")
	}
	t.Setenv("MOOC_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mooc?sslmode=disable")
	o, err = parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "certificates,soak", "-soak", "30m"})
	if err != nil || !o.runs("submissions") || !o.runs("soak") || o.timeout != 45*time.Minute {
		t.Fatalf("%v %v %v", o.phases, o.timeout, err)
	}
	if o, err = parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "soak", "-soak", "0"}); err != nil || o.runs("soak") {
		t.Fatalf("-soak 0 kept the soak: %v", err)
	}
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:8080", "-pid", "1", "-phases", "everything"}); err == nil {
		t.Fatal("an unknown phase passed")
	}
}

func TestNumbered(t *testing.T) {
	if got := numbered("a = ? AND b < ? OR c = ?"); got != "a = $1 AND b < $2 OR c = $3" {
		t.Fatalf("got %q", got)
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Minute: "60 s", 30 * time.Minute: "30 min", 20 * time.Millisecond: "20 ms", 30 * time.Second: "30 s", time.Hour: "1 h", 1500 * time.Millisecond: "1.5 s"} {
		if got := durationText(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
