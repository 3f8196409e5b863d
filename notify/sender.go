package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"mooc/accounts"
	"mooc/internal/clock"
	"mooc/internal/lease"
	"mooc/notify/outbox"
)

// mailKind names e-mail delivery in the log.
const mailKind = "email"

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
	// Worker is this replica as it claims messages and logs them.
	Worker lease.Worker
}

// Sender delivers queued messages.
type Sender struct {
	outbox    *outbox.Outbox
	mailer    Mailer
	people    Recipients
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	worker    lease.Worker
}

// NewSender builds the sender.
func NewSender(d SenderDeps) *Sender {
	now := clock.Or(d.Now)
	return &Sender{outbox: d.Outbox, mailer: d.Mailer, people: d.People, publicURL: d.PublicURL, log: d.Log, now: now,
		worker: d.Worker}
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
// it. Its lease (lease.Term) is renewed while the relay takes its time, so
// a slow relay causes no second delivery; only a message whose replica
// died in between is sent again, by the next to claim it after the lease
// (with the same Message-ID): a crash may repeat a message but never loses
// one.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	due, err := s.outbox.Due(ctx, s.now().UTC(), 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		ok, err := s.send(ctx, m)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// send claims one message and delivers it under a renewed lease; false
// when another worker had it or the relay refused it (tried again later).
func (s *Sender) send(ctx context.Context, m outbox.Stored) (bool, error) {
	now := s.now().UTC()
	replica := s.worker.Name()
	claimed, err := s.outbox.Claim(ctx, m.ID, replica, now, now.Add(lease.Term))
	if err != nil || !claimed {
		return false, err // !claimed: another worker has it
	}
	previous := ""
	if m.ClaimedUntil != nil { // a lease that lapsed: its sender died
		previous = cmp.Or(m.ClaimedBy, "unknown")
	}
	s.worker.Claimed(mailKind, m.ID, previous, "attempt", m.Attempts+1)
	work, release := s.worker.Keep(ctx, mailKind, m.ID, func(ctx context.Context) (bool, error) {
		return s.outbox.Renew(ctx, m.ID, replica, s.now().UTC().Add(lease.Term))
	})
	err = s.deliver(work, m)
	lost := work.Err() != nil && ctx.Err() == nil
	release() // before the row is written, so no renewal follows it
	switch {
	case err != nil && lost:
		// Another replica holds the message now and sends it.
		return false, nil
	case err != nil:
		backoff := time.Duration(1<<min(m.Attempts, 10)) * time.Minute
		s.log.Warn("e-mail not sent", "replica", replica, "job", m.ID, "kind", mailKind, "attempt", m.Attempts+1, "error", err)
		return false, s.outbox.Retry(ctx, m, err, s.now().UTC().Add(backoff))
	}
	// Delivered: marked sent even if the lease was lost meanwhile, so that
	// a new holder's next renewal finds it sent and stops its delivery.
	if err := s.outbox.Sent(ctx, m, s.now().UTC()); err != nil {
		return false, err
	}
	s.worker.Finished(mailKind, m.ID, "attempt", m.Attempts+1)
	return true, nil
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
