package accounts

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokens issues and checks HMAC-signed JWT access tokens. A token carries
// the user id and the roles the user had when signing in (see
// Service.Authenticate for when those are believed).
type tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

const issuer = "mooc"

type claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

func (t tokens) issue(userID string, roles []string) (string, error) {
	now := t.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
		Roles: roles,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
}

// parse returns the token's user id and roles (none from a token issued
// before tokens carried them).
func (t tokens) parse(raw string) (userID string, roles []string, err error) {
	var c claims
	_, err = jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || c.Subject == "" {
		return "", nil, errors.Join(ErrInvalidToken, err)
	}
	return c.Subject, c.Roles, nil
}
