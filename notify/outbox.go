package notify

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/database"
)

type outboxRow struct {
	ID           string
	UserID       string
	Template     string
	Params       string
	CreatedAt    time.Time
	SendAfter    time.Time
	ClaimedUntil *time.Time
	SentAt       *time.Time
	Attempts     int
	LastError    string
}

func (outboxRow) TableName() string { return "outbox" }

// Outbox queues messages in the caller's transaction.
type Outbox struct {
	db  *database.DB
	now func() time.Time
}

// NewOutbox builds the outbox.
func NewOutbox(db *database.DB) *Outbox { return &Outbox{db: db, now: time.Now} }

// Notify queues one message to a user. id names the event (e.g.
// "enrolled:<enrolment id>"); queuing the same event again does nothing.
func (o *Outbox) Notify(ctx context.Context, id, userID, template string, params map[string]string) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	now := o.now().UTC()
	row := outboxRow{ID: id, UserID: userID, Template: template, Params: string(raw), CreatedAt: now, SendAfter: now}
	return database.Translate(o.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error)
}

// QueueFrom returns an INSERT that queues one message for each row of
// rows, a query yielding the columns id, user_id, template, params (JSON
// text) and at. A caller embeds it in a statement of its own (a
// data-modifying WITH on PostgreSQL) when the change and its message must
// be one statement, with no transaction around them to hold locks longer.
func (o *Outbox) QueueFrom(rows string) string {
	return `INSERT INTO outbox (id, user_id, template, params, created_at, send_after)
		SELECT id, user_id, template, params, at, at FROM (` + rows + `) AS queued
		ON CONFLICT (id) DO NOTHING`
}

// Broadcast queues one message per learner in a single statement: first
// to those on the interest list of interestedCourse with interestTemplate,
// then to everyone else with template. The id of each message is
// idPrefix + ":" + user id, so nobody gets two.
func (o *Outbox) Broadcast(ctx context.Context, idPrefix, template, interestTemplate, interestedCourse string, params map[string]string) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	now := o.now().UTC()
	conn := o.db.Conn(ctx)
	if interestedCourse != "" {
		if err := conn.Exec(`INSERT INTO outbox (id, user_id, template, params, created_at, send_after)
			SELECT ? || ':' || i.user_id, i.user_id, ?, ?, ?, ? FROM course_interest i WHERE i.course_id = ?
			ON CONFLICT (id) DO NOTHING`, idPrefix, interestTemplate, string(raw), now, now, interestedCourse).Error; err != nil {
			return database.Translate(err)
		}
	}
	return database.Translate(conn.Exec(`INSERT INTO outbox (id, user_id, template, params, created_at, send_after)
		SELECT ? || ':' || u.id, u.id, ?, ?, ?, ? FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'learner'
		WHERE 1 = 1 -- SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
		ON CONFLICT (id) DO NOTHING`, idPrefix, template, string(raw), now, now).Error)
}
