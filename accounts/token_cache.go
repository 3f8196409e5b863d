package accounts

import (
	"strings"
	"sync"
	"time"
)

// checkedTokens remembers, for a second, the claims of tokens whose
// signature, issuer and expiry were checked, so that a client's next
// requests within that second skip the HMAC and the JSON decoding (about a
// tenth of a learner's read's CPU). It holds only what the token itself
// says, which never changes: whether its session has ended is still asked
// of the revocation copy on every request (Service.Authenticate), so a
// logout or a password change is refused as soon as it was before. Expiry
// is checked again on every hit, by the domain clock, as parse does.
//
// Memory is bounded: at most checkedTokensMax entries, dropped wholesale
// when full, and entries older than the lifetime are swept once a
// lifetime on insertion.
type checkedTokens struct {
	now func() time.Time // the domain clock: expiry

	mu      sync.Mutex
	entries map[string]checkedToken
	sweptAt time.Time
}

type checkedToken struct {
	c  claims
	at time.Time // machine time of the check
}

const (
	checkedTokenTTL  = time.Second
	checkedTokensMax = 50_000
)

func newCheckedTokens(now func() time.Time) *checkedTokens {
	return &checkedTokens{now: now, entries: map[string]checkedToken{}}
}

// parse is check(raw), from memory when raw was checked less than a
// second ago and has not expired since.
func (t *checkedTokens) parse(raw string, check func(string) (claims, error)) (claims, error) {
	t.mu.Lock()
	e, ok := t.entries[raw]
	t.mu.Unlock()
	if ok && time.Since(e.at) < checkedTokenTTL && e.c.ExpiresAt != nil && t.now().Before(e.c.ExpiresAt.Time) {
		return e.c, nil
	}
	c, err := check(raw)
	if err != nil {
		return c, err
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) >= checkedTokensMax {
		clear(t.entries)
	}
	if now.Sub(t.sweptAt) >= checkedTokenTTL {
		for k, old := range t.entries {
			if now.Sub(old.at) >= checkedTokenTTL {
				delete(t.entries, k)
			}
		}
		t.sweptAt = now
	}
	// A copy as the key: the caller's string may alias a buffer its HTTP
	// server reuses for the next request.
	t.entries[strings.Clone(raw)] = checkedToken{c: c, at: now}
	return c, nil
}
