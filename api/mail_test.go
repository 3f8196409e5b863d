package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/mail"
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

// End to end: registration takes a given name with CR/LF in it, and the
// e-mail that name goes into (an enrolment's) reaches the relay with no
// header of the name's making, sent from a sender with a display name.
func TestEnrolmentMailFromDisplayNameWithHostileName(t *testing.T) {
	relay := testkit.StartRelay(t)
	db := testenv.DB(t, database.SQLite)
	logs := &syncWriter{}
	cfg := config.Config{DataDir: t.TempDir(), TokenSecret: tokenSecret, TokenTTL: time.Hour, PublicURL: "http://mooc.test",
		MaxUploadBytes: 64 << 20, TrustedProxies: []string{"0.0.0.0"},
		SMTP: config.SMTP{Host: relay.Host, Port: relay.Port, From: "E-mācības <noreply@example.lv>"}}
	platform, err := app.New(context.Background(), cfg, app.Options{Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test", DB: db, Hashing: &testkit.Hashing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = platform.Close() })
	s := &server{t: t, app: platform.HTTP, platform: platform, db: db, objects: platform.Objects, users: platform.Accounts,
		logs: logs}

	reg := registration()
	reg["given_name"] = "Līga\r\nBcc: x@example.lv"
	r := s.do(request{method: "POST", path: "/api/v1/auth/register", body: reg})
	if r.status == 422 {
		t.Logf("registration refuses a name with CR/LF: %s", r.body)
		reg["given_name"] = "Līga\nBcc: x@example.lv"
		r = s.do(request{method: "POST", path: "/api/v1/auth/register", body: reg})
	}
	if r.status == 422 {
		return // refused at the door: nothing to mail
	}
	r.expect(t, 201)
	learner := s.login(reg["email"].(string), reg["password"].(string))

	c := catalogueOn(t, s, map[string]string{"title": "Krīzes intervence", "direction": "crisis"})
	course := c.buildCourse(c.author)
	c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/publish", token: c.author}).expect(t, 200)
	sch := &school{catalogue: c, published: c.get(c.author, course.ID)}
	// Only the enrolment's e-mail: the cast's address verifications go.
	if err := db.Conn(context.Background()).Exec("DELETE FROM outbox WHERE template = ?", "verify_email").Error; err != nil {
		t.Fatal(err)
	}
	sch.enrolled(learner, sch.cohort(200, 0).ID)
	if n, err := platform.Mail.SendDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("sent %d, %v; log:\n%s", n, err, logs)
	}

	mailFrom, _, data := relay.Sent()
	if len(mailFrom) != 1 || mailFrom[0] != "<noreply@example.lv>" {
		t.Fatalf("MAIL FROM %q", mailFrom)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data[0]))
	if err != nil {
		t.Fatalf("%v:\n%s", err, data[0])
	}
	if from, err := mail.ParseAddress(msg.Header.Get("From")); err != nil || from.Name != "E-mācības" || from.Address != "noreply@example.lv" {
		t.Errorf("From %q: %+v, %v", msg.Header.Get("From"), from, err)
	}
	if len(msg.Header["Bcc"]) != 0 {
		t.Errorf("the name added a Bcc header: %q", msg.Header["Bcc"])
	}
	if id := msg.Header.Get("Message-ID"); !regexp.MustCompile(`^<[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*@mooc>$`).MatchString(id) {
		t.Errorf("Message-ID %q is not a valid msg-id", id)
	}
	body, _ := io.ReadAll(msg.Body)
	if !strings.Contains(string(body), "Līga") {
		t.Errorf("body %q", body)
	}
}
