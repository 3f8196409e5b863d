package idempotency

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/database"
)

// record is one key of one user. Claim names the request processing the
// key (a new one at every take-over), so that a request whose lease was
// taken over can neither store its reply nor release the key. Status is
// nil while the key is in progress.
type record struct {
	UserID      string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Fingerprint string
	Claim       string
	Status      *int
	ContentType string
	Location    string
	Body        string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	LockedUntil time.Time
}

func (record) TableName() string { return "idempotency_keys" }

type store struct{ db *database.DB }

// insert adds r unless the user's key is there already; it reports whether
// r went in. The insert is the one statement that decides who processes a
// key: of any number of requests racing with one key, one inserts.
func (s store) insert(ctx context.Context, r *record) (bool, error) {
	res := s.db.Conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

func (s store) get(ctx context.Context, userID, key string) (record, error) {
	var r record
	err := s.db.Conn(ctx).Where("user_id = ? AND idem_key = ?", userID, key).Take(&r).Error
	return r, database.Translate(err)
}

// takeOver gives the key to r's claim, provided the record still carries
// the claim it was read with (prior): of requests racing to take over one
// record, one does.
func (s store) takeOver(ctx context.Context, prior string, r *record) (bool, error) {
	res := s.db.Conn(ctx).Model(&record{}).
		Where("user_id = ? AND idem_key = ? AND claim = ?", r.UserID, r.IdemKey, prior).
		Updates(map[string]any{
			"fingerprint": r.Fingerprint, "claim": r.Claim, "status": nil, "content_type": "", "location": "", "body": "",
			"created_at": r.CreatedAt, "expires_at": r.ExpiresAt, "locked_until": r.LockedUntil,
		})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// finish keeps the reply of the claim that still holds the key.
func (s store) finish(ctx context.Context, userID, key, claim string, reply Reply) (bool, error) {
	res := s.db.Conn(ctx).Model(&record{}).
		Where("user_id = ? AND idem_key = ? AND claim = ? AND status IS NULL", userID, key, claim).
		Updates(map[string]any{"status": reply.Status, "content_type": reply.ContentType, "location": reply.Location,
			"body": string(reply.Body)})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// release deletes the key the claim still holds, unanswered.
func (s store) release(ctx context.Context, userID, key, claim string) error {
	return database.Translate(s.db.Conn(ctx).
		Where("user_id = ? AND idem_key = ? AND claim = ? AND status IS NULL", userID, key, claim).
		Delete(&record{}).Error)
}

// sweep deletes the keys that have expired.
func (s store) sweep(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.Conn(ctx).Where("expires_at <= ?", now).Delete(&record{})
	return res.RowsAffected, database.Translate(res.Error)
}

// forget deletes every key of one user.
func (s store) forget(ctx context.Context, userID string) error {
	return database.Translate(s.db.Conn(ctx).Where("user_id = ?", userID).Delete(&record{}).Error)
}
