package accounts

import (
	"context"
	"errors"
)

// Login checks the password and issues an access token. Errors:
// ErrInvalidCredentials, *ThrottledError.
//
// Every attempt is counted first, atomically, against both the e-mail and
// the client address; only a success gives its count back. Counting first
// means a burst of parallel guesses cannot all slip past the limit, and a
// locked account answers 429 without the password being checked, so a
// guess made while locked reveals nothing.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Session, error) {
	email = normalizeEmail(email)
	w := s.opts.LoginWindow
	emailBucket, addrBucket := "login-email:"+email, "login-addr:"+clientAddr
	emailHits, retry, err := s.throttle.hit(ctx, emailBucket, w)
	if err != nil {
		return Session{}, err
	}
	addrHits, _, err := s.throttle.hit(ctx, addrBucket, w)
	if err != nil {
		return Session{}, err
	}
	if emailHits > s.opts.LoginFailuresPerEmail || addrHits > s.opts.LoginFailuresPerAddress {
		return Session{}, &ThrottledError{What: "login", RetryAfter: retry}
	}
	row, err := s.store.byEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Session{}, err
	}
	if !s.hasher.verify(password, row.PasswordHash) {
		return Session{}, ErrInvalidCredentials
	}
	if err := s.throttle.reset(ctx, emailBucket, w); err != nil {
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
