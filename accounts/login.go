package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Login checks the password and issues an access token. Errors:
// ErrInvalidCredentials, *ThrottledError.
//
// Failures are counted per e-mail and client address together (at most
// LoginFailuresPerEmail) and per client address (LoginFailuresPerAddress),
// never per e-mail alone: a stranger failing on someone's e-mail stops
// only himself, and the owner still signs in from another address.
//
// Every attempt is counted first, atomically; only a success gives its
// counts back. Counting first means a burst of parallel guesses cannot all
// slip past a limit, and a throttled attempt answers 429 without the
// password being checked, so a guess made while throttled reveals nothing.
// The address is counted before the pair, and an address past its limit
// stops there: trying ever new e-mails from one address creates at most
// LoginFailuresPerAddress pair rows in a window, not one per e-mail tried.
//
// There is deliberately no limit per e-mail across all addresses. Whatever
// its size, strangers with enough addresses could reach it and so stop the
// owner, which is the lockout this rule exists to prevent. Guessing spread
// over many addresses is held back instead by the password rules (no
// common, breached or guessable password) and by each address getting only
// LoginFailuresPerEmail guesses per account per window, each an argon2id
// check.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Session, error) {
	email = normalizeEmail(email)
	w := s.opts.LoginWindow
	addrBucket, pairBucket := loginBuckets(email, clientAddr)
	addrHits, retry, err := s.throttle.hit(ctx, addrBucket, w)
	if err != nil {
		return Session{}, err
	}
	if addrHits > s.opts.LoginFailuresPerAddress {
		return Session{}, &ThrottledError{What: "login", RetryAfter: retry}
	}
	pairHits, _, err := s.throttle.hit(ctx, pairBucket, w)
	if err != nil {
		return Session{}, err
	}
	if pairHits > s.opts.LoginFailuresPerEmail {
		return Session{}, &ThrottledError{What: "login", RetryAfter: retry}
	}
	row, err := s.store.byEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Session{}, err
	}
	if !s.hasher.verify(password, row.PasswordHash) {
		return Session{}, ErrInvalidCredentials
	}
	// The right password from this address: its earlier failures on this
	// e-mail were the owner's own, and this attempt was no failure. The
	// address keeps the failures made from it.
	if err := s.throttle.reset(ctx, pairBucket, w); err != nil {
		return Session{}, err
	}
	if err := s.throttle.undo(ctx, addrBucket, w); err != nil {
		return Session{}, err
	}
	u, err := s.withRoles(ctx, row)
	if err != nil {
		return Session{}, err
	}
	token, err := s.tokens.issue(row.ID, u.Roles)
	return Session{AccessToken: token, ExpiresIn: s.opts.TokenTTL, User: u}, err
}

// loginBuckets names the throttle buckets of a login attempt. The pair's
// key holds a SHA-256 digest of the e-mail, not the e-mail: its fixed
// length makes the key unambiguous whatever the two parts contain (an
// e-mail may hold a colon, an IPv6 address does), keeps a key short however
// long an e-mail a client sends, and keeps the e-mails tried out of the
// table.
func loginBuckets(email, clientAddr string) (addr, pair string) {
	sum := sha256.Sum256([]byte(email))
	return "login-addr:" + clientAddr, "login-pair:" + hex.EncodeToString(sum[:]) + ":" + clientAddr
}
