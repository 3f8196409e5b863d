package idempotency

import "errors"

// The refusals of a request that carries a key.
var (
	// ErrInvalidKey: the header is empty, longer than MaxKeyLength or holds
	// characters other than printable ASCII.
	ErrInvalidKey = errors.New("idempotency: invalid Idempotency-Key")
	// ErrKeyReused: the key was used before, by the same user, for another
	// request (another route or another body).
	ErrKeyReused = errors.New("idempotency: key used for another request")
	// ErrInFlight: the first request with the key is still being
	// processed; retry once it has been answered.
	ErrInFlight = errors.New("idempotency: key still being processed")
)
