package accounts

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// counter is a token check that counts its calls.
type counter struct {
	calls int
	exp   time.Time
}

func (c *counter) check(raw string) (claims, error) {
	c.calls++
	if raw == "bad" {
		return claims{}, ErrInvalidToken
	}
	return claims{RegisteredClaims: jwt.RegisteredClaims{Subject: raw, ExpiresAt: jwt.NewNumericDate(c.exp)}}, nil
}

func TestCheckedTokensRememberASecond(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cache := newCheckedTokens(clock)
	c := &counter{exp: now.Add(time.Minute)}
	for range 5 {
		got, err := cache.parse("token-a", c.check)
		if err != nil || got.Subject != "token-a" {
			t.Fatalf("%+v, %v", got, err)
		}
	}
	if c.calls != 1 {
		t.Fatalf("%d checks of one token within a second, want 1", c.calls)
	}

	// A refused token is refused every time, never remembered.
	for range 3 {
		if _, err := cache.parse("bad", c.check); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("bad token: %v", err)
		}
	}
	if c.calls != 4 {
		t.Fatalf("%d checks, want 1 + 3 for the refused token", c.calls)
	}

	// Past its expiry by the domain clock, a remembered token is checked
	// again (and the check refuses it).
	now = now.Add(time.Minute)
	c.exp = now.Add(-time.Second)
	before := c.calls
	got, _ := cache.parse("token-a", c.check)
	if c.calls != before+1 || !got.ExpiresAt.Before(now) {
		t.Fatalf("an expired token was answered from memory")
	}

	// After a second by the machine's clock, it is checked again.
	c.exp = now.Add(time.Hour)
	if _, err := cache.parse("token-b", c.check); err != nil {
		t.Fatal(err)
	}
	cache.mu.Lock()
	e := cache.entries["token-b"]
	e.at = e.at.Add(-checkedTokenTTL)
	cache.entries["token-b"] = e
	cache.mu.Unlock()
	before = c.calls
	if _, err := cache.parse("token-b", c.check); err != nil {
		t.Fatal(err)
	}
	if c.calls != before+1 {
		t.Fatalf("a check older than %s was believed", checkedTokenTTL)
	}
}

func TestCheckedTokensAreBounded(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	cache := newCheckedTokens(func() time.Time { return now })
	c := &counter{exp: now.Add(time.Hour)}
	for i := range checkedTokensMax + 10 {
		if _, err := cache.parse(fmt.Sprintf("token-%d", i), c.check); err != nil {
			t.Fatal(err)
		}
	}
	cache.mu.Lock()
	n := len(cache.entries)
	cache.mu.Unlock()
	if n > checkedTokensMax {
		t.Fatalf("%d entries, at most %d", n, checkedTokensMax)
	}
}
