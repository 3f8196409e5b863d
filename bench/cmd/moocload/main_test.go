package main

import (
	"strings"
	"testing"
	"time"
)

func TestFlagsRefuseAnythingButLoopback(t *testing.T) {
	t.Setenv("MOOC_BENCH_EMAIL", "team@example.lv")
	t.Setenv("MOOC_BENCH_PASSWORD", "x")
	t.Setenv("MOOC_TEST_S3_ACCESS_KEY", "k")
	t.Setenv("MOOC_TEST_S3_SECRET_KEY", "s")

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
		Concurrency: 64, Duration: 20 * time.Second,
		Outline:    loadFigures{PerSecond: 2178.4, P50ms: 25.2, P99ms: 104},
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
