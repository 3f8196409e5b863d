package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"time"

	"gorm.io/gorm"

	"mooc/internal/database"
	"mooc/notify/outbox"
)

// What an e-mailed link does, and how long it works.
const (
	purposeVerify = "verify_email"
	purposeReset  = "password_reset"

	verifyValidFor = 7 * 24 * time.Hour
	resetValidFor  = time.Hour

	// resetsPerEmailAnywhere × ResetsPerEmail reset e-mails an hour at
	// most reach one address, from however many clients.
	resetsPerEmailAnywhere = 4
)

// linkRow is one e-mailed single-use link (the account_links table).
type linkRow struct {
	TokenHash string
	UserID    string
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (linkRow) TableName() string { return "account_links" }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// sendLink makes a single-use link for the user and queues the e-mail
// carrying it, in the caller's transaction, so the link exists exactly
// when its e-mail does. page is the public page the link opens.
func (s *Service) sendLink(ctx context.Context, userID, purpose, page string, validFor time.Duration) error {
	if s.opts.Outbox == nil {
		return nil // a service built without e-mail (other domains' tests)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.opts.Now().UTC()
	row := linkRow{TokenHash: hashToken(token), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(validFor)}
	if err := s.store.db.Conn(ctx).Create(&row).Error; err != nil {
		return database.Translate(err)
	}
	return s.opts.Outbox.Queue(ctx, outbox.Message{
		ID: purpose + ":" + row.TokenHash, UserID: userID, Template: purpose,
		Params: map[string]string{"link": s.opts.PublicURL + page + "?token=" + url.QueryEscape(token)},
	})
}

// linkOwner returns the user a live link of the purpose belongs to
// without using it up. Errors: ErrInvalidToken.
func (s *Service) linkOwner(ctx context.Context, token, purpose string) (string, error) {
	var row linkRow
	err := s.store.db.Conn(ctx).Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
		hashToken(token), purpose, s.opts.Now().UTC()).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", ErrInvalidLink
	}
	return row.UserID, database.Translate(err)
}

// useLink uses up a live link of the purpose and returns whose it was; of
// two concurrent uses one wins. Errors: ErrInvalidLink.
func (s *Service) useLink(ctx context.Context, token, purpose string) (string, error) {
	now := s.opts.Now().UTC()
	var userID string
	err := s.store.db.Conn(ctx).Raw(`UPDATE account_links SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, hashToken(token), purpose, now).Scan(&userID).Error
	if err != nil {
		return "", database.Translate(err)
	}
	if userID == "" {
		return "", ErrInvalidLink
	}
	return userID, nil
}

// VerifyEmail marks the address of the link's owner verified. Errors:
// ErrInvalidLink (unknown, used or expired).
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	return s.store.db.InTx(ctx, func(ctx context.Context) error {
		userID, err := s.useLink(ctx, token, purposeVerify)
		if err != nil {
			return err
		}
		return s.store.markVerified(ctx, userID)
	})
}

// RequestPasswordReset e-mails a reset link when the address belongs to an
// account, and does nothing else otherwise: the caller answers the same
// either way. Requests are counted before the address is looked up, so
// the limits say nothing about who is registered: per client address
// (ResetsPerAddress an hour), per e-mail from one client address
// (ResetsPerEmail), and per e-mail from everywhere (resetsPerEmailAnywhere),
// which bounds the mail a stranger can send someone. The last is four
// times the second, so a stranger's requests from one address cannot stop
// the owner asking for a link from theirs, as a limit per e-mail alone
// would. Errors: *ThrottledError.
func (s *Service) RequestPasswordReset(ctx context.Context, email, clientAddr string) error {
	email = normalizeEmail(email)
	addrHits, retry, err := s.throttle.hit(ctx, "reset-addr:"+clientAddr, time.Hour)
	if err != nil {
		return err
	}
	if addrHits > s.opts.ResetsPerAddress {
		// Stopped before anything is counted for the e-mail: an address
		// over its limit adds no rows by trying ever new e-mails.
		return &ThrottledError{What: "password reset", RetryAfter: retry}
	}
	sum := sha256.Sum256([]byte(email))
	digest := hex.EncodeToString(sum[:]) // fixed length: unambiguous keys, no addresses in the table
	pairHits, _, err := s.throttle.hit(ctx, "reset-pair:"+digest+":"+clientAddr, time.Hour)
	if err != nil {
		return err
	}
	if pairHits > s.opts.ResetsPerEmail {
		return &ThrottledError{What: "password reset", RetryAfter: retry}
	}
	emailHits, _, err := s.throttle.hit(ctx, "reset-email:"+digest, time.Hour)
	if err != nil {
		return err
	}
	if emailHits > resetsPerEmailAnywhere*s.opts.ResetsPerEmail {
		return &ThrottledError{What: "password reset", RetryAfter: retry}
	}
	row, err := s.store.byEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.db.InTx(ctx, func(ctx context.Context) error {
		return s.sendLink(ctx, row.ID, purposeReset, "/reset-password", resetValidFor)
	})
}

// ResetPassword sets a new password through a reset link. It ends every
// session of the user (whoever held the password before is out), uses up
// the user's other reset links, and counts the address as verified: only
// its owner could open the link. A password the rules refuse leaves the
// link usable. Errors: ErrInvalidLink, *validation.Error.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	userID, err := s.linkOwner(ctx, token, purposeReset)
	if err != nil {
		return err
	}
	row, err := s.store.byID(ctx, userID)
	if err != nil {
		return err
	}
	if err := newPassword(password, personOf(row)); err != nil {
		return err
	}
	hash, err := s.hasher.hash(password)
	if err != nil {
		return err
	}
	var ended revocationRow
	err = s.store.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.useLink(ctx, token, purposeReset); err != nil {
			return err
		}
		if err := s.store.setPassword(ctx, userID, hash, s.opts.Now().UTC()); err != nil {
			return err
		}
		if err := s.store.markVerified(ctx, userID); err != nil {
			return err
		}
		if err := s.store.useLinks(ctx, userID, purposeReset, s.opts.Now().UTC()); err != nil {
			return err
		}
		ended, err = s.endSessions(ctx, userID, "")
		return err
	})
	if err != nil {
		return err
	}
	s.revoked.add(ended)
	return nil
}

func personOf(r userRow) person {
	return person{Email: r.Email, GivenName: r.GivenName, FamilyName: r.FamilyName}
}
