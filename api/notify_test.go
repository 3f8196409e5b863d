package api_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/notify"
)

// mailTo sends what is due through a real SMTP server and returns, per
// recipient, the subjects that arrived.
func (s *server) deliver(t *testing.T, inbox *testenv.Inbox) int {
	t.Helper()
	sender := notify.NewSender(notify.SenderDeps{Outbox: s.platform.Outbox, People: s.users, PublicURL: "http://mooc.test",
		Mailer: notify.NewSMTPMailer(notify.SMTPConfig{Host: inbox.Host, Port: inbox.Port, From: "mooc@example.lv"}),
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil))})
	n, err := sender.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotifications(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		inbox := testenv.SMTP(t)
		s := newSchool(t, db, options{})
		c := s.cohort(1, 30*24*time.Hour)
		first, firstToken := s.signUp()
		second, secondToken := s.signUp()
		s.deliver(t, testenv.SMTP(t)) // the address verifications, not this test's subject
		e := s.enrolled(firstToken, c.ID)
		s.enrolled(secondToken, c.ID)
		s.complete(firstToken, e.ID)
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: firstToken}).expect(t, 201)
		s.do(request{method: "DELETE", path: "/api/v1/cohorts/" + c.ID + "/enrolments/me", token: firstToken}).expect(t, 204)

		if n := s.deliver(t, inbox); n != 4 {
			t.Fatalf("%d messages sent, want 4", n)
		}
		if n := s.deliver(t, inbox); n != 0 {
			t.Fatalf("%d messages sent again", n)
		}
		got := map[string][]string{}
		ids := map[string]bool{}
		for _, m := range inbox.Messages() {
			got[strings.Trim(m.To, "<>")] = append(got[strings.Trim(m.To, "<>")], m.Subject)
			if ids[m.MessageID] {
				t.Fatalf("message %s twice", m.MessageID)
			}
			ids[m.MessageID] = true
			// The notices of an enrolment are written by the statement that
			// claims the seat on PostgreSQL: their words must be whole.
			if strings.HasPrefix(m.Subject, "Jūs esat rindā") && !strings.Contains(m.Body, "gaidīšanas sarakstā, 1. vietā") {
				t.Fatalf("waitlist notice without its position:\n%s", m.Body)
			}
			if strings.HasPrefix(m.Subject, "Jūsu pieteikšanās kursam") && !strings.Contains(m.Body, c.Title) {
				t.Fatalf("enrolment notice without its cohort %q:\n%s", c.Title, m.Body)
			}
			if !strings.Contains(m.Body, "Labdien, Līga!") || !strings.Contains(m.Body, "Ar cieņu") {
				t.Fatalf("body:\n%s", m.Body)
			}
		}
		want := map[string][]string{
			first.Email:  {"Jūsu pieteikšanās kursam „Krīzes intervence sociālajā darbā” ir apstiprināta", "Jūsu apliecinājums ir gatavs"},
			second.Email: {"Jūs esat rindā uz kursu „Krīzes intervence sociālajā darbā”", "Vieta kursā „Krīzes intervence sociālajā darbā” ir jūsu"},
		}
		for who, subjects := range want {
			if strings.Join(got[who], "|") != strings.Join(subjects, "|") {
				t.Errorf("%s got %q, want %q", who, got[who], subjects)
			}
		}
	})
}

func TestCohortAnnouncementAndInterest(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		inbox := testenv.SMTP(t)
		s := newSchool(t, db, options{})
		interested, token := s.signUp()
		s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/interest", token: token}).expect(t, 204)
		s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/interest", token: token}).expect(t, 204)
		_, leaver := s.signUp()
		s.do(request{method: "POST", path: "/api/v1/courses/" + s.published.ID + "/interest", token: leaver}).expect(t, 204)
		s.do(request{method: "DELETE", path: "/api/v1/courses/" + s.published.ID + "/interest", token: leaver}).expect(t, 204)
		s.do(request{method: "POST", path: "/api/v1/courses/00000000-0000-4000-8000-000000000000/interest", token: token}).problem(t, 404, "not_found")

		// Announcements go to verified addresses (tested in sessions_test.go):
		// here every address is, and the verification e-mails are out.
		s.deliver(t, testenv.SMTP(t))
		db.Conn(context.Background()).Exec("UPDATE users SET email_verified = ?", true)
		s.cohort(200, -7*24*time.Hour) // window open now
		for i := 0; i < 2; i++ {       // announcing twice tells nobody twice
			if _, err := s.platform.Cohorts.AnnounceOpenCohorts(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// Every learner hears, the authors and the team (the cast's) do not.
		var learners int64
		db.Conn(context.Background()).Table("users").
			Where("NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role <> ?)", "learner").Count(&learners)
		if n := s.deliver(t, inbox); int64(n) != learners {
			t.Fatalf("%d announcements for %d learners", n, learners)
		}
		personal := 0
		for _, m := range inbox.Messages() {
			if strings.Contains(m.Subject, "par kuru interesējāties") {
				personal++
				if strings.Trim(m.To, "<>") != interested.Email {
					t.Fatalf("the personal note went to %s", m.To)
				}
			} else if !strings.HasPrefix(m.Subject, "Atvērta pieteikšanās") {
				t.Fatalf("subject %q", m.Subject)
			}
		}
		if personal != 1 {
			t.Fatalf("%d personal notes", personal)
		}
	})
}

// A relay that refuses keeps the message queued for a later try.
func TestOutboxRetriesWhenTheRelayIsDown(t *testing.T) {
	s := newSchool(t, testenv.SQLite(t), options{})
	c := s.cohort(200, 0)
	_, token := s.signUp()
	s.enrolled(token, c.ID)
	// Only the enrolment notice: the registrations' verification e-mails
	// are not this test's subject.
	s.db.Conn(context.Background()).Exec("DELETE FROM outbox WHERE template = 'verify_email'")
	down := notify.NewSender(notify.SenderDeps{Outbox: s.platform.Outbox, People: s.users, PublicURL: "http://mooc.test",
		Mailer: notify.NewSMTPMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: 1, From: "mooc@example.lv"}),
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil))})
	if n, err := down.SendDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("sent %d, err %v", n, err)
	}
	var row struct {
		Attempts  int
		LastError string
	}
	s.db.Conn(context.Background()).Table("outbox").Select("attempts, last_error").Take(&row)
	if row.Attempts != 1 || row.LastError == "" {
		t.Fatalf("outbox row %+v", row)
	}
	s.db.Conn(context.Background()).Exec("UPDATE outbox SET send_after = ?", time.Now().UTC().Add(-time.Second))
	inbox := testenv.SMTP(t)
	if n := s.deliver(t, inbox); n != 1 || len(inbox.Messages()) != 1 {
		t.Fatalf("retry sent %d", n)
	}
}
