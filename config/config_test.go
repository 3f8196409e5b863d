package config

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || !c.Embedded() || c.MaxUploadBytes != 4<<30 || c.RegisterLimit != 50 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.PublicURL != "http://localhost:8080" {
		t.Fatalf("public url %q", c.PublicURL)
	}
}

func TestPostgresNeedsTokenSecret(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"MOOC_DATABASE_URL": "postgres://x@localhost/db"}))
	if err == nil || !strings.Contains(err.Error(), "MOOC_TOKEN_SECRET") {
		t.Fatalf("want a token secret error, got %v", err)
	}
}

func TestReportsEveryProblem(t *testing.T) {
	_, err := FromEnv(env(map[string]string{
		"MOOC_DATABASE_URL":       "mysql://x",
		"MOOC_MAX_UPLOAD_BYTES":   "lots",
		"MOOC_REGISTER_LIMIT":     "-1",
		"MOOC_S3_ENDPOINT":        "localhost:9000",
		"MOOC_BOOTSTRAP_EMAIL":    "team@example.lv",
		"MOOC_DATABASE_POOL_SIZE": "500",
	}))
	for _, want := range []string{"MOOC_DATABASE_URL", "MOOC_DATABASE_POOL_SIZE", "MOOC_MAX_UPLOAD_BYTES", "MOOC_REGISTER_LIMIT", "MOOC_S3_ACCESS_KEY", "MOOC_BOOTSTRAP_PASSWORD", "MOOC_TOKEN_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestS3PublicURLDefaultsToEndpoint(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"MOOC_S3_ENDPOINT": "minio:9000", "MOOC_S3_ACCESS_KEY": "a", "MOOC_S3_SECRET_KEY": "b", "MOOC_S3_SECURE": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.S3.PublicURL != "https://minio:9000" {
		t.Fatalf("got %q", c.S3.PublicURL)
	}
}

// A bad listen address is a configuration error, found with the others
// before anything starts (it used to surface after migrating).
func TestAddrValidated(t *testing.T) {
	for _, bad := range []string{"bogus", "8080", ":http-alt", ":70000", "host:"} {
		_, err := FromEnv(env(map[string]string{"MOOC_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "MOOC_ADDR") {
			t.Errorf("MOOC_ADDR=%q: want an error naming it, got %v", bad, err)
		}
	}
	for _, good := range []string{":8080", "127.0.0.1:8080", "[::1]:0", "0.0.0.0:80"} {
		if _, err := FromEnv(env(map[string]string{"MOOC_ADDR": good})); err != nil {
			t.Errorf("MOOC_ADDR=%q: %v", good, err)
		}
	}
}

func TestSMTPFromAndMetricsTokenValidated(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"MOOC_SMTP_FROM": "E-mācības <noreply@example.lv>", "MOOC_METRICS_TOKEN": strings.Repeat("m", 32)}))
	if err != nil || c.SMTP.From != "E-mācības <noreply@example.lv>" || c.MetricsToken != strings.Repeat("m", 32) {
		t.Fatalf("%+v, %v", c.SMTP, err)
	}
	_, err = FromEnv(env(map[string]string{"MOOC_SMTP_FROM": "E-mācības noreply", "MOOC_METRICS_TOKEN": "short", "MOOC_TRUSTED_PROXIES": "10.0.0.1,proxy.local"}))
	for _, want := range []string{"MOOC_SMTP_FROM", "MOOC_METRICS_TOKEN", "MOOC_TRUSTED_PROXIES"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

// The yearly training requirement is 24 hours unless set, and a positive
// number of hours when it is.
func TestYearlyTrainingHours(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.YearlyTrainingHours != 24 {
		t.Fatalf("default %d, %v", c.YearlyTrainingHours, err)
	}
	if c, err := FromEnv(env(map[string]string{"MOOC_YEARLY_TRAINING_HOURS": "40"})); err != nil || c.YearlyTrainingHours != 40 {
		t.Fatalf("40: %d, %v", c.YearlyTrainingHours, err)
	}
	for _, bad := range []string{"0", "-5", "many", "1001"} {
		if _, err := FromEnv(env(map[string]string{"MOOC_YEARLY_TRAINING_HOURS": bad})); err == nil || !strings.Contains(err.Error(), "MOOC_YEARLY_TRAINING_HOURS") {
			t.Errorf("%q: want an error naming it, got %v", bad, err)
		}
	}
}

// The logo is checked at start-up: a file that is not a PNG fails there,
// naming the variable, rather than on every certificate.
func TestIssuerLogoMustBePNG(t *testing.T) {
	dir := t.TempDir()
	notPNG := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(notPNG, []byte("GIF89a not a png"), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.png")
	if err := os.WriteFile(good, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{notPNG, filepath.Join(dir, "missing.png")} {
		if _, err := FromEnv(env(map[string]string{"MOOC_ISSUER_LOGO": bad})); err == nil || !strings.Contains(err.Error(), "MOOC_ISSUER_LOGO") {
			t.Errorf("logo %s: want an error naming MOOC_ISSUER_LOGO, got %v", bad, err)
		}
	}
	if c, err := FromEnv(env(map[string]string{"MOOC_ISSUER_LOGO": good})); err != nil || c.Issuer.Logo != good {
		t.Fatalf("a PNG logo: %v, %+v", err, c.Issuer)
	}
}

func TestReplicaAndOrphanSweep(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ReplicaID == "" || !strings.HasSuffix(c.ReplicaID, "-"+strconv.Itoa(os.Getpid())) {
		t.Errorf("default replica id %q: want the host name and the pid", c.ReplicaID)
	}
	if c.OrphanMinAge != time.Hour || c.OrphanSweepEvery != 10*time.Minute {
		t.Errorf("orphan sweep defaults %v every %v", c.OrphanMinAge, c.OrphanSweepEvery)
	}
	c, err = FromEnv(env(map[string]string{"MOOC_REPLICA_ID": "mooc-2", "MOOC_ORPHAN_MIN_AGE": "2m", "MOOC_ORPHAN_SWEEP_EVERY": "15s"}))
	if err != nil || c.ReplicaID != "mooc-2" || c.OrphanMinAge != 2*time.Minute || c.OrphanSweepEvery != 15*time.Second {
		t.Fatalf("configured: %q %v %v, %v", c.ReplicaID, c.OrphanMinAge, c.OrphanSweepEvery, err)
	}
	for name, bad := range map[string]string{"MOOC_REPLICA_ID": "a replica", "MOOC_ORPHAN_MIN_AGE": "30s", "MOOC_ORPHAN_SWEEP_EVERY": "10ms"} {
		if _, err := FromEnv(env(map[string]string{name: bad})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: want an error naming it, got %v", name, bad, err)
		}
	}
	if _, err := FromEnv(env(map[string]string{"MOOC_ORPHAN_SWEEP_EVERY": "often"})); err == nil {
		t.Error("MOOC_ORPHAN_SWEEP_EVERY=often was accepted")
	}
	if _, err := FromEnv(env(map[string]string{"MOOC_REPLICA_ID": strings.Repeat("r", 65)})); err == nil {
		t.Error("a 65-character replica id was accepted")
	}
}

// The profiler listens on loopback only: its profiles show internals.
func TestPprofAddrIsLoopbackOnly(t *testing.T) {
	if c, err := FromEnv(env(map[string]string{"MOOC_PPROF_ADDR": "127.0.0.1:6060"})); err != nil || c.PprofAddr != "127.0.0.1:6060" {
		t.Fatalf("%q, %v", c.PprofAddr, err)
	}
	for _, bad := range []string{":6060", "0.0.0.0:6060", "10.0.0.5:6060", "localhost:6060", "127.0.0.1", ":8080"} {
		if _, err := FromEnv(env(map[string]string{"MOOC_PPROF_ADDR": bad})); err == nil || !strings.Contains(err.Error(), "MOOC_PPROF_ADDR") {
			t.Errorf("MOOC_PPROF_ADDR=%q: want an error naming it, got %v", bad, err)
		}
	}
}
