package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
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
type SMTPMailer struct {
	cfg SMTPConfig
	// from is cfg.From parsed: its bare address is the envelope sender,
	// its full form (the name RFC 2047-encoded) the From header.
	from    *mail.Address
	fromErr error
}

// NewSMTPMailer builds the mailer. From may carry a display name
// ("E-mācības <noreply@example.lv>"); one that is not an address makes
// every Send fail (the configuration refuses it at start-up).
func NewSMTPMailer(cfg SMTPConfig) *SMTPMailer {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		err = fmt.Errorf("notify: sender %q: %w", cfg.From, err)
	}
	return &SMTPMailer{cfg: cfg, from: from, fromErr: err}
}

// Send delivers m. net/smtp has no context; the dial and the whole
// exchange are bounded by a deadline instead.
func (s *SMTPMailer) Send(ctx context.Context, m Mail) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var auth smtp.Auth
	if s.cfg.Username != "" {
		auth = smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)
	}
	if s.fromErr != nil {
		return s.fromErr
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("notify: recipient: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- smtp.SendMail(addr, auth, s.from.Address, []string{to.Address}, compose(s.from.String(), to.Address, m))
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return fmt.Errorf("notify: SMTP to %s timed out", addr)
	}
}

// compose writes an RFC 5322 message in UTF-8. from is a header-ready
// address (a non-ASCII name already encoded), to a bare address. No text of
// the message can add a header: header values are put on one line (and the
// subject encoded), and the body's line breaks, whatever they were, become
// CRLF, so a stray CR cannot end a line where the relay would see one.
func compose(from, to string, m Mail) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", oneLine(from))
	fmt.Fprintf(&b, "To: %s\r\n", oneLine(to))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	fmt.Fprintf(&b, "Message-ID: <%s@mooc>\r\n", messageIDLeft(m.ID))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n").Replace(m.Body)
	b.WriteString(body)
	return b.Bytes()
}

// messageIDLeft turns an outbox id ("enrolled:<uuid>") into the left part
// of a Message-ID, which RFC 5322 wants a dot-atom: the same id gives the
// same Message-ID, so a receiver can still spot a repeat. Characters a
// dot-atom cannot hold become dots; should that leave no valid dot-atom
// (dots at an end or in a row), the id's hash stands in.
func messageIDLeft(id string) string {
	left := strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)) {
			return r
		}
		return '.'
	}, id)
	if left == "" || strings.HasPrefix(left, ".") || strings.HasSuffix(left, ".") || strings.Contains(left, "..") || len(left) > 200 {
		sum := sha256.Sum256([]byte(id))
		return hex.EncodeToString(sum[:16])
	}
	return left
}

// LogMailer writes messages to the log instead of sending them: the
// embedded default, with no SMTP server configured.
type LogMailer struct{ Log *slog.Logger }

// Send logs m.
func (l LogMailer) Send(_ context.Context, m Mail) error {
	// The recipient's address is personal data: only at debug level.
	l.Log.Info("e-mail (no SMTP configured)", "id", m.ID, "subject", m.Subject)
	l.Log.Debug("e-mail recipient", "id", m.ID, "to", m.To)
	return nil
}
