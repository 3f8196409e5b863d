package privacy

import (
	"context"
	"errors"
	"time"

	"mooc/accounts"
	"mooc/audit"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/notify/outbox"
)

// Holder is a domain that holds data about people; its sections are keyed
// by what they are ("enrolments", "certificates", ...).
type Holder interface {
	PersonalData(ctx context.Context, userID string) (map[string]any, error)
}

// Forgetter is a domain with its own part in closing an account, done in
// the closing transaction carried by ctx.
type Forgetter interface {
	ForgetPerson(ctx context.Context, userID string) error
}

// Deps are what the service is built from.
type Deps struct {
	DB         *database.DB
	Accounts   *accounts.Service
	Outbox     *outbox.Outbox
	Audit      *audit.Log
	Holders    []Holder
	Forgetters []Forgetter
	Now        func() time.Time // the clock; time.Now when nil
}

// Service exports and erases people's data.
type Service struct {
	d   Deps
	now func() time.Time
}

// New builds the service.
func New(d Deps) *Service { return &Service{d: d, now: clock.Or(d.Now)} }

// Export returns everything the platform holds about the caller as one
// JSON object: the profile, each domain's sections, the e-mails sent to
// them and the audit entries about them. The export is itself logged.
// Errors: accounts.ErrInvalidToken (the account is gone).
func (s *Service) Export(ctx context.Context, p accounts.Principal) (map[string]any, error) {
	profile, err := s.d.Accounts.Profile(ctx, p)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"exported_at": s.now().UTC().Truncate(time.Second), "profile": profile}
	for _, h := range s.d.Holders {
		parts, err := h.PersonalData(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		for k, v := range parts {
			out[k] = v
		}
	}
	if out["emails"], err = s.d.Outbox.About(ctx, p.UserID); err != nil {
		return nil, err
	}
	if out["audit_entries"], err = s.d.Audit.About(ctx, p.UserID); err != nil {
		return nil, err
	}
	err = s.d.Audit.Record(ctx, audit.Entry{Action: audit.PersonalDataExported, TargetType: "user", TargetID: p.UserID,
		SubjectID: p.UserID, Details: map[string]any{"list": "own data", "format": "json"}})
	return out, err
}

// CloseOwn closes the caller's account after checking their password.
// Errors: accounts.ErrWrongPassword, *accounts.ThrottledError, and those
// of Close.
func (s *Service) CloseOwn(ctx context.Context, p accounts.Principal, password string) error {
	if err := s.d.Accounts.ConfirmPassword(ctx, p, password); err != nil {
		return err
	}
	err := s.Close(ctx, p.UserID)
	if errors.Is(err, accounts.ErrNotFound) { // closed meanwhile, by its owner elsewhere or the team
		return accounts.ErrInvalidToken
	}
	return err
}

// Close closes an account (its owner, or the team) in one transaction:
// the account is emptied and its sessions end (accounts.Close), every
// domain forgets its part, and the e-mails to the person are deleted.
// Errors: accounts.ErrLastTeamMember, accounts.ErrNotFound (no such open
// account).
func (s *Service) Close(ctx context.Context, userID string) error {
	return s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Accounts.Close(ctx, userID); err != nil {
			return err
		}
		for _, f := range s.d.Forgetters {
			if err := f.ForgetPerson(ctx, userID); err != nil {
				return err
			}
		}
		return s.d.Outbox.Forget(ctx, userID)
	})
}
