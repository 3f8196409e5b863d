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
)

// ThrottledError says a caller made too many attempts and when to retry.
type ThrottledError struct {
	What       string // "login" or "register"
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("accounts: too many %s attempts, retry after %s", e.What, e.RetryAfter)
}
