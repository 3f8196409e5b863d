package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// requestLines returns the request log lines of route.
func requestLines(t *testing.T, s *server, route string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "request" && m["route"] == route {
			out = append(out, m)
		}
	}
	return out
}

// Behind a trusted proxy, the client is the rightmost address the proxies
// did not add themselves; what the client writes further left counts for
// nothing, neither for the throttle nor in the log.
func TestClientAddressIsRightmostUntrusted(t *testing.T) {
	s := newServer(t, database.SQLite, options{registerLimit: 2})
	const client = "198.51.100.20"
	register := func(xff string) reply {
		return s.do(request{method: "POST", path: "/api/v1/auth/register", body: registration(), header: map[string]string{"X-Forwarded-For": xff}})
	}
	register(client).expect(t, 201)
	register(client).expect(t, 201)
	register(client).problem(t, 429, "rate_limited")
	// A forged entry on the left, with and without a trusted proxy (the
	// test's own address, 0.0.0.0) on the right.
	for _, xff := range []string{"192.0.2.9, " + client, "192.0.2.9," + client + ",0.0.0.0", "not-an-address, " + client, "192.0.2.9, " + client + ":4711"} {
		register(xff).problem(t, 429, "rate_limited")
	}
	for _, line := range requestLines(t, s, "/api/v1/auth/register") {
		if line["client"] != client {
			t.Errorf("request logged from %v, want %s", line["client"], client)
		}
	}
	// Another client behind the same proxy is its own: not throttled.
	register("192.0.2.9, 198.51.100.21").expect(t, 201)
}

// A request log line names the user by id, never by e-mail address.
func TestRequestLogNamesUserByID(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	u, token := s.signUp()
	s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200)
	lines := requestLines(t, s, "/api/v1/me")
	if len(lines) != 1 || lines[0]["user_id"] != u.ID {
		t.Fatalf("request log of GET /me: %v, want user_id %s", lines, u.ID)
	}
	if strings.Contains(s.logs.String(), u.Email) {
		t.Fatalf("the log holds the user's e-mail address:\n%s", s.logs)
	}
}

// Query parameters that are not UTF-8 once decoded are the client's
// mistake (400), on every route, not a database error.
func TestQueryNotUTF8(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, author := s.signUp("author")
		for _, path := range []string{
			"/api/v1/courses?status=%ff",
			"/api/v1/courses?methodology_id=%ff",
			"/api/v1/courses?cursor=%ff%fe",
			"/api/v1/media?cursor=%c3%28",
			"/api/v1/programmes?methodology_id=%ed%a0%80",
			"/api/v1/courses?%ff=1",
		} {
			s.do(request{method: "GET", path: path, token: author}).problem(t, 400, "bad_request")
		}
		s.do(request{method: "GET", path: "/api/v1/courses?status=published&q=%C4%81", token: author}).expect(t, 200)
	})
}

// A validation reply lists at most 100 errors and says how many more there
// were, however many the body caused.
func TestValidationErrorsCapped(t *testing.T) {
	s := newSchool(t, testenv.DB(t, database.SQLite), options{})
	c := s.cohort(200, 30*24*time.Hour)
	_, learner := s.signUp()
	e := s.enrolled(learner, c.ID)
	var a startedBody
	s.start(learner, e.ID, s.finalTest()).expect(t, 201).json(t, &a)
	bad := make([]string, 60000)
	for i := range bad {
		bad[i] = "x"
	}
	body := map[string]any{"answers": []map[string]any{{"question_id": a.Questions[0].ID, "option_ids": bad}}}
	r := s.do(request{method: "POST", path: "/api/v1/attempts/" + a.ID + "/submit", token: learner, body: body})
	p := r.problem(t, 422, "validation_failed")
	if len(p.Errors) != 101 || !strings.Contains(p.Errors[100].Message, "59900 more") || len(r.body) > 16<<10 {
		t.Fatalf("%d errors in %d bytes, last %+v", len(p.Errors), len(r.body), p.Errors[len(p.Errors)-1])
	}
	if p.Errors[0].Field == "" || p.Errors[99].Field == "" {
		t.Fatalf("the listed errors lost their fields: %+v", p.Errors[:2])
	}
}

var inlineBlock = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// The HTML pages run only their own inline code: the policy names each
// inline block by its hash and allows no other ('unsafe-inline').
func TestPagesContentSecurityPolicy(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	for _, path := range []string{"/docs", "/verify/ZZZZ-ZZZZ-ZZZZ"} {
		r := s.do(request{method: "GET", path: path})
		csp := r.header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		blocks := inlineBlock.FindAllSubmatch(r.body, -1)
		if len(blocks) == 0 && path == "/docs" { // the verify page has none: it is package web's
			t.Errorf("%s: no inline block found", path)
		}
		for _, b := range blocks {
			sum := sha256.Sum256(b[2])
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
				t.Errorf("%s: the inline <%s> (%s) is not allowed by %q", path, b[1], h, csp)
			}
		}
	}
}

// Strict-Transport-Security goes with replies to requests that came over
// https (here: said so by the trusted proxy), not over plain http.
func TestHSTSOverHTTPS(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	r := s.do(request{method: "GET", path: "/docs", header: map[string]string{"X-Forwarded-Proto": "https"}})
	if h := r.header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=31536000") {
		t.Errorf("over https: Strict-Transport-Security %q", h)
	}
	if h := s.do(request{method: "GET", path: "/healthz"}).header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("over http: Strict-Transport-Security %q", h)
	}
}

// A client's X-Request-Id is kept only when short and well-formed; the
// reply and the log carry the id actually used.
func TestRequestIDWellFormed(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	uuidLike := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	if got := s.do(request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "trace-42.a_b"}}).header.Get("X-Request-Id"); got != "trace-42.a_b" {
		t.Errorf("a well-formed id came back as %q", got)
	}
	for _, bad := range []string{strings.Repeat("a", 65), `"},"level":"ERROR`, "<script>", "a b", "ā"} {
		got := s.do(request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": bad}}).header.Get("X-Request-Id")
		if !uuidLike.MatchString(got) {
			t.Errorf("X-Request-Id %q came back as %q, want a generated one", bad, got)
		}
	}
	if got := s.do(request{method: "GET", path: "/healthz"}).header.Get("X-Request-Id"); !uuidLike.MatchString(got) {
		t.Errorf("no X-Request-Id: got %q", got)
	}
	if strings.Contains(s.logs.String(), "<script>") || strings.Contains(s.logs.String(), strings.Repeat("a", 65)) {
		t.Errorf("a refused id reached the log:\n%s", s.logs)
	}
}

// With MOOC_METRICS_TOKEN set, /metrics answers only to that bearer token.
func TestMetricsToken(t *testing.T) {
	token := strings.Repeat("metrics-token-", 3)
	cfg := config.Config{DataDir: t.TempDir(), TokenSecret: tokenSecret, TokenTTL: time.Hour, PublicURL: "http://mooc.test",
		MaxUploadBytes: 1 << 20, MetricsToken: token, TrustedProxies: []string{"0.0.0.0"}}
	platform, err := app.New(context.Background(), cfg, app.Options{Log: slog.New(slog.DiscardHandler), Version: "test",
		DB: testenv.DB(t, database.SQLite), Hashing: &testkit.Hashing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = platform.Close() })
	scrape := func(auth string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := platform.HTTP.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token} {
		if status, body := scrape(auth); status != http.StatusUnauthorized || strings.Contains(body, "mooc_http_requests_total") {
			t.Errorf("Authorization %q: %d %.80s", auth, status, body)
		}
	}
	if status, body := scrape("Bearer " + token); status != 200 || !strings.Contains(body, "mooc_http_requests_total") {
		t.Errorf("with the token: %d %.200s", status, body)
	}
	// The token opens /metrics only: elsewhere it is no access token.
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := platform.HTTP.Test(req, -1); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me with the metrics token: %v, %v", resp.StatusCode, err)
	}
}
