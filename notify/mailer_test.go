package notify

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mooc/internal/testkit"
)

// A sender with a display name: the envelope gets the bare address, the
// From header the whole of it with the name encoded; the Message-ID is a
// valid one; a name carrying CR/LF adds no header.
func TestSMTPSenderWithDisplayName(t *testing.T) {
	r := testkit.StartRelay(t)
	m := NewSMTPMailer(SMTPConfig{Host: r.Host, Port: r.Port, From: "E-mācības <noreply@example.lv>"})
	injected := "Līga\r\nBcc: x@example.lv"
	err := m.Send(context.Background(), Mail{
		ID: "enrolled:0b6f7c8e-3d1a-4f57-9a39-6a9a4c2d1e55", To: "liga@example.lv",
		Subject: "Sveiki, " + injected, Body: "Sveiki, " + injected + "!\n.\nLone\rcarriage return\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	mailFrom, rcptTo, data := r.Sent()
	if len(mailFrom) != 1 || mailFrom[0] != "<noreply@example.lv>" {
		t.Fatalf("MAIL FROM %q, want <noreply@example.lv>", mailFrom)
	}
	if len(rcptTo) != 1 || rcptTo[0] != "<liga@example.lv>" {
		t.Fatalf("RCPT TO %q", rcptTo)
	}
	raw := data[0]
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, raw)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Name != "E-mācības" || from.Address != "noreply@example.lv" {
		t.Fatalf("From %q parses as %+v, %v", msg.Header.Get("From"), from, err)
	}
	if strings.Contains(msg.Header.Get("From"), "ā") {
		t.Errorf("the From header's name is not RFC 2047-encoded: %q", msg.Header.Get("From"))
	}
	// RFC 5322 msg-id: "<" dot-atom-text "@" ... ">"; no ':' on the left.
	if id := msg.Header.Get("Message-ID"); !regexp.MustCompile(`^<[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@mooc>$`).MatchString(id) {
		t.Errorf("Message-ID %q is not a valid msg-id", id)
	}
	if len(msg.Header["Bcc"]) != 0 {
		t.Errorf("a name added a Bcc header: %q", msg.Header["Bcc"])
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || strings.ContainsAny(subject, "\r\n") || !strings.Contains(subject, "Līga") {
		t.Errorf("subject %q, %v", subject, err)
	}
	// Every line of the whole message ends in CRLF: no bare CR or LF.
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\r")) || bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("the message carries a bare CR or LF:\n%q", raw)
	}
	// The body's lone dot was stuffed on the wire and arrives as it was.
	body, _ := io.ReadAll(msg.Body)
	if !bytes.Contains(body, []byte("\r\n..\r\n")) && !bytes.Contains(body, []byte("\r\n.\r\n")) {
		t.Errorf("body %q", body)
	}
}

// The same outbox id gives the same valid Message-ID; odd ids get a hash.
func TestMessageIDLeft(t *testing.T) {
	for id, want := range map[string]string{
		"enrolled:0b6f7c8e-3d1a-4f57-9a39-6a9a4c2d1e55": "enrolled.0b6f7c8e-3d1a-4f57-9a39-6a9a4c2d1e55",
		"plain-id": "plain-id",
	} {
		if got := messageIDLeft(id); got != want {
			t.Errorf("messageIDLeft(%q) = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"", ":x", "a::b", "ā", "x\r\ny"} {
		if got := messageIDLeft(id); len(got) != 32 || got != messageIDLeft(id) {
			t.Errorf("messageIDLeft(%q) = %q, want a 32-digit hash", id, got)
		}
	}
}

// Without SMTP the log tells an e-mail was sent but not, at info level,
// to whom.
func TestLogMailerKeepsAddressesOutOfInfo(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := (LogMailer{Log: log}).Send(context.Background(), Mail{ID: "x:1", To: "liga@example.lv", Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "liga@example.lv") || !strings.Contains(buf.String(), strconv.Quote("x:1")) {
		t.Fatalf("log: %s", buf.String())
	}
}
