package accounts

import (
	"context"
	"time"

	"mooc/internal/database"
)

// throttle counts events per bucket in fixed time windows, in the database so
// that every replica behind a load balancer shares the counts.
type throttle struct {
	db  *database.DB
	now func() time.Time
}

func (th throttle) window(w time.Duration) (start int64, retryAfter time.Duration) {
	now := th.now()
	secs := int64(w / time.Second)
	start = now.Unix() / secs * secs
	return start, time.Unix(start+secs, 0).Sub(now)
}

// hit counts one event and returns the window's count including it. The
// increment and the read are one statement, so concurrent hits never both
// see the same count.
func (th throttle) hit(ctx context.Context, bucket string, w time.Duration) (int, time.Duration, error) {
	start, retry := th.window(w)
	var hits int
	err := th.db.Conn(ctx).Raw(`INSERT INTO throttle_counters (bucket, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = throttle_counters.hits + 1
		RETURNING hits`, bucket, start).Scan(&hits).Error
	return hits, retry, database.Translate(err)
}

// undo takes back one event (a login that turned out to be successful).
func (th throttle) undo(ctx context.Context, bucket string, w time.Duration) error {
	start, _ := th.window(w)
	return database.Translate(th.db.Conn(ctx).Exec(
		`UPDATE throttle_counters SET hits = hits - 1 WHERE bucket = ? AND window_start = ? AND hits > 0`, bucket, start).Error)
}

// reset forgets the window's events for bucket.
func (th throttle) reset(ctx context.Context, bucket string, w time.Duration) error {
	start, _ := th.window(w)
	return database.Translate(th.db.Conn(ctx).Exec(
		`DELETE FROM throttle_counters WHERE bucket = ? AND window_start = ?`, bucket, start).Error)
}

// prune drops windows older than a day; called now and then, not per request.
func (th throttle) prune(ctx context.Context) error {
	return database.Translate(th.db.Conn(ctx).Exec(
		`DELETE FROM throttle_counters WHERE window_start < ?`, th.now().Add(-24*time.Hour).Unix()).Error)
}
