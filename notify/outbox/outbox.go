package outbox

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/clock"
	"mooc/internal/database"
)

// Message is one e-mail to queue. ID names the event it tells of (e.g.
// "enrolled:<enrolment id>"): queuing the same event again does nothing.
type Message struct {
	ID       string
	UserID   string
	Template string
	Params   map[string]string
}

// Stored is a queued message as the sender sees it.
type Stored struct {
	ID           string
	UserID       string
	Template     string
	Params       string // JSON object of strings
	CreatedAt    time.Time
	SendAfter    time.Time
	ClaimedUntil *time.Time // the end of a sender's lease; nil when none holds or held it
	ClaimedBy    string     // the replica whose lease it is or was
	SentAt       *time.Time
	Attempts     int
	LastError    string
}

func (Stored) TableName() string { return "outbox" }

// Outbox reads and writes the outbox table in the caller's transaction.
type Outbox struct {
	db  *database.DB
	now func() time.Time
}

// New builds the outbox; now is the clock (time.Now when nil).
func New(db *database.DB, now func() time.Time) *Outbox {
	return &Outbox{db: db, now: clock.Or(now)}
}

// batch bounds the rows of one INSERT (PostgreSQL takes at most 65,535
// parameters in a statement).
const batch = 1000

// Queue queues messages, in as few statements as the batch size allows.
func (o *Outbox) Queue(ctx context.Context, msgs ...Message) error {
	now := o.now().UTC()
	rows := make([]Stored, 0, min(len(msgs), batch))
	for i, m := range msgs {
		raw, err := json.Marshal(m.Params)
		if err != nil {
			return err
		}
		rows = append(rows, Stored{ID: m.ID, UserID: m.UserID, Template: m.Template, Params: string(raw), CreatedAt: now, SendAfter: now})
		if len(rows) == batch || i == len(msgs)-1 {
			if err := o.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
				return database.Translate(err)
			}
			rows = rows[:0]
		}
	}
	return nil
}

// InsertFrom returns an INSERT that queues one message for each row of
// rows, a query yielding the columns id, user_id, template, params (JSON
// text) and at. A caller embeds it in a statement of its own (a
// data-modifying WITH on PostgreSQL) when the change and its message must
// be one statement, with no transaction around them to hold locks longer.
func InsertFrom(rows string) string {
	return `INSERT INTO outbox (id, user_id, template, params, created_at, send_after)
		SELECT id, user_id, template, params, at, at FROM (` + rows + `) AS queued
		ON CONFLICT (id) DO NOTHING`
}

// Due lists up to limit messages that are due and claimed by no worker,
// oldest first.
func (o *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]Stored, error) {
	var due []Stored
	err := o.db.Conn(ctx).Where("sent_at IS NULL AND send_after <= ? AND (claimed_until IS NULL OR claimed_until < ?)", now, now).
		Order("created_at, id").Limit(limit).Find(&due).Error
	return due, database.Translate(err)
}

// Claim leases a due message to replica until until; false when another
// worker holds it or it was sent.
func (o *Outbox) Claim(ctx context.Context, id, replica string, now, until time.Time) (bool, error) {
	res := o.db.Conn(ctx).Model(&Stored{}).
		Where("id = ? AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)", id, now).
		Updates(map[string]any{"claimed_until": until, "claimed_by": replica})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// Renew extends replica's lease of a message it is sending to until; false
// when the lease is no longer replica's (it lapsed and another took it) or
// the message was sent.
func (o *Outbox) Renew(ctx context.Context, id, replica string, until time.Time) (bool, error) {
	res := o.db.Conn(ctx).Model(&Stored{}).Where("id = ? AND sent_at IS NULL AND claimed_by = ?", id, replica).
		Update("claimed_until", until)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// Sent marks a message delivered.
func (o *Outbox) Sent(ctx context.Context, m Stored, at time.Time) error {
	return database.Translate(o.db.Conn(ctx).Model(&Stored{}).Where("id = ?", m.ID).
		Updates(map[string]any{"sent_at": at, "attempts": m.Attempts + 1}).Error)
}

// Retry releases a message whose delivery failed, to be tried again after
// retryAt.
func (o *Outbox) Retry(ctx context.Context, m Stored, failure error, retryAt time.Time) error {
	return database.Translate(o.db.Conn(ctx).Model(&Stored{}).Where("id = ?", m.ID).Updates(map[string]any{
		"attempts": m.Attempts + 1, "last_error": failure.Error(), "claimed_until": nil, "send_after": retryAt,
	}).Error)
}
