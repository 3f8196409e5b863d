package bench

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MintToken returns an access token for the learner userID as the platform
// issues them at sign-in (an HS256 JWT with iss "mooc", sub, iat, exp and
// roles ["learner"], signed with the server's MOOC_TOKEN_SECRET), so that
// the load tool can act as thousands of learners without logging each in:
// a login costs an argon2id hash.
func MintToken(secret []byte, userID string, now time.Time, ttl time.Duration) (string, error) {
	if len(secret) == 0 || userID == "" || ttl <= 0 {
		return "", errors.New("bench: a token needs a secret, a user and a lifetime")
	}
	claims := learnerClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "mooc",
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Roles: []string{"learner"},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

type learnerClaims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles"`
}
