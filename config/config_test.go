package config

import (
	"strings"
	"testing"
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
