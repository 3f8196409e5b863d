package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
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
	Team      accounts.Principal
	Course    catalogue.Course
	Cohort    cohorts.Cohort
	Programme programmes.Programme
	// Answers are the right option texts of the final test's questions.
	Answers map[string]string
}

const teamEmail, teamPassword = "komanda@mooc.test", "Komandas-parole-2026!"

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
		SMTP:           config.SMTP{Host: inbox.Host, Port: inbox.Port, From: "mooc@mooc.test"},
		BootstrapEmail: teamEmail, BootstrapPassword: teamPassword,
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
		<-served
		_ = a.Close()
	})
	s := &site{URL: base, App: a, Inbox: inbox}
	s.seed(t)
	return s
}

// seed publishes a two-week course (a captioned video and a reading in
// week 1, a case story in week 2, a final test) with a cohort that started
// eight days ago, and an in-person programme open for applications.
func (s *site) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	sess, err := s.App.Accounts.Login(ctx, teamEmail, teamPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Team, err = s.App.Accounts.Authenticate(ctx, sess.AccessToken); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	m, err := s.App.Catalogue.CreateMethodology(ctx, catalogue.NewMethodology{Title: "Krīzes intervence", Summary: "Darbs ar klientu krīzes situācijā.", Direction: "crisis"})
	must(err)
	weeks, hours := 2, 1
	course, err := s.App.Catalogue.CreateCourse(ctx, s.Team, catalogue.NewCourse{MethodologyID: m.ID, Title: "Krīzes intervence sociālajā darbā",
		Summary: "Kā atpazīt krīzi un palīdzēt klientam pirmajās stundās.", Weeks: &weeks, EffortHours: &hours})
	must(err)
	video, err := s.App.Media.Upload(ctx, s.Team, "lekcija.webm", bytes.NewReader(fixture(t, "lesson.webm")))
	must(err)
	captions, err := s.App.Media.Upload(ctx, s.Team, "lekcija.vtt", bytes.NewReader([]byte(
		"WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nKrīze ir stāvoklis, kurā ierastie risinājumi vairs nedarbojas.\n")))
	must(err)
	for _, l := range []catalogue.NewLesson{
		{Week: 1, Title: "Kas ir krīze", Kind: catalogue.KindVideo, Minutes: 15, MediaID: &video.ID,
			Captions: []catalogue.Caption{{Language: "lv", MediaID: captions.ID}}, Body: "Krīze ir stāvoklis, kurā ierastie risinājumi vairs nedarbojas."},
		{Week: 1, Title: "Pirmā saruna", Kind: catalogue.KindReading, Minutes: 15, Body: "Pirmajā sarunā klausieties.\n\nJautājiet par drošību."},
		{Week: 2, Title: "Gadījums: Anna", Kind: catalogue.KindCaseStory, Minutes: 20, Body: "Anna zvana naktī."},
	} {
		_, err := s.App.Catalogue.AddLesson(ctx, s.Team, course.ID, l)
		must(err)
	}
	s.Answers = map[string]string{}
	for i, q := range []struct{ text, right, wrong string }{
		{"Ko krīzē dara vispirms?", "Noskaidro drošību", "Raksta ziņojumu"},
		{"Kā klausās pirmajā sarunā?", "Uzmanīgi un bez steigas", "Pārtraucot"},
		{"Kas ir krīze?", "Stāvoklis, kad ierastie risinājumi nedarbojas", "Slimība"},
		{"Kad zvanīt kolēģim?", "Kad vajag atbalstu", "Nekad"},
	} {
		_, err := s.App.Assessment.AddQuestion(ctx, s.Team, course.ID, assessment.NewQuestion{Kind: assessment.SingleChoice, Text: q.text,
			Options: []assessment.NewOption{{Text: q.wrong}, {Text: q.right, Correct: true}}})
		must(err)
		s.Answers[q.text] = q.right
		_ = i
	}
	_, err = s.App.Assessment.CreateTest(ctx, s.Team, course.ID, assessment.NewTest{Title: "Noslēguma tests", Final: true, QuestionCount: 2, TimeLimitMinutes: 10})
	must(err)
	course, err = s.App.Catalogue.Publish(ctx, s.Team, course.ID)
	must(err)
	s.Course = course
	now := time.Now()
	if s.App.Config.PublicURL == "" {
		t.Fatal("no public URL")
	}
	opens, closes, starts := now.Add(-9*24*time.Hour), now.Add(5*24*time.Hour), now.Add(-8*24*time.Hour)
	s.Cohort, err = s.App.Cohorts.CreateCohort(ctx, course.ID, cohorts.NewCohort{Title: "2026. gada rudens", EnrolmentOpensAt: &opens, EnrolmentClosesAt: &closes, StartsAt: &starts})
	must(err)
	title, hoursP, loc, region := "Krīzes intervence klātienē", 96, "Rīga, Brīvības iela 1", "Rīga"
	pStart, pEnd, aOpen, aClose := now.Add(30*24*time.Hour), now.Add(60*24*time.Hour), now.Add(-24*time.Hour), now.Add(20*24*time.Hour)
	s.Programme, err = s.App.Programmes.Create(ctx, programmes.Fields{MethodologyID: &m.ID, Title: &title, Hours: &hoursP, Location: &loc, Region: &region,
		StartsAt: &pStart, EndsAt: &pEnd, ApplicationsOpenAt: &aOpen, ApplicationsCloseAt: &aClose})
	must(err)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
