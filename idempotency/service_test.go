package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/idempotency"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// keys is the service over db, with two users to own keys, on a clock the
// test moves by changing the time it points to (never while requests run).
func keys(t *testing.T, db *database.DB) (*idempotency.Service, *time.Time, []string) {
	t.Helper()
	users, err := accounts.New(db, accounts.Options{TokenSecret: []byte("idempotency-test-secret-0123456789abcdef"), Hashing: &testkit.Hashing})
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := testkit.SignUp(t, users, 2, nil)
	at := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)
	return idempotency.New(idempotency.Deps{DB: db, Now: func() time.Time { return at }}), &at, ids
}

func TestKeys(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s, c, users := keys(t, db)
		ctx := context.Background()
		const lease = time.Minute
		fp, other := idempotency.Fingerprint("POST", "/a", nil), idempotency.Fingerprint("POST", "/b", nil)

		claim, kept, err := s.Begin(ctx, users[0], "k", fp, lease)
		if err != nil || claim == nil || kept != nil {
			t.Fatalf("first: %v %v %v", claim, kept, err)
		}
		if _, _, err := s.Begin(ctx, users[0], "k", fp, lease); !errors.Is(err, idempotency.ErrInFlight) {
			t.Fatalf("in flight: %v", err)
		}
		if _, _, err := s.Begin(ctx, users[0], "k", other, lease); !errors.Is(err, idempotency.ErrKeyReused) {
			t.Fatalf("another request: %v", err)
		}
		// Another user's key of the same name is another key.
		if mine, _, err := s.Begin(ctx, users[1], "k", other, lease); err != nil || mine == nil {
			t.Fatalf("another user: %v %v", mine, err)
		}

		// A 5xx is not kept: the key is free again.
		if err := s.Finish(ctx, claim, idempotency.Reply{Status: 503, Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		claim, _, err = s.Begin(ctx, users[0], "k", fp, lease)
		if err != nil || claim == nil {
			t.Fatalf("after a 5xx: %v %v", claim, err)
		}
		want := idempotency.Reply{Status: 409, ContentType: "application/problem+json", Location: "/x", Body: []byte(`{"code":"already_enrolled"}`)}
		if err := s.Finish(ctx, claim, want); err != nil {
			t.Fatal(err)
		}
		_, kept, err = s.Begin(ctx, users[0], "k", fp, lease)
		if err != nil || kept == nil || kept.Status != want.Status || kept.ContentType != want.ContentType ||
			kept.Location != want.Location || string(kept.Body) != string(want.Body) {
			t.Fatalf("kept %+v, %v; want %+v", kept, err, want)
		}

		// 24 hours on, the key is forgotten, and takes any request.
		*c = c.Add(idempotency.TTL)
		if claim, _, err := s.Begin(ctx, users[0], "k", other, lease); err != nil || claim == nil {
			t.Fatalf("after 24 hours: %v %v", claim, err)
		}
		*c = c.Add(idempotency.TTL)
		if n, err := s.Sweep(ctx); err != nil || n != 2 {
			t.Fatalf("swept %d, %v; want both keys", n, err)
		}

		// Closing an account forgets its keys.
		if _, _, err := s.Begin(ctx, users[1], "z", fp, lease); err != nil {
			t.Fatal(err)
		}
		if err := s.ForgetPerson(ctx, users[1]); err != nil {
			t.Fatal(err)
		}
		if claim, _, err := s.Begin(ctx, users[1], "z", other, lease); err != nil || claim == nil {
			t.Fatalf("after forgetting: %v %v", claim, err)
		}
	})
}

// Of twenty requests racing for one key, one processes it, and those that
// come once it is answered get the reply.
func TestKeysRace(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s, _, users := keys(t, db)
		fp := idempotency.Fingerprint("POST", "/a", nil)
		const n = 20
		claims := make(chan *idempotency.Claim, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				claim, _, err := s.Begin(context.Background(), users[0], "race", fp, time.Minute)
				switch {
				case err == nil && claim != nil:
					claims <- claim
				case errors.Is(err, idempotency.ErrInFlight):
				default:
					t.Errorf("Begin: %v %v", claim, err)
				}
			})
		}
		close(start)
		wg.Wait()
		close(claims)
		if len(claims) != 1 {
			t.Fatalf("%d requests claimed one key", len(claims))
		}
	})
}
