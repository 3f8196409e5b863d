package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
)

// lease is how long a claimed message is left to its worker before another
// may take it over (the first one having died).
const lease = 2 * time.Minute

// Sender delivers queued messages.
type Sender struct {
	db        *database.DB
	mailer    Mailer
	people    *accounts.Service
	publicURL string
	log       *slog.Logger
	now       func() time.Time
}

// NewSender builds the sender.
func NewSender(db *database.DB, mailer Mailer, people *accounts.Service, publicURL string, log *slog.Logger) *Sender {
	return &Sender{db: db, mailer: mailer, people: people, publicURL: publicURL, log: log, now: time.Now}
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
	var due []outboxRow
	err := s.db.Conn(ctx).Where("sent_at IS NULL AND send_after <= ? AND (claimed_until IS NULL OR claimed_until < ?)", now, now).
		Order("created_at, id").Limit(100).Find(&due).Error
	if err != nil {
		return 0, database.Translate(err)
	}
	sent := 0
	for _, m := range due {
		res := s.db.Conn(ctx).Model(&outboxRow{}).
			Where("id = ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)", m.ID, now).
			Update("claimed_until", now.Add(lease))
		if res.Error != nil {
			return sent, database.Translate(res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another worker has it
		}
		if err := s.deliver(ctx, m); err != nil {
			backoff := time.Duration(1<<min(m.Attempts, 10)) * time.Minute
			s.log.Warn("e-mail not sent", "id", m.ID, "attempt", m.Attempts+1, "error", err)
			if uerr := s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ?", m.ID).Updates(map[string]any{
				"attempts": m.Attempts + 1, "last_error": err.Error(), "claimed_until": nil, "send_after": now.Add(backoff),
			}).Error; uerr != nil {
				return sent, database.Translate(uerr)
			}
			continue
		}
		if err := s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ?", m.ID).
			Updates(map[string]any{"sent_at": s.now().UTC(), "attempts": m.Attempts + 1}).Error; err != nil {
			return sent, database.Translate(err)
		}
		sent++
	}
	return sent, nil
}

var errUnknownTemplate = errors.New("notify: unknown template")

func (s *Sender) deliver(ctx context.Context, m outboxRow) error {
	users, err := s.people.Users(ctx, []string{m.UserID})
	if err != nil {
		return err
	}
	u, ok := users[m.UserID]
	if !ok {
		return errors.New("notify: the recipient no longer exists")
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
