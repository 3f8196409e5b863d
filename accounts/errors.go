package accounts

import (
	"errors"
	"fmt"
	"time"
)

var (
	ErrEmailTaken         = errors.New("accounts: e-mail already registered")
	ErrInvalidCredentials = errors.New("accounts: wrong e-mail or password")
	ErrInvalidToken       = errors.New("accounts: missing, malformed or expired token")
	ErrNotFound           = errors.New("accounts: user not found")
	ErrUnknownRole        = errors.New("accounts: unknown role")
	// ErrInvalidLink is a verification or reset token that is unknown,
	// used or expired.
	ErrInvalidLink = errors.New("accounts: unknown, used or expired link")
	// ErrWrongPassword is a password change whose current password is wrong.
	ErrWrongPassword = errors.New("accounts: the current password is wrong")
	// ErrLastTeamMember is a change that would leave no team account.
	ErrLastTeamMember = errors.New("accounts: the last team account cannot lose the team role")
)

// ThrottledError says a caller made too many attempts and when to retry.
type ThrottledError struct {
	What       string // "login", "register", "password reset" or "password change"
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("accounts: too many %s attempts, retry after %s", e.What, e.RetryAfter)
}
