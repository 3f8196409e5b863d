package accounts

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// tokens issues and checks HMAC-signed JWT access tokens. A token carries
// the user id, the roles the user had when signing in (see
// Service.Authenticate for when those are believed), its own id (jti, what
// a logout revokes) and the instant it was issued to the microsecond (what
// a revocation of every earlier session of the user compares with; iat
// has whole seconds only, too coarse for a sign-in right after a reset).
type tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

const issuer = "mooc"

type claims struct {
	jwt.RegisteredClaims
	Roles    []string `json:"roles,omitempty"`
	IssuedUs int64    `json:"iat_us,omitempty"`
}

// issuedAt is when the token was issued; from iat for tokens made before
// tokens carried iat_us.
func (c claims) issuedAt() time.Time {
	if c.IssuedUs != 0 {
		return time.UnixMicro(c.IssuedUs)
	}
	if c.IssuedAt != nil {
		return c.IssuedAt.Time
	}
	return time.Time{}
}

func (t tokens) issue(userID string, roles []string) (string, error) {
	now := t.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   userID,
			ID:        uuid.NewString(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
		Roles:    roles,
		IssuedUs: now.UnixMicro(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
}

// parse checks the signature, issuer and expiry and returns the claims.
// Whether the session was ended since is Service.Authenticate's question.
func (t tokens) parse(raw string) (claims, error) {
	var c claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || c.Subject == "" {
		return claims{}, errors.Join(ErrInvalidToken, err)
	}
	return c, nil
}
