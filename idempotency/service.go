package idempotency

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mooc/internal/clock"
	"mooc/internal/database"
)

// TTL is how long a key's reply is kept, as the contract promises.
const TTL = 24 * time.Hour

// Deps is what the service is built with; DB is required.
type Deps struct {
	DB  *database.DB
	Now func() time.Time // the clock; time.Now when nil
}

// Service keeps the keys and their replies.
type Service struct {
	store store
	now   func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	return &Service{store: store{d.DB}, now: clock.Or(d.Now)}
}

// Reply is what a request with a key was answered.
type Reply struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// Claim is the right to process a key, held by one request until Finish
// or Release.
type Claim struct {
	userID, key, id string
}

// Begin decides what a request with a key does: process it (a Claim), or
// answer the reply kept for it (a Reply). The lease is how long the claim
// holds the key against other requests; past it, the request is taken
// for dead (its replica stopped mid-request) and a retry takes the key
// over. Errors: ErrKeyReused, ErrInFlight, database.ErrUnavailable.
func (s *Service) Begin(ctx context.Context, userID, key, fingerprint string, lease time.Duration) (*Claim, *Reply, error) {
	// A record can change between the insert that finds it and the read
	// (answered, taken over, swept): each turn starts again from the
	// insert, and a few turns settle any race.
	for range 4 {
		now := s.now().UTC()
		mine := record{UserID: userID, IdemKey: key, Fingerprint: fingerprint, Claim: uuid.NewString(),
			CreatedAt: now, ExpiresAt: now.Add(TTL), LockedUntil: now.Add(lease)}
		inserted, err := s.store.insert(ctx, &mine)
		if err != nil {
			return nil, nil, err
		}
		if inserted {
			return &Claim{userID: userID, key: key, id: mine.Claim}, nil, nil
		}
		held, err := s.store.get(ctx, userID, key)
		if errors.Is(err, database.ErrNotFound) {
			continue // swept or released since the insert
		}
		if err != nil {
			return nil, nil, err
		}
		switch {
		case !held.ExpiresAt.After(now):
			// Forgotten: the key starts afresh, for any request.
		case held.Fingerprint != fingerprint:
			return nil, nil, ErrKeyReused
		case held.Status != nil:
			return nil, &Reply{Status: *held.Status, ContentType: held.ContentType, Location: held.Location, Body: []byte(held.Body)}, nil
		case held.LockedUntil.After(now):
			return nil, nil, ErrInFlight
		default:
			// In progress past its lease: the request that held it is
			// gone, and this retry processes the request in its stead.
			// The key's 24 hours still count from the first request.
			mine.CreatedAt, mine.ExpiresAt = held.CreatedAt, held.ExpiresAt
		}
		took, err := s.store.takeOver(ctx, held.Claim, &mine)
		if err != nil {
			return nil, nil, err
		}
		if took {
			return &Claim{userID: userID, key: key, id: mine.Claim}, nil, nil
		}
	}
	return nil, nil, ErrInFlight
}

// Finish keeps the reply for the claim's key. A reply of 5xx is not kept:
// the key is released, so that a retry is processed anew. Nor is a body
// that is not UTF-8 text (every route with keys answers JSON). A claim
// taken over meanwhile keeps nothing.
func (s *Service) Finish(ctx context.Context, c *Claim, r Reply) error {
	if r.Status >= 500 || !utf8.Valid(r.Body) {
		return s.Release(ctx, c)
	}
	_, err := s.store.finish(ctx, c.userID, c.key, c.id, r)
	return err
}

// Release gives up the claim's key unanswered, as if the request had never
// come (it failed, or the reply is not one to keep).
func (s *Service) Release(ctx context.Context, c *Claim) error {
	return s.store.release(ctx, c.userID, c.key, c.id)
}

// Sweep deletes the keys older than TTL and says how many.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	return s.store.sweep(ctx, s.now().UTC())
}

// RunSweeper sweeps at once and then each time every has passed, until
// ctx ends. Keys expire at their next use too, so the sweep only bounds
// the table. Every replica may run it: deleting what another replica
// deleted is harmless.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ForgetPerson deletes a person's keys and the replies kept with them,
// which may name the person, when their account is closed
// (privacy.Forgetter).
func (s *Service) ForgetPerson(ctx context.Context, userID string) error {
	return s.store.forget(ctx, userID)
}
