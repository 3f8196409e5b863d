package web_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/demo"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/programmes"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// site is the whole platform listening on a loopback port, as a browser
// reaches it, with an SMTP server that receives its e-mail, and a
// published course with an open cohort, seeded through the services.
type site struct {
	URL       string
	App       *app.App
	Inbox     *testenv.Inbox
	Course    catalogue.Course
	Cohort    cohorts.Cohort
	Programme programmes.Programme
	// Answers are the right option texts of the final test's questions.
	Answers map[string]string
	now     func() time.Time
}

// clock is a clock a test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type siteOptions struct {
	dialect database.Dialect
	s3      bool
	now     func() time.Time
}

func startSite(t *testing.T, o siteOptions) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	inbox := testenv.SMTP(t)
	cfg := config.Config{
		DataDir: t.TempDir(), TokenSecret: "a-test-secret-of-at-least-thirty-two-bytes", TokenTTL: 12 * time.Hour, PublicURL: base,
		MaxUploadBytes: 64 << 20, PrivacyNoticeVersion: "2026-12", RequestTimeout: 30 * time.Second,
		SMTP: config.SMTP{Host: inbox.Host, Port: inbox.Port, From: "mooc@mooc.test"},
	}
	if o.s3 {
		b := testenv.MinIO(t)
		cfg.S3 = config.S3{Endpoint: b.Endpoint, AccessKey: b.AccessKey, SecretKey: b.SecretKey, Bucket: b.Bucket, Secure: b.Secure, PublicURL: b.PublicURL}
	}
	opts := app.Options{Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Version: "test", DB: testenv.DB(t, o.dialect), Hashing: &testkit.Hashing, Now: o.now}
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	a.Start(app.MailSender, app.SessionRefresher)
	served := make(chan error, 1)
	go func() { served <- a.HTTP.Listener(ln) }()
	t.Cleanup(func() {
		_ = a.HTTP.ShutdownWithTimeout(5 * time.Second)
		if err := <-served; err != nil {
			t.Log(err)
		}
		_ = a.Close()
	})
	s := &site{URL: base, App: a, Inbox: inbox, now: o.now}
	if s.now == nil {
		s.now = time.Now
	}
	s.seed(t)
	return s
}

// seed adds the demonstration content (package demo) on the site's
// clock: a published course with a cohort that started eight days ago,
// and an in-person programme open for applications.
func (s *site) seed(t *testing.T) {
	t.Helper()
	a := s.App
	c, added, err := demo.Seed(context.Background(), demo.Services{Accounts: a.Accounts, Catalogue: a.Catalogue, Media: a.Media,
		Assessment: a.Assessment, Cohorts: a.Cohorts, Programmes: a.Programmes}, s.now())
	if err != nil || !added {
		t.Fatalf("demo content: added %v, %v", added, err)
	}
	s.Course, s.Cohort, s.Programme, s.Answers = c.Course, c.Cohort, c.Programme, c.Answers
}
