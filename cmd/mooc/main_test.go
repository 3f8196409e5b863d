package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mooc/internal/testenv"
)

// started is a running `mooc serve`.
type started struct {
	addr string
	stop context.CancelFunc
	done chan error
	logs *lockedBuffer
}

func start(t *testing.T, env map[string]string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	s := &started{stop: cancel, done: make(chan error, 1), logs: &lockedBuffer{}}
	getenv := func(k string) string { return env[k] }
	go func() { s.done <- run(ctx, []string{"serve"}, getenv, s.logs, listening) }()
	select {
	case s.addr = <-listening:
	case err := <-s.done:
		cancel()
		t.Fatalf("serve stopped before listening: %v\n%s", err, s.logs)
	}
	t.Cleanup(func() {
		cancel()
		// Tests that care how serve ended call shutdown; here it only has
		// to have stopped.
		if err := <-s.done; err != nil {
			t.Logf("serve returned %v", err)
		}
	})
	return s
}

func (s *started) shutdown(t *testing.T) {
	t.Helper()
	s.stop()
	if err := <-s.done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	s.done <- nil // for the cleanup
}

func (s *started) call(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func embeddedEnv(t *testing.T) map[string]string {
	return map[string]string{
		"MOOC_ADDR":               "127.0.0.1:0",
		"MOOC_DATA_DIR":           filepath.Join(t.TempDir(), "data"),
		"MOOC_BOOTSTRAP_EMAIL":    "team@example.lv",
		"MOOC_BOOTSTRAP_PASSWORD": "bootstrap password 1",
	}
}

// The embedded default needs nothing installed: SQLite and local disk.
func TestServeEmbeddedDefault(t *testing.T) {
	env := embeddedEnv(t)
	s := start(t, env)
	status, ready := s.call(t, "GET", "/readyz", "", nil)
	if status != 200 || ready["status"] != "ok" {
		t.Fatalf("readyz %d %v", status, ready)
	}
	status, login := s.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "team@example.lv", "password": "bootstrap password 1"})
	if status != 200 {
		t.Fatalf("bootstrap login %d %v", status, login)
	}
	token := login["access_token"].(string)
	status, me := s.call(t, "GET", "/api/v1/me", token, nil)
	if status != 200 || !strings.Contains(fmt.Sprint(me["roles"]), "team") {
		t.Fatalf("me %d %v", status, me)
	}
	for _, f := range []string{"mooc.db", "token-secret", "objects"} {
		if _, err := os.Stat(filepath.Join(env["MOOC_DATA_DIR"], f)); err != nil {
			t.Errorf("data dir lacks %s: %v", f, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(env["MOOC_DATA_DIR"], "token-secret")); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("token secret has mode %v", fi.Mode().Perm())
	}
	s.shutdown(t)

	// The generated secret is kept: a token survives a restart.
	s = start(t, env)
	if status, _ := s.call(t, "GET", "/api/v1/me", token, nil); status != 200 {
		t.Fatalf("token refused after restart: %d", status)
	}
	if strings.Contains(s.logs.String(), "bootstrap password 1") {
		t.Fatal("a secret was logged")
	}
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
}

// The production setup: PostgreSQL and MinIO from the environment.
func TestServeOnPostgresAndMinIO(t *testing.T) {
	s3 := testenv.MinIO(t)
	env := map[string]string{
		"MOOC_ADDR":          "127.0.0.1:0",
		"MOOC_DATA_DIR":      t.TempDir(),
		"MOOC_DATABASE_URL":  testenv.PostgresURL(t),
		"MOOC_TOKEN_SECRET":  "a-token-secret-of-at-least-32-characters",
		"MOOC_S3_ENDPOINT":   s3.Endpoint,
		"MOOC_S3_ACCESS_KEY": s3.AccessKey,
		"MOOC_S3_SECRET_KEY": s3.SecretKey,
		"MOOC_S3_BUCKET":     s3.Bucket,
	}
	s := start(t, env)
	status, ready := s.call(t, "GET", "/readyz", "", nil)
	if status != 200 || ready["status"] != "ok" {
		t.Fatalf("readyz %d %v", status, ready)
	}
	status, _ = s.call(t, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": "janis@example.lv", "password": "correct horse battery", "given_name": "Jānis", "family_name": "Bērziņš", "municipality": "Rīga",
	})
	if status != 201 {
		t.Fatalf("register %d", status)
	}
	// No disk download route in front of MinIO: it serves its own links.
	if status, _ := s.call(t, "GET", "/objects/x", "", nil); status != 404 {
		t.Fatalf("/objects answered %d on MinIO", status)
	}
	if _, err := os.Stat(filepath.Join(env["MOOC_DATA_DIR"], "mooc.db")); err == nil {
		t.Fatal("an SQLite file was made although PostgreSQL was configured")
	}
	s.shutdown(t)
}

func TestStartupRefusesBadConfiguration(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"MOOC_DATABASE_URL": "postgres://mooc@localhost/mooc"}[k]
	}, &out, nil)
	if err == nil || !strings.Contains(err.Error(), "MOOC_TOKEN_SECRET") {
		t.Fatalf("want a clear token secret error, got %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, nil); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	var out lockedBuffer
	if err := run(context.Background(), []string{"migrate"}, func(k string) string {
		return map[string]string{"MOOC_DATA_DIR": dir}[k]
	}, &out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mooc.db")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"schema_version"`) {
		t.Fatalf("migrate printed %s", out.String())
	}
}

// SIGTERM (here: the cancelled context) lets a request in flight finish.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	s := start(t, embeddedEnv(t))
	body := `{"email":"late@example.lv","password":"correct horse battery","given_name":"Ilze","family_name":"Kalniņa","municipality":"Cēsis"}`
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := fmt.Fprintf(conn, "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body)); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	// "100 Continue" proves the server has the request in hand.
	line, err := rd.ReadString('\n')
	if err != nil || !strings.Contains(line, "100") {
		t.Fatalf("no 100 Continue: %q %v", line, err)
	}
	_, _ = rd.ReadString('\n')

	s.stop()
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("in-flight request cut off: %v", err)
	}
	if resp.StatusCode != 201 {
		t.Fatalf("in-flight request answered %d", resp.StatusCode)
	}
	_ = resp.Body.Close()
	_ = conn.Close()
	if err := <-s.done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	s.done <- nil
	if _, err := net.Dial("tcp", s.addr); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
