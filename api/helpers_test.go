package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
)

const tokenSecret = "test-secret-0123456789abcdef-0123456789abcdef"

// server is one API instance over a real database and object store,
// built as the command builds it (app.New).
type server struct {
	t        *testing.T
	app      *fiber.App
	platform *app.App
	db       *database.DB
	objects  media.ObjectStore
	users    *accounts.Service
	logs     *syncWriter
	clock    *testClock
	diskDir  string          // where the disk store keeps objects, when it is the backend
	s3       *media.S3Config // the bucket, when MinIO is the backend
	outage   *testkit.Outage // between the platform and MinIO, when asked for

	// The document the server serves, loaded on the first request that
	// is held against it (conform).
	contractOnce sync.Once
	contractDoc  *contract
	contractErr  error
}

type options struct {
	registerLimit int
	maxUpload     int64 // default 64 MiB
	s3            bool
	// outage puts a relay the test can take down between the platform and
	// MinIO (s3 implied); outageAtStart takes it down before the platform
	// starts.
	outage, outageAtStart bool
	db                    *database.DB // share a database between replicas
	corsOrigins           []string
	clock                 *testClock // every service's clock; the real one when nil
	metricsToken          string     // opens /metrics; closed without one
	logPerSecond          int        // request lines a second before the rest is summarised; 0: all
}

func newServer(t *testing.T, d database.Dialect, o options) *server {
	t.Helper()
	s := assemble(t, d, o)
	s.t = t
	return s
}

// assemble builds the platform over a real database and object store. It
// takes a testing.TB so that a fuzz target can build one server for all
// its inputs; such a server has no t for the request helpers.
func assemble(t testing.TB, d database.Dialect, o options) *server {
	t.Helper()
	db := o.db
	if db == nil {
		db = testenv.DB(t, d)
	}
	logs := &syncWriter{}
	cfg := config.Config{
		DataDir: t.TempDir(), TokenSecret: tokenSecret, TokenTTL: 12 * time.Hour, PublicURL: "http://mooc.test",
		MaxUploadBytes: cmp.Or(o.maxUpload, 64<<20), RegisterLimit: o.registerLimit, CORSOrigins: o.corsOrigins,
		TrustedProxies: []string{"0.0.0.0"}, // app.Test connects from 0.0.0.0; lets tests set X-Forwarded-For
		MetricsToken:   o.metricsToken, PrivacyNoticeVersion: "2026-12", LogRequestsPerSecond: o.logPerSecond,
	}
	var s3 *media.S3Config
	var outage *testkit.Outage
	if o.s3 || o.outage || o.outageAtStart {
		bucket := testenv.MinIO(t)
		cfg.S3 = config.S3{Endpoint: bucket.Endpoint, AccessKey: bucket.AccessKey, SecretKey: bucket.SecretKey,
			Bucket: bucket.Bucket, Secure: bucket.Secure, PublicURL: bucket.PublicURL}
		s3 = &bucket
		if o.outage || o.outageAtStart {
			outage = testkit.NewOutage(t, bucket.Endpoint)
			cfg.S3.Endpoint, cfg.S3.PublicURL = outage.Addr(), ""
			if o.outageAtStart {
				outage.Down()
			}
		}
	}
	opts := app.Options{Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test", DB: db, Hashing: &testkit.Hashing}
	if o.clock != nil {
		opts.Now = o.clock.Now
	}
	platform, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	platform.Start(app.CertificateJobs)
	t.Cleanup(func() { _ = platform.Close() })
	s := &server{app: platform.HTTP, platform: platform, db: db, objects: platform.Objects, users: platform.Accounts,
		logs: logs, s3: s3, outage: outage, clock: o.clock}
	if s3 == nil {
		s.diskDir = filepath.Join(cfg.DataDir, "objects")
	}
	return s
}

// testClock is a clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(at time.Time) *testClock { return &testClock{now: at} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to at.
func (c *testClock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
}

// request is one HTTP call; body is JSON-encoded unless it is a string or
// []byte, which go as they are.
type request struct {
	method, path string
	body         any
	token        string
	header       map[string]string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (s *server) do(r request) reply {
	s.t.Helper()
	rep, err := s.try(r)
	if err != nil {
		s.t.Fatal(err)
	}
	return rep
}

// try is do without t.Fatal, for goroutines: a test may call t.Fatal only
// from its own goroutine, so a goroutine reports err with t.Error and
// returns. Every reply is held against the server's OpenAPI document
// (conform); a mismatch fails the test with t.Error.
func (s *server) try(r request) (reply, error) {
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return reply{}, err
		}
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	sent := req.Header.Clone() // app.Test may change the request
	resp, err := s.app.Test(req, -1)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %v", r.method, r.path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		s.t.Logf("%s %s answered %d; server log:\n%s", r.method, r.path, resp.StatusCode, s.logs)
	}
	rep := reply{status: resp.StatusCode, header: resp.Header, body: got}
	s.conform(r.method, r.path, sent, raw, rep)
	return rep, nil
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("reply %d is not JSON: %v: %s", r.status, err, r.body)
	}
}

// problem reads a problem+json reply and checks its status and code.
func (r reply) problem(t *testing.T, status int, code string) problemBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p problemBody
	r.json(t, &p)
	if p.Code != code || p.Status != status || p.Type == "" || p.Title == "" {
		t.Fatalf("problem %+v, want code %q status %d", p, code, status)
	}
	return p
}

func (r reply) expect(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

type userBody struct {
	ID           string   `json:"id"`
	Email        string   `json:"email"`
	GivenName    string   `json:"given_name"`
	FamilyName   string   `json:"family_name"`
	Municipality string   `json:"municipality"`
	Workplace    string   `json:"workplace"`
	Position     string   `json:"position"`
	Roles        []string `json:"roles"`
}

var counter atomic.Int64

// registration returns a valid registration body with a fresh e-mail.
func registration() map[string]any {
	return map[string]any{
		"email": fmt.Sprintf("līga.%d@example.lv", counter.Add(1)), "password": testkit.Password,
		"given_name": "Līga", "family_name": "Ozoliņa", "municipality": "Ogres novads",
		"workplace": "Ogres novada sociālais dienests", "position": "sociālā darbiniece",
	}
}

// signUp registers and logs in a user with the given roles (set by the
// service, as the team would) and returns the user and a token.
func (s *server) signUp(roles ...string) (userBody, string) {
	s.t.Helper()
	return s.register(registration(), roles...)
}

// register signs up the registration body over HTTP, gives the roles and
// logs in; signUp with a body of the test's choosing.
func (s *server) register(body map[string]any, roles ...string) (userBody, string) {
	s.t.Helper()
	var u userBody
	s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(s.t, 201).json(s.t, &u)
	if len(roles) > 0 {
		if _, err := s.users.SetRoles(context.Background(), u.ID, roles); err != nil {
			s.t.Fatal(err)
		}
	}
	return u, s.login(body["email"].(string), body["password"].(string))
}

func (s *server) login(email, password string) string {
	s.t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": password}}).expect(s.t, 200).json(s.t, &out)
	return out.AccessToken
}

// syncWriter lets the handler's log lines be read while requests run.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
