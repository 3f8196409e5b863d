package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

func TestHealthAndReadiness(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				s := newServer(t, db.Dialect(), options{db: db, s3: storage == "s3"})
				s.do(request{method: "GET", path: "/healthz"}).expect(t, 200)
				var r struct {
					Status string            `json:"status"`
					Checks map[string]string `json:"checks"`
				}
				s.do(request{method: "GET", path: "/readyz"}).expect(t, 200).json(t, &r)
				if r.Status != "ok" || r.Checks["database"] != "ok" || r.Checks["object_storage"] != "ok" {
					t.Fatalf("readyz %+v", r)
				}
			})
		})
	}
}

func TestReadinessFailsWithoutDatabase(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, token := s.signUp()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		var r struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		s.do(request{method: "GET", path: "/readyz"}).expect(t, 503).json(t, &r)
		if r.Checks["database"] != "unavailable" || r.Checks["object_storage"] != "ok" {
			t.Fatalf("readyz %+v", r)
		}
		// Requests needing the database fail as 503 problem+json, not 500.
		p := s.do(request{method: "GET", path: "/api/v1/me", token: token}).problem(t, 503, "unavailable")
		if strings.Contains(p.Detail, "sql") {
			t.Fatalf("detail leaks internals: %q", p.Detail)
		}
	})
}

// Object storage trouble does not take the replica out of the balancer:
// /readyz answers 200 with the storage degraded.
func TestReadinessDegradesWithoutObjectStorage(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	dir := s.diskDir
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Status string
		Checks map[string]string
	}
	s.do(request{method: "GET", path: "/readyz"}).expect(t, 200).json(t, &r)
	if r.Status != "degraded" || r.Checks["object_storage"] != "degraded" || r.Checks["database"] != "ok" {
		t.Fatalf("readyz %+v", r)
	}
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnknownRouteAndMethod(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	s.do(request{method: "GET", path: "/api/v1/nothing-here"}).problem(t, 404, "not_found")
	// Outside the API a wrong address is a person's: the pages' 404.
	if r := s.do(request{method: "GET", path: "/nowhere"}); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /nowhere: %d %s", r.status, r.header.Get("Content-Type"))
	}
	s.do(request{method: "POST", path: "/nowhere"}).problem(t, 404, "not_found")
}

func TestPanicIsA500WithoutInternals(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	s.app.Get("/boom", func(c *fiber.Ctx) error { panic("secret internal state: password=hunter2") })
	r := s.do(request{method: "GET", path: "/boom"})
	p := r.problem(t, 500, "internal_error")
	if strings.Contains(string(r.body), "hunter2") || strings.Contains(p.Detail, "panic") {
		t.Fatalf("500 leaks internals: %s", r.body)
	}
	if !strings.Contains(s.logs.String(), "hunter2") {
		t.Fatal("the panic was not logged for the operators")
	}
	s.app.Get("/fail", func(c *fiber.Ctx) error { return errors.New("pq: relation \"users\" does not exist") })
	r = s.do(request{method: "GET", path: "/fail"})
	r.problem(t, 500, "internal_error")
	if strings.Contains(string(r.body), "relation") {
		t.Fatalf("500 leaks SQL: %s", r.body)
	}
}

// Each request has an id and one JSON line at info with its route,
// status, duration in milliseconds, user and problem code; health checks
// go to debug, so a balancer asking every second fills no info log.
func TestRequestIDAndJSONLogs(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	s.do(request{method: "GET", path: "/healthz"}).expect(t, 200)
	s.do(request{method: "GET", path: "/readyz"}).expect(t, 200)
	r := s.do(request{method: "GET", path: "/api/v1/courses/not-a-uuid"})
	id := r.header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id")
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if entry["route"] == "/healthz" || entry["route"] == "/readyz" {
			t.Errorf("a health check logged at %v: %s", entry["level"], line)
		}
		if entry["request_id"] == id {
			found = true
			if entry["route"] != "/api/v1/courses/:id" || entry["status"] != float64(r.status) || entry["level"] != "INFO" {
				t.Errorf("request line %s", line)
			}
			if _, ok := entry["duration_ms"].(float64); !ok {
				t.Errorf("no duration_ms in %s", line)
			}
			if entry["problem"] == "" || entry["problem"] == nil {
				t.Errorf("no problem code in %s", line)
			}
		}
	}
	if !found {
		t.Fatalf("no log line for request %s in %s", id, s.logs)
	}
}

// Under load the request log keeps to its lines a second and summarises
// the rest in one line when the second is over; server errors would still
// be written. The seconds are the platform's clock, which the test moves.
func TestRequestLogIsSummarisedUnderLoad(t *testing.T) {
	clock := newClock(time.Now().UTC().Truncate(time.Second))
	s := newServer(t, database.SQLite, options{clock: clock, logPerSecond: 3})
	s.do(request{method: "GET", path: "/api/v1/courses"}).expect(t, 200) // and the test's fetch of the contract
	clock.Set(clock.Now().Add(time.Second))
	for range 10 {
		s.do(request{method: "GET", path: "/api/v1/courses"}).expect(t, 200)
	}
	s.do(request{method: "GET", path: "/api/v1/courses/not-a-uuid"})
	clock.Set(clock.Now().Add(time.Second))
	s.do(request{method: "GET", path: "/api/v1/courses"}).expect(t, 200)
	lines, summaries := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			continue
		}
		switch entry["msg"] {
		case "request":
			if r, _ := entry["route"].(string); strings.HasPrefix(r, "/api/v1/courses") {
				lines++
			}
		case "requests summarised":
			summaries++
			if entry["not_logged"] != float64(8) || entry["not_logged_2xx"] != float64(7) || entry["not_logged_4xx"] != float64(1) || entry["logged"] != float64(3) {
				t.Errorf("summary %s", line)
			}
		}
	}
	if lines != 5 || summaries != 1 {
		t.Fatalf("%d request lines and %d summaries, want 1+3+1 lines and one summary:\n%s", lines, summaries, s.logs)
	}
}

func TestMetrics(t *testing.T) {
	// Closed unless a token is configured.
	newServer(t, database.SQLite, options{}).do(request{method: "GET", path: "/metrics"}).problem(t, 404, "not_found")

	metricsToken := strings.Repeat("m", 32)
	s := newServer(t, database.SQLite, options{metricsToken: metricsToken})
	_, token := s.signUp()
	s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200)
	s.do(request{method: "GET", path: "/api/v1/nothing-here/abc"}).expect(t, 404)
	body := string(s.do(request{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer " + metricsToken}}).expect(t, 200).body)
	for _, want := range []string{
		`mooc_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`,
		`mooc_http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1`,
		`mooc_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",status="200",le=`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "abc") {
		t.Error("a raw path made it into the metric labels")
	}
}

// The OpenAPI document lists exactly the registered routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		t.Run(storage, func(t *testing.T) {
			s := newServer(t, database.SQLite, options{s3: storage == "s3"})
			var doc struct {
				OpenAPI string                               `json:"openapi"`
				Paths   map[string]map[string]map[string]any `json:"paths"`
			}
			s.do(request{method: "GET", path: "/openapi.json"}).expect(t, 200).json(t, &doc)
			if doc.OpenAPI != "3.1.0" {
				t.Fatalf("openapi %q", doc.OpenAPI)
			}
			documented := map[string]bool{}
			for path, methods := range doc.Paths {
				for method, op := range methods {
					documented[strings.ToUpper(method)+" "+path] = true
					if op["summary"] == "" || op["responses"] == nil {
						t.Errorf("%s %s lacks a summary or responses", method, path)
					}
				}
			}
			param := regexp.MustCompile(`:([A-Za-z_]+)|\*`)
			registered := map[string]bool{}
			for _, r := range s.app.GetRoutes(true) {
				if r.Method == "HEAD" && registeredGET(s.app, r.Path) {
					continue // Fiber adds HEAD to every GET by itself
				}
				if strings.HasPrefix(r.Name, "web ") {
					continue // a page of package web, not the API
				}
				p := param.ReplaceAllStringFunc(r.Path, func(m string) string {
					if m == "*" {
						return "{path}"
					}
					return "{" + m[1:] + "}"
				})
				registered[r.Method+" "+p] = true
			}
			for k := range registered {
				if !documented[k] {
					t.Errorf("route %s is not in /openapi.json", k)
				}
			}
			for k := range documented {
				if !registered[k] {
					t.Errorf("/openapi.json lists %s, which is not a route", k)
				}
			}
			for _, must := range []string{"POST /api/v1/auth/register", "POST /api/v1/auth/login", "GET /api/v1/me",
				"PUT /api/v1/users/{id}/roles", "GET /api/v1/users", "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json", "GET /docs"} {
				if !documented[must] {
					t.Errorf("%s missing", must)
				}
			}
			if storage == "disk" && !documented["GET /objects/{path}"] {
				t.Error("the disk store's download route is missing")
			}
		})
	}
}

func registeredGET(app *fiber.App, path string) bool {
	return slices.ContainsFunc(app.GetRoutes(true), func(r fiber.Route) bool { return r.Method == "GET" && r.Path == path })
}

func TestDocsPageIsSelfContained(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	r := s.do(request{method: "GET", path: "/docs"}).expect(t, 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	body := string(r.body)
	if !strings.Contains(body, "/openapi.json") {
		t.Fatal("docs page does not read the OpenAPI document")
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(body) {
		t.Fatal("docs page loads something from another host")
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	r := s.do(request{method: "GET", path: "/healthz"})
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy"} {
		if r.header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
}

// On the disk backend the API serves signed links itself, with Range.
func TestSignedObjectLinksOnDisk(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	content := []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nSveiki, Jānis!\n")
	if _, err := s.objects.Put(ctx, "captions/lv.vtt", strings.NewReader(string(content)), int64(len(content)), "text/vtt"); err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.SignedURL(ctx, "captions/lv.vtt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	req := httptest.NewRequest("GET", u.RequestURI(), nil)
	req.Header.Set("Range", "bytes=0-5")
	resp, err := s.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp.Body)
	if resp.StatusCode != 206 || body != "WEBVTT" || resp.Header.Get("Content-Type") != "text/vtt" {
		t.Fatalf("range reply %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	resp, _ = s.app.Test(httptest.NewRequest("GET", u.Path+"?"+strings.Replace(u.RawQuery, "signature=", "signature=00", 1), nil), -1)
	if resp.StatusCode != 403 {
		t.Fatalf("tampered link answered %d", resp.StatusCode)
	}
}
