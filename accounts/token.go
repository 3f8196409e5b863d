package accounts

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokens issues and checks HMAC-signed JWT access tokens. A token carries
// only the user id: roles are read from the database on every request, so a
// role change takes effect at once.
type tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

const issuer = "mooc"

func (t tokens) issue(userID string) (string, error) {
	now := t.now()
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   userID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
}

func (t tokens) parse(raw string) (string, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || claims.Subject == "" {
		return "", errors.Join(ErrInvalidToken, err)
	}
	return claims.Subject, nil
}
