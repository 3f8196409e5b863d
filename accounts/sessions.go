package accounts

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
)

// revocationRow is one ended session, or every session of a user begun
// before IssuedBefore except one (see the session_revocations table).
type revocationRow struct {
	ID           string
	UserID       string
	TokenID      string
	IssuedBefore *time.Time
	ExceptToken  string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

func (revocationRow) TableName() string { return "session_revocations" }

// catches reports whether the row revokes the token c.
func (r revocationRow) catches(c claims) bool {
	if r.TokenID != "" {
		return r.TokenID == c.ID
	}
	if r.IssuedBefore == nil || r.UserID != c.Subject || (r.ExceptToken != "" && r.ExceptToken == c.ID) {
		return false
	}
	return c.issuedAt().UnixMicro() < r.IssuedBefore.UnixMicro()
}

// Revocation cache timing. A replica reads the rows written since its last
// read at most every refreshEvery, so a session ended on one replica is
// refused by every other within refreshEvery plus one query. Each read
// goes back overlap before the previous one began: a row's created_at is
// the writer's clock, taken before its transaction commits, so a slow
// commit or a writer whose clock is behind lands a row behind a read
// already made. The rows of the last overlap are few (logouts and password
// changes), so reading them again costs little.
const (
	refreshEvery = 500 * time.Millisecond
	overlap      = 2 * time.Minute
	pruneEvery   = time.Minute
)

// revocations is a replica's copy of session_revocations. Learners'
// tokens are believed without a database look-up; this copy is what lets
// their sessions end anyway, at the cost of one cheap query per replica
// every refreshEvery, however many requests arrive.
type revocations struct {
	db  *database.DB
	now func() time.Time // the domain clock: expiry of rows

	refresh sync.Mutex // one reader of the table at a time

	mu       sync.RWMutex
	loaded   bool
	readAt   time.Time // machine time when the last read began
	readFrom time.Time // the domain clock then: the next read goes back overlap from it
	prunedAt time.Time
	byToken  map[string]revocationRow            // token id → row
	byUser   map[string]map[string]revocationRow // user id → row id → row
}

func newRevocations(db *database.DB, now func() time.Time) *revocations {
	return &revocations{db: db, now: now, byToken: map[string]revocationRow{}, byUser: map[string]map[string]revocationRow{}}
}

// revoked reports whether c's session has ended, reading what other
// replicas wrote when the copy is older than refreshEvery.
func (r *revocations) revoked(ctx context.Context, c claims) (bool, error) {
	if err := r.current(ctx); err != nil {
		return false, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if row, ok := r.byToken[c.ID]; ok && c.ID != "" && row.catches(c) {
		return true, nil
	}
	for _, row := range r.byUser[c.Subject] {
		if row.catches(c) {
			return true, nil
		}
	}
	return false, nil
}

func (r *revocations) fresh() bool { return r.freshFor(refreshEvery) }

// freshFor: the copy was read less than d ago (never, for d = 0).
func (r *revocations) freshFor(d time.Duration) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.loaded && time.Since(r.readAt) < d
}

// current brings the copy up to date when it is older than refreshEvery.
// Callers that find it stale wait for the one read in progress rather than
// each querying. A replica whose refresher runs (RefreshSessions) keeps the
// copy fresh, so no request waits for a read; without it (a test server,
// or an idle replica's first request) the request reads.
func (r *revocations) current(ctx context.Context) error {
	if r.fresh() {
		return nil
	}
	return r.read(ctx, refreshEvery)
}

// read brings the copy up to date unless it was read less than maxAge ago
// (by the reader this one waited for), one reader at a time.
func (r *revocations) read(ctx context.Context, maxAge time.Duration) error {
	r.refresh.Lock()
	defer r.refresh.Unlock()
	if r.freshFor(maxAge) {
		return nil
	}
	started, from := time.Now(), r.now().UTC()
	r.mu.RLock()
	loaded, since := r.loaded, r.readFrom.Add(-overlap)
	r.mu.RUnlock()
	q := r.db.Conn(ctx).Where("expires_at > ?", from)
	if loaded {
		q = q.Where("created_at > ?", since)
	}
	var rows []revocationRow
	if err := q.Find(&rows).Error; err != nil {
		return database.Translate(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, row := range rows {
		r.addLocked(row)
	}
	r.loaded, r.readAt, r.readFrom = true, started, from
	if time.Since(r.prunedAt) > pruneEvery {
		r.pruneLocked()
	}
	return nil
}

// add takes a row this replica wrote, so its own requests see it at once.
func (r *revocations) add(row revocationRow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(row)
}

func (r *revocations) addLocked(row revocationRow) {
	if row.TokenID != "" {
		r.byToken[row.TokenID] = row
		return
	}
	if r.byUser[row.UserID] == nil {
		r.byUser[row.UserID] = map[string]revocationRow{}
	}
	r.byUser[row.UserID][row.ID] = row
}

// pruneLocked forgets rows past their expiry: every token they could
// catch has expired by then.
func (r *revocations) pruneLocked() {
	now := r.now()
	for id, row := range r.byToken {
		if !row.ExpiresAt.After(now) {
			delete(r.byToken, id)
		}
	}
	for user, rows := range r.byUser {
		for id, row := range rows {
			if !row.ExpiresAt.After(now) {
				delete(rows, id)
			}
		}
		if len(rows) == 0 {
			delete(r.byUser, user)
		}
	}
	r.prunedAt = time.Now()
}

// endToken revokes one token until it would have expired anyway.
func (s *Service) endToken(ctx context.Context, c claims) (revocationRow, error) {
	now := s.opts.Now().UTC().Truncate(time.Microsecond)
	row := revocationRow{ID: uuid.NewString(), UserID: c.Subject, TokenID: c.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.TokenTTL)}
	if c.ExpiresAt != nil {
		row.ExpiresAt = c.ExpiresAt.UTC()
	}
	if c.ID == "" { // a token from before tokens had ids: end all the user's sessions up to now
		row.IssuedBefore = &now
	}
	return row, s.writeRevocation(ctx, row)
}

// endSessions revokes every token of the user issued until now but the
// one with id except (none when empty).
func (s *Service) endSessions(ctx context.Context, userID, except string) (revocationRow, error) {
	now := s.opts.Now().UTC().Truncate(time.Microsecond)
	row := revocationRow{ID: uuid.NewString(), UserID: userID, IssuedBefore: &now, ExceptToken: except,
		CreatedAt: now, ExpiresAt: now.Add(s.opts.TokenTTL)}
	return row, s.writeRevocation(ctx, row)
}

// writeRevocation stores the row, in the caller's transaction when there
// is one, and drops the rows that have expired: revocations are written
// seldom, so this keeps the table to the last TokenTTL's worth.
func (s *Service) writeRevocation(ctx context.Context, row revocationRow) error {
	conn := s.store.db.Conn(ctx)
	if err := conn.Create(&row).Error; err != nil {
		return database.Translate(err)
	}
	return database.Translate(conn.Where("expires_at <= ?", row.CreatedAt).Delete(&revocationRow{}).Error)
}

// EndAllSessions revokes every token of the user at once, on every
// replica within a second. Closing an account calls it in the transaction
// that closes it, so a learner's token, believed without a look-up of the
// account, gives 401 from then on.
func (s *Service) EndAllSessions(ctx context.Context, userID string) error {
	row, err := s.endSessions(ctx, userID, "")
	if err != nil {
		return err
	}
	s.revoked.add(row) // early when the caller's transaction rolls back: refuses too much, never too little
	return nil
}

// RefreshSessions keeps this replica's copy of ended sessions fresh until
// ctx ends, reading every refreshEvery/2, so that no request waits for the
// read: under a burst, a read on the request path would queue for a pooled
// connection behind the burst's own statements, with every request behind
// it. onError hears a failed read (the requests then read themselves).
func (s *Service) RefreshSessions(ctx context.Context, onError func(error)) {
	t := time.NewTicker(refreshEvery / 2)
	defer t.Stop()
	for {
		if err := s.revoked.read(ctx, 0); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
