package notify

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// relay is a minimal SMTP server on loopback that records what it is sent.
type relay struct {
	mu       sync.Mutex
	mailFrom []string
	rcptTo   []string
	data     [][]byte
}

func startRelay(t *testing.T) (*relay, string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	r := &relay{}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(conn)
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	return r, addr.IP.String(), addr.Port
}

func (r *relay) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	in := bufio.NewReader(conn)
	say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
	say("220 relay.test ESMTP")
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		upper := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(upper, "EHLO"), strings.HasPrefix(upper, "HELO"):
			say("250 relay.test")
		case strings.HasPrefix(upper, "MAIL FROM:"):
			r.mu.Lock()
			r.mailFrom = append(r.mailFrom, cmd[len("MAIL FROM:"):])
			r.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(upper, "RCPT TO:"):
			r.mu.Lock()
			r.rcptTo = append(r.rcptTo, cmd[len("RCPT TO:"):])
			r.mu.Unlock()
			say("250 ok")
		case upper == "DATA":
			say("354 go on")
			var data bytes.Buffer
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			r.mu.Lock()
			r.data = append(r.data, data.Bytes())
			r.mu.Unlock()
			say("250 queued")
		case upper == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// A sender with a display name: the envelope gets the bare address, the
// From header the whole of it with the name encoded; the Message-ID is a
// valid one; a name carrying CR/LF adds no header.
func TestSMTPSenderWithDisplayName(t *testing.T) {
	r, host, port := startRelay(t)
	m := NewSMTPMailer(SMTPConfig{Host: host, Port: port, From: "E-mācības <noreply@example.lv>"})
	injected := "Līga\r\nBcc: x@example.lv"
	err := m.Send(context.Background(), Mail{
		ID: "enrolled:0b6f7c8e-3d1a-4f57-9a39-6a9a4c2d1e55", To: "liga@example.lv",
		Subject: "Sveiki, " + injected, Body: "Sveiki, " + injected + "!\n.\nLone\rcarriage return\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.mailFrom) != 1 || r.mailFrom[0] != "<noreply@example.lv>" {
		t.Fatalf("MAIL FROM %q, want <noreply@example.lv>", r.mailFrom)
	}
	if len(r.rcptTo) != 1 || r.rcptTo[0] != "<liga@example.lv>" {
		t.Fatalf("RCPT TO %q", r.rcptTo)
	}
	raw := r.data[0]
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
