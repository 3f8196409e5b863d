package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// clock is a time the test sets; the throttle's windows follow it, not the
// machine's clock, so no test waits for a window to pass or flakes when a
// slow run crosses a window's edge.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// windowStart is the start of a 15-minute window (windows are aligned on
// Unix time, 10:00 UTC is one).
var windowStart = time.Date(2030, 3, 4, 10, 0, 0, 0, time.UTC)

func throttled(db *database.DB, c *clock, registerLimit int) (*accounts.Service, error) {
	return accounts.New(db, accounts.Options{
		TokenSecret: []byte("throttle-test-secret-0123456789abcdef"), RegisterLimit: registerLimit,
		Hashing: &testkit.Hashing, Now: c.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var te *accounts.ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("want a ThrottledError, got %v", err)
	}
	return te.RetryAfter
}

// Five failed logins on an e-mail from one address lock that pair until
// its window ends, to the second, while the owner signs in from another
// address; a success from the address then resets the pair's count.
func TestLoginThrottleWindow(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{now: windowStart.Add(time.Minute)}
		users, err := throttled(db, c, 0)
		if err != nil {
			t.Fatal(err)
		}
		testkit.SignUp(t, users, 1, func(int) accounts.Registration { return testkit.Person("ieva@example.lv") })
		for i := range 5 {
			if _, err := users.Login(ctx, "ieva@example.lv", "not the password", "10.0.0.1"); !errors.Is(err, accounts.ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		_, err = users.Login(ctx, "ieva@example.lv", testkit.Password, "10.0.0.1")
		if got := retryAfter(t, err); got != 14*time.Minute {
			t.Fatalf("retry after %v at 10:01, want 14m (the window ends 10:15)", got)
		}
		if _, err := users.Login(ctx, "ieva@example.lv", testkit.Password, "10.0.1.1"); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		c.Set(windowStart.Add(15*time.Minute - time.Second))
		_, err = users.Login(ctx, "ieva@example.lv", testkit.Password, "10.0.0.1")
		if got := retryAfter(t, err); got != time.Second {
			t.Fatalf("retry after %v at 10:14:59, want 1s", got)
		}
		c.Set(windowStart.Add(15 * time.Minute))
		if _, err := users.Login(ctx, "ieva@example.lv", testkit.Password, "10.0.0.1"); err != nil {
			t.Fatalf("at 10:15, the next window: %v", err)
		}
		// The success reset the count: five more failures are allowed.
		for i := range 5 {
			if _, err := users.Login(ctx, "ieva@example.lv", "not the password", "10.0.0.1"); !errors.Is(err, accounts.ErrInvalidCredentials) {
				t.Fatalf("failure %d after the reset: %v", i+1, err)
			}
		}
	})
}

// However many strangers fail on an e-mail, each from his own address and
// each up to his limit, the owner signs in: no count is per e-mail alone.
func TestLoginThrottleNoLockoutByStrangers(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: windowStart.Add(time.Minute)}
	users, err := throttled(testenv.SQLite(t), c, 0)
	if err != nil {
		t.Fatal(err)
	}
	testkit.SignUp(t, users, 1, func(int) accounts.Registration { return testkit.Person("anna@example.lv") })
	for stranger := range 10 {
		addr := fmt.Sprintf("203.0.113.%d", stranger)
		for range 6 {
			_, _ = users.Login(ctx, "anna@example.lv", "not the password", addr)
		}
		if _, err := users.Login(ctx, "anna@example.lv", "not the password", addr); retryAfter(t, err) <= 0 {
			t.Fatalf("stranger %d is not stopped", stranger)
		}
	}
	if _, err := users.Login(ctx, "anna@example.lv", testkit.Password, "198.51.100.1"); err != nil {
		t.Fatalf("the owner after 70 strangers' failures: %v", err)
	}
}

// Fifty failures from one address, across e-mails, lock the address for
// the rest of its window, whoever signs in from it.
func TestLoginThrottleAddressWindow(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: windowStart.Add(10 * time.Minute)}
	users, err := throttled(testenv.SQLite(t), c, 0)
	if err != nil {
		t.Fatal(err)
	}
	testkit.SignUp(t, users, 1, func(int) accounts.Registration { return testkit.Person("birojs@example.lv") })
	for i := range 50 {
		if _, err := users.Login(ctx, fmt.Sprintf("guess%d@example.lv", i), "guessing away", "192.0.2.99"); !errors.Is(err, accounts.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err = users.Login(ctx, "birojs@example.lv", testkit.Password, "192.0.2.99")
	if got := retryAfter(t, err); got != 5*time.Minute {
		t.Fatalf("retry after %v, want 5m", got)
	}
	if _, err := users.Login(ctx, "birojs@example.lv", testkit.Password, "192.0.2.10"); err != nil {
		t.Fatalf("from another address: %v", err)
	}
	c.Set(windowStart.Add(15 * time.Minute))
	if _, err := users.Login(ctx, "birojs@example.lv", testkit.Password, "192.0.2.99"); err != nil {
		t.Fatalf("in the next window: %v", err)
	}
}

// windowsLeft lists the window starts that have rows in the throttle's
// table, in order.
func windowsLeft(t *testing.T, db *database.DB) []time.Time {
	t.Helper()
	var starts []int64
	if err := db.Conn(context.Background()).Raw(`SELECT DISTINCT window_start FROM throttle_counters ORDER BY window_start`).Scan(&starts).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]time.Time, len(starts))
	for i, s := range starts {
		out[i] = time.Unix(s, 0).UTC()
	}
	return out
}

// Pruning drops the rows of windows that have ended and keeps the live
// ones: the limits hold across it. The clock is moved by hand and the
// prune called directly, so nothing waits for the pruner's ticker.
func TestThrottlePrune(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{now: windowStart.Add(time.Minute)}
		users, err := throttled(db, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		prune := func() {
			t.Helper()
			if err := users.PruneThrottle(ctx); err != nil {
				t.Fatal(err)
			}
		}
		want := func(at string, starts ...time.Time) {
			t.Helper()
			if got := windowsLeft(t, db); !slices.Equal(got, starts) {
				t.Fatalf("windows left at %s: %v, want %v", at, got, starts)
			}
		}
		const hall, guesser = "198.51.100.7", "203.0.113.9"
		fail := func(n int) {
			t.Helper()
			for range n {
				if _, err := users.Login(ctx, "zale.0@example.lv", "not the password", guesser); !errors.Is(err, accounts.ErrInvalidCredentials) {
					t.Fatalf("at %s: %v", c.Now().Format("15:04:05"), err)
				}
			}
		}
		quarter, hour := windowStart.Add(45*time.Minute), windowStart.Add(time.Hour)

		// 10:01: the hour's registrations from the hall used up, and
		// failures in the 10:00 login window.
		for i := range 3 {
			if _, err := users.Register(ctx, testkit.Person(fmt.Sprintf("zale.%d@example.lv", i)), hall); err != nil {
				t.Fatal(err)
			}
		}
		fail(5)

		// 10:59:59: the registrations' hour is still live, and so is the
		// 10:45 login window, where the guesser is locked out again.
		c.Set(hour.Add(-time.Second))
		fail(5)
		prune()
		want("10:59:59", windowStart, quarter)
		_, err = users.Register(ctx, testkit.Person("zale.3@example.lv"), hall)
		if got := retryAfter(t, err); got != time.Second {
			t.Fatalf("registering at 10:59:59: retry after %v, want 1s", got)
		}
		_, err = users.Login(ctx, "zale.0@example.lv", testkit.Password, guesser)
		if got := retryAfter(t, err); got != time.Second {
			t.Fatalf("login at 10:59:59: retry after %v, want 1s", got)
		}

		// 11:00: every window of 10:00 has ended and goes; the new hour's
		// registration stays.
		c.Set(hour)
		if _, err := users.Register(ctx, testkit.Person("zale.3@example.lv"), hall); err != nil {
			t.Fatalf("registering in the next hour: %v", err)
		}
		prune()
		if left := windowsLeft(t, db); slices.Contains(left, windowStart) || !slices.Contains(left, hour) {
			t.Fatalf("windows left at 11:00: %v, want 11:00 and none of 10:00", left)
		}

		// 11:45: the 10:45 window has ended too; 11:00's hour is live.
		c.Set(hour.Add(45 * time.Minute))
		prune()
		want("11:45", hour)
		for i := range 2 {
			if _, err := users.Register(ctx, testkit.Person(fmt.Sprintf("zale.%d@example.lv", 4+i)), hall); err != nil {
				t.Fatal(err)
			}
		}
		_, err = users.Register(ctx, testkit.Person("zale.6@example.lv"), hall)
		if got := retryAfter(t, err); got != 15*time.Minute {
			t.Fatalf("the fourth registration of 11:00's hour: retry after %v, want 15m", got)
		}
	})
}

// Registrations per address are counted per hour.
func TestRegisterLimitWindow(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: windowStart.Add(59 * time.Minute)}
	users, err := throttled(testenv.SQLite(t), c, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := users.Register(ctx, testkit.Person(fmt.Sprintf("zale.%d@example.lv", i)), "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = users.Register(ctx, testkit.Person("zale.3@example.lv"), "198.51.100.7")
	if got := retryAfter(t, err); got != time.Minute {
		t.Fatalf("retry after %v at 10:59, want 1m", got)
	}
	c.Set(windowStart.Add(time.Hour))
	if _, err := users.Register(ctx, testkit.Person("zale.3@example.lv"), "198.51.100.7"); err != nil {
		t.Fatalf("in the next hour: %v", err)
	}
}
