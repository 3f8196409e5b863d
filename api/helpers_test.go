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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/api"
	"mooc/assessment"
	"mooc/certificates"
	"mooc/courses"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/media"
	"mooc/notify"
	"mooc/programmes"
	"mooc/reports"
)

// cheapHashing keeps the many registrations of the suite fast (see testkit.Hashing).
var cheapHashing = testkit.Hashing

const tokenSecret = "test-secret-0123456789abcdef-0123456789abcdef"

// server is one API instance over a real database and object store.
type server struct {
	t         *testing.T
	app       *fiber.App
	db        *database.DB
	objects   media.ObjectStore
	users     *accounts.Service
	logs      *syncWriter
	courseSvc *courses.Service
	diskDir   string          // where the disk store keeps objects, when it is the backend
	s3        *media.S3Config // the bucket, when MinIO is the backend
}

type options struct {
	registerLimit int
	maxUpload     int64 // default 64 MiB
	s3            bool
	db            *database.DB // share a database between replicas
	corsOrigins   []string
}

func newServer(t *testing.T, d database.Dialect, o options) *server {
	t.Helper()
	s := assemble(t, d, o)
	s.t = t
	return s
}

// assemble builds the API over a real database and object store. It takes
// a testing.TB so that a fuzz target can build one server for all its
// inputs; such a server has no t for the request helpers.
func assemble(t testing.TB, d database.Dialect, o options) *server {
	t.Helper()
	db := o.db
	if db == nil {
		db = testenv.DB(t, d)
	}
	logs := &syncWriter{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	users, err := accounts.New(db, accounts.Options{
		TokenSecret: []byte(tokenSecret), RegisterLimit: o.registerLimit, Hashing: &cheapHashing, Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{
		Log: log, Accounts: users, MaxUploadBytes: cmp.Or(o.maxUpload, 64<<20),
		TrustedProxies: []string{"0.0.0.0"}, // app.Test connects from 0.0.0.0; lets tests set X-Forwarded-For
		Version:        "test", CORSOrigins: o.corsOrigins,
	}
	var objects media.ObjectStore
	var diskDir string
	var s3 *media.S3Config
	if o.s3 {
		cfg := testenv.MinIO(t)
		store, err := media.NewS3Store(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		objects, s3 = store, &cfg
	} else {
		diskDir = filepath.Join(t.TempDir(), "objects")
		disk, err := media.NewDiskStore(diskDir, "http://mooc.test/objects", []byte("object-link-secret-0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		objects, deps.Disk, deps.ObjectsPath = disk, disk, "/objects"
	}
	deps.Ready = map[string]api.Check{"database": db.Ping, "object_storage": objects.Ping}
	deps.Media = media.NewService(db, objects, deps.MaxUploadBytes, log)
	deps.Courses = courses.New(db, deps.Media)
	deps.Assessment = assessment.New(db, deps.Courses)
	deps.Certificates = certificates.New(db, objects, deps.Courses, users, "http://mooc.test", log)
	jobs, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	deps.Programmes = programmes.New(db, deps.Courses, deps.Certificates)
	deps.Reports = reports.New(db)
	outbox := notify.NewOutbox(db)
	deps.Courses.UseNotifier(outbox)
	deps.Certificates.UseNotifier(outbox)
	deps.Programmes.UseNotifier(outbox)
	go func() {
		defer close(jobsDone)
		deps.Certificates.RunJobs(jobs, time.Minute)
	}()
	t.Cleanup(func() { stopJobs(); <-jobsDone })

	app, err := api.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &server{app: app, db: db, objects: objects, users: users, logs: logs, diskDir: diskDir, s3: s3, courseSvc: deps.Courses}
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
// returns.
func (s *server) try(r request) (reply, error) {
	var body io.Reader
	contentType := "application/json"
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := s.app.Test(req, -1)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		s.t.Logf("%s %s answered %d; server log:\n%s", r.method, r.path, resp.StatusCode, s.logs)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}, nil
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
