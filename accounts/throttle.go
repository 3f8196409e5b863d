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

// longestWindow is the longest window a bucket counts in besides the
// login window (registrations and password resets count per hour). A
// bucket with a longer window must raise it, or pruning would drop its
// live counts.
const longestWindow = time.Hour

// prune drops the rows whose windows have ended. A row does not record its
// window's length, so a row goes once even the longest window, started
// when its window started, would have ended: a live count is never
// dropped, and a row of a shorter window lingers at most that long, which
// bounds the table all the same.
func (th throttle) prune(ctx context.Context, longest time.Duration) error {
	return database.Translate(th.db.Conn(ctx).Exec(
		`DELETE FROM throttle_counters WHERE window_start <= ?`, th.now().Add(-longest).Unix()).Error)
}

// PruneThrottle deletes the throttle's counts whose windows have ended
// (see RunThrottlePruner).
func (s *Service) PruneThrottle(ctx context.Context) error {
	return s.throttle.prune(ctx, max(longestWindow, s.opts.LoginWindow))
}

// RunThrottlePruner prunes the throttle at once and then each time every
// has passed, until ctx ends. Attempts to log in, register or reset a
// password leave rows, so without it the table grows for as long as
// clients keep coming; with it, the table holds little more than the last
// hour's rows. Pruning on a schedule of its own keeps the work out of the
// requests. Every replica may run it: deleting what another replica
// deleted is harmless.
func (s *Service) RunThrottlePruner(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.PruneThrottle(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
