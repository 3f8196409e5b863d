package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"time"
)

// Mail is one message ready to go.
type Mail struct {
	ID      string // also the Message-ID, so a receiver can spot a repeat
	To      string
	Subject string
	Body    string
}

// Mailer delivers mail.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPConfig locates the SMTP relay.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// SMTPMailer sends through an SMTP relay, with STARTTLS when it offers it.
type SMTPMailer struct{ cfg SMTPConfig }

// NewSMTPMailer builds the mailer.
func NewSMTPMailer(cfg SMTPConfig) *SMTPMailer { return &SMTPMailer{cfg: cfg} }

// Send delivers m. net/smtp has no context; the dial and the whole
// exchange are bounded by a deadline instead.
func (s *SMTPMailer) Send(ctx context.Context, m Mail) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var auth smtp.Auth
	if s.cfg.Username != "" {
		auth = smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(addr, auth, s.cfg.From, []string{m.To}, compose(s.cfg.From, m)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return fmt.Errorf("notify: SMTP to %s timed out", addr)
	}
}

// compose writes an RFC 5322 message in UTF-8.
func compose(from string, m Mail) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", oneLine(from))
	fmt.Fprintf(&b, "To: %s\r\n", oneLine(m.To))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	fmt.Fprintf(&b, "Message-ID: <%s@mooc>\r\n", oneLine(m.ID))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.Write(bytes.ReplaceAll([]byte(m.Body), []byte("\n"), []byte("\r\n")))
	return b.Bytes()
}

// LogMailer writes messages to the log instead of sending them: the
// embedded default, with no SMTP server configured.
type LogMailer struct{ Log *slog.Logger }

// Send logs m.
func (l LogMailer) Send(_ context.Context, m Mail) error {
	l.Log.Info("e-mail (no SMTP configured)", "id", m.ID, "to", m.To, "subject", m.Subject)
	return nil
}
