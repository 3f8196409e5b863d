package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/audit"
	"mooc/internal/validation"
)

// ProfileChange is what a person may change of their own account; absent
// fields stay as they are.
type ProfileChange struct {
	GivenName     *string `json:"given_name" validate:"omitempty,max=100"`
	FamilyName    *string `json:"family_name" validate:"omitempty,max=100"`
	Municipality  *string `json:"municipality" validate:"omitempty,max=100"`
	Workplace     *string `json:"workplace" validate:"omitempty,max=200"`
	Position      *string `json:"position" validate:"omitempty,max=200"`
	Announcements *bool   `json:"announcements"`
}

// Profile is everything the accounts domain holds about a person, for the
// export of their data: the user and what they agreed to.
type Profile struct {
	User
	PrivacyNoticeVersion string     `json:"privacy_notice_version"`
	PrivacyAcceptedAt    *time.Time `json:"privacy_accepted_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// UpdateProfile changes the caller's own names, workplace and choice of
// announcements. Names and municipality may be changed but not emptied:
// certificates and the team's lists need them. Errors: *validation.Error,
// ErrInvalidToken (the account is gone).
func (s *Service) UpdateProfile(ctx context.Context, p Principal, ch ProfileChange) (User, error) {
	if err := validation.Struct(ch); err != nil {
		return User{}, err
	}
	cols := map[string]any{}
	var problems []validation.FieldError
	text := func(field string, v *string, required bool) {
		if v == nil {
			return
		}
		t := strings.TrimSpace(*v)
		if required && t == "" {
			problems = append(problems, validation.Field(field, "must not be empty"))
			return
		}
		cols[field] = t
	}
	text("given_name", ch.GivenName, true)
	text("family_name", ch.FamilyName, true)
	text("municipality", ch.Municipality, true)
	text("workplace", ch.Workplace, false)
	text("position", ch.Position, false)
	if len(problems) > 0 {
		return User{}, validation.Fail(problems...)
	}
	if ch.Announcements != nil {
		cols["announcements"] = *ch.Announcements
	}
	row, err := s.live(ctx, p.UserID)
	if err != nil {
		return User{}, err
	}
	if len(cols) > 0 {
		cols["updated_at"] = s.opts.Now().UTC()
		if err := s.store.update(ctx, row.ID, cols); err != nil {
			return User{}, err
		}
	}
	return s.Get(ctx, row.ID)
}

// Profile returns what the accounts domain holds about the caller.
// Errors: ErrInvalidToken (the account is gone).
func (s *Service) Profile(ctx context.Context, p Principal) (Profile, error) {
	row, err := s.live(ctx, p.UserID)
	if err != nil {
		return Profile{}, err
	}
	u, err := s.withRoles(ctx, row)
	if err != nil {
		return Profile{}, err
	}
	return Profile{User: u, PrivacyNoticeVersion: row.PrivacyNoticeVersion, PrivacyAcceptedAt: row.PrivacyAcceptedAt, UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// ConfirmPassword checks the caller's password before an action that
// cannot be undone (closing the account). Wrong passwords are throttled
// per account as failed logins are. Errors: ErrWrongPassword,
// *ThrottledError, ErrInvalidToken.
func (s *Service) ConfirmPassword(ctx context.Context, p Principal, password string) error {
	row, err := s.live(ctx, p.UserID)
	if err != nil {
		return err
	}
	return s.checkOwnPassword(ctx, row, password, "password confirmation")
}

// checkOwnPassword is the one check of a signed-in person's password.
func (s *Service) checkOwnPassword(ctx context.Context, row userRow, password, what string) error {
	bucket, w := "password-check:"+row.ID, s.opts.LoginWindow
	hits, retry, err := s.throttle.hit(ctx, bucket, w)
	if err != nil {
		return err
	}
	if hits > s.opts.LoginFailuresPerEmail {
		return &ThrottledError{What: what, RetryAfter: retry}
	}
	if !s.hasher.verify(password, row.PasswordHash) {
		return ErrWrongPassword
	}
	return s.throttle.reset(ctx, bucket, w)
}

// Close closes the account at once, in the caller's transaction: its
// sessions end on every replica, sign-in stops working, and its personal
// data is erased from the account (the row stays, emptied, so the records
// that must outlive it still point somewhere). The last team account
// cannot be closed. The caller checks the password first
// (ConfirmPassword) and erases what other domains hold. Errors:
// ErrLastTeamMember, ErrNotFound (no such open account).
func (s *Service) Close(ctx context.Context, userID string) error {
	if uuid.Validate(userID) != nil {
		return ErrNotFound
	}
	return s.store.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.store.byID(ctx, userID)
		if err == nil && row.ClosedAt != nil {
			err = ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.keepTeam(ctx, userID, nil); err != nil {
			return err
		}
		if err := s.store.erase(ctx, row.ID, s.opts.Now().UTC()); err != nil {
			return err
		}
		if err := s.EndAllSessions(ctx, row.ID); err != nil {
			return err
		}
		return s.opts.Audit.Record(ctx, audit.Entry{Action: audit.AccountClosed, TargetType: "user", TargetID: row.ID, SubjectID: row.ID})
	})
}

// keepTeam refuses a change that would leave no team account: userID
// keeping only the roles in keep. It locks the team's role rows until the
// caller's transaction ends, so concurrent changes are decided one after
// the other. Errors: ErrLastTeamMember.
func (s *Service) keepTeam(ctx context.Context, userID string, keep []string) error {
	team, err := s.store.lockTeam(ctx)
	if err != nil {
		return err
	}
	for _, r := range keep {
		if r == RoleTeam {
			return nil
		}
	}
	for _, id := range team {
		if id != userID {
			return nil
		}
	}
	if len(team) == 0 { // no team at all (yet): nothing to keep
		return nil
	}
	return ErrLastTeamMember
}

// live is the caller's account, unless it is closed or gone. Errors:
// ErrInvalidToken.
func (s *Service) live(ctx context.Context, id string) (userRow, error) {
	row, err := s.store.byID(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && row.ClosedAt != nil) {
		return userRow{}, ErrInvalidToken
	}
	return row, err
}

// ResendVerification e-mails a new verification link to the caller unless
// the address is verified already; requests are throttled as password
// resets are. It reports whether a link was sent. Errors:
// *ThrottledError, ErrInvalidToken.
func (s *Service) ResendVerification(ctx context.Context, p Principal) (bool, error) {
	row, err := s.live(ctx, p.UserID)
	if err != nil || row.EmailVerified {
		return false, err
	}
	hits, retry, err := s.throttle.hit(ctx, "verify-resend:"+row.ID, time.Hour)
	if err != nil {
		return false, err
	}
	if hits > s.opts.ResetsPerEmail {
		return false, &ThrottledError{What: "verification e-mail", RetryAfter: retry}
	}
	return true, s.store.db.InTx(ctx, func(ctx context.Context) error {
		return s.sendLink(ctx, row.ID, purposeVerify, "/verify-email", verifyValidFor)
	})
}
