package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"mooc/accounts"
	"mooc/internal/clock"
	"mooc/notify/outbox"
)

// lease is how long a claimed message is left to its worker before another
// may take it over (the first one having died).
const lease = 2 * time.Minute

// Recipients tells the sender whom a message goes to (the accounts domain).
type Recipients interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
}

// SenderDeps is what the sender is built with.
type SenderDeps struct {
	Outbox    *outbox.Outbox
	Mailer    Mailer
	People    Recipients
	PublicURL string // base of links in the texts
	Log       *slog.Logger
	Now       func() time.Time // the clock; time.Now when nil
}

// Sender delivers queued messages.
type Sender struct {
	outbox    *outbox.Outbox
	mailer    Mailer
	people    Recipients
	publicURL string
	log       *slog.Logger
	now       func() time.Time
}

// NewSender builds the sender.
func NewSender(d SenderDeps) *Sender {
	now := clock.Or(d.Now)
	return &Sender{outbox: d.Outbox, mailer: d.Mailer, people: d.People, publicURL: d.PublicURL, log: d.Log, now: now}
}

// Run delivers until ctx ends, looking for due messages every poll.
func (s *Sender) Run(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue claims and sends the messages that are due, and returns how
// many went out. A message is marked sent only after the relay accepted
// it; one whose worker died in between is sent again after the lease, so
// a crash may repeat a message (with the same Message-ID) but never loses
// one.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	now := s.now().UTC()
	due, err := s.outbox.Due(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		claimed, err := s.outbox.Claim(ctx, m.ID, now, now.Add(lease))
		if err != nil {
			return sent, err
		}
		if !claimed {
			continue // another worker has it
		}
		if err := s.deliver(ctx, m); err != nil {
			backoff := time.Duration(1<<min(m.Attempts, 10)) * time.Minute
			s.log.Warn("e-mail not sent", "id", m.ID, "attempt", m.Attempts+1, "error", err)
			if err := s.outbox.Retry(ctx, m, err, now.Add(backoff)); err != nil {
				return sent, err
			}
			continue
		}
		if err := s.outbox.Sent(ctx, m, s.now().UTC()); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

var errUnknownTemplate = errors.New("notify: unknown template")

func (s *Sender) deliver(ctx context.Context, m outbox.Stored) error {
	users, err := s.people.Users(ctx, []string{m.UserID})
	if err != nil {
		return err
	}
	u, ok := users[m.UserID]
	if !ok {
		return errors.New("notify: the recipient no longer exists")
	}
	if u.ClosedAt != nil {
		// Queued after the account closed (a certificate job finishing,
		// say): the address is gone, so the message is dropped as sent.
		return nil
	}
	var params map[string]string
	if err := json.Unmarshal([]byte(m.Params), &params); err != nil {
		return err
	}
	subject, body, ok := text(m.Template, u.GivenName, s.publicURL, params)
	if !ok {
		return errUnknownTemplate
	}
	return s.mailer.Send(ctx, Mail{ID: m.ID, To: u.Email, Subject: subject, Body: body})
}
