package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"mooc/audit"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/page"
	"mooc/internal/validation"
	"mooc/notify/outbox"
)

// Options tune the service; zero values take the defaults.
type Options struct {
	TokenSecret []byte
	TokenTTL    time.Duration
	// RegisterLimit caps registrations per client address per hour; 0 = none.
	RegisterLimit int
	// Failed logins allowed in a window per e-mail from one client address
	// (also wrong current passwords per account) and per client address.
	LoginFailuresPerEmail   int
	LoginFailuresPerAddress int
	LoginWindow             time.Duration
	// Password reset requests allowed per e-mail and per client address
	// in an hour.
	ResetsPerEmail   int
	ResetsPerAddress int
	// Outbox queues the verification and reset e-mails; nil sends none
	// (services built for other domains' tests).
	Outbox *outbox.Outbox
	// PublicURL is the base of the links in those e-mails.
	PublicURL string
	// PrivacyNoticeVersion is the privacy notice in force, recorded with
	// each registration as the one the person agreed to.
	PrivacyNoticeVersion string
	// Audit logs the team's actions on accounts; nil logs nothing.
	Audit *audit.Log
	// Hashing defaults to OWASPParams; tests may choose cheaper ones.
	Hashing *argon2id.Params
	Now     func() time.Time
	Log     *slog.Logger
}

// Service is the accounts domain.
type Service struct {
	store    store
	hasher   *hasher
	tokens   tokens
	checked  *checkedTokens
	throttle throttle
	revoked  *revocations
	opts     Options
}

// New builds the service.
func New(db *database.DB, o Options) (*Service, error) {
	if len(o.TokenSecret) < 32 {
		return nil, errors.New("accounts: token secret must be at least 32 bytes")
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 12 * time.Hour
	}
	if o.LoginFailuresPerEmail == 0 {
		o.LoginFailuresPerEmail = 5
	}
	if o.LoginFailuresPerAddress == 0 {
		// Higher than per e-mail: a whole municipal office may share one address.
		o.LoginFailuresPerAddress = 50
	}
	if o.LoginWindow == 0 {
		o.LoginWindow = 15 * time.Minute
	}
	if o.ResetsPerEmail == 0 {
		o.ResetsPerEmail = 5
	}
	if o.ResetsPerAddress == 0 {
		o.ResetsPerAddress = 50 // a municipal office shares one address
	}
	if o.Hashing == nil {
		o.Hashing = &OWASPParams
	}
	o.Now = clock.Or(o.Now)
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h, err := newHasher(*o.Hashing)
	if err != nil {
		return nil, err
	}
	return &Service{
		store:    store{db: db},
		hasher:   h,
		tokens:   tokens{secret: o.TokenSecret, ttl: o.TokenTTL, now: o.Now},
		checked:  newCheckedTokens(o.Now),
		throttle: throttle{db: db, now: o.Now},
		revoked:  newRevocations(db, o.Now),
		opts:     o,
	}, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// Register opens a learner account, its address not yet verified, and
// e-mails the link that verifies it. Errors: *validation.Error,
// *ThrottledError, ErrEmailTaken.
func (s *Service) Register(ctx context.Context, r Registration, clientAddr string) (User, error) {
	r.Email = normalizeEmail(r.Email)
	r.GivenName, r.FamilyName = strings.TrimSpace(r.GivenName), strings.TrimSpace(r.FamilyName)
	r.Municipality = strings.TrimSpace(r.Municipality)
	// Every problem at once: the form's and the password's (whose first
	// problem is its length, when it has that one).
	formErr := validation.Struct(r)
	var passwordErr error
	if !validation.Has(formErr, "password") {
		passwordErr = checkPassword(r.Password, person{Email: r.Email, GivenName: r.GivenName, FamilyName: r.FamilyName})
	}
	if err := validation.Join(formErr, passwordErr); err != nil {
		return User{}, err
	}
	if s.opts.RegisterLimit > 0 {
		// Counted before the e-mail check so that probing for taken
		// addresses uses up the allowance too.
		hits, retry, err := s.throttle.hit(ctx, "register:"+clientAddr, time.Hour)
		if err != nil {
			return User{}, err
		}
		if hits > s.opts.RegisterLimit {
			return User{}, &ThrottledError{What: "register", RetryAfter: retry}
		}
	}
	hash, err := s.hasher.hash(r.Password)
	if err != nil {
		return User{}, err
	}
	now := s.opts.Now().UTC()
	row := userRow{
		ID: uuid.NewString(), Email: r.Email, PasswordHash: hash,
		GivenName: r.GivenName, FamilyName: r.FamilyName, Municipality: r.Municipality,
		Workplace: strings.TrimSpace(r.Workplace), Position: strings.TrimSpace(r.Position),
		Announcements: true, PrivacyNoticeVersion: s.opts.PrivacyNoticeVersion, PrivacyAcceptedAt: &now,
		CreatedAt: now, UpdatedAt: now,
	}
	roles := []string{RoleLearner}
	err = s.store.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.insert(ctx, row, roles); err != nil {
			return err
		}
		return s.sendLink(ctx, row.ID, purposeVerify, "/verify-email", verifyValidFor)
	})
	if err != nil {
		return User{}, err
	}
	return toUser(row, roles), nil
}

// Authenticate turns an access token into the caller; it is the one place
// that decides whether a token is still good. Errors: ErrInvalidToken.
//
// A token must be signed by us, unexpired, and its session not ended: no
// logout of it, no password change or reset (or closed account) since it
// was issued. Ended sessions are read from the replica's copy of the
// revocations (see revocations), which another replica's writes reach
// within a second, so this costs no query per request. The token's own
// check (signature, issuer, expiry) is remembered for a second
// (checkedTokens); whether its session ended is asked every time.
//
// A token that names its holder a learner and nothing more is then
// believed without a look-up: learner is never taken away and a closed
// account's sessions are ended, so the database could only hold more
// roles, which come with the next sign-in. Every learner's request thus
// saves a query, and a burst of a cohort's learners (enrolling, submitting
// a test) needs one statement fewer each. A token naming author or team is
// checked against the database on every request, so taking those roles
// away applies at once.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	c, err := s.checked.parse(token, s.tokens.parse)
	if err != nil {
		return Principal{}, err
	}
	ended, err := s.revoked.revoked(ctx, c)
	if err != nil {
		return Principal{}, err
	}
	if ended {
		return Principal{}, ErrInvalidToken
	}
	id := c.Subject
	if slices.Equal(c.Roles, []string{RoleLearner}) {
		return Principal{UserID: id, Roles: c.Roles, token: c}, nil
	}
	roles, err := s.store.roles(ctx, id)
	if err != nil {
		return Principal{}, err
	}
	if len(roles[id]) == 0 { // every live account has at least learner
		return Principal{}, ErrInvalidToken
	}
	return Principal{UserID: id, Roles: roles[id], token: c}, nil
}

// Logout ends the session of the token the caller used, on this replica
// at once and on every other within a second.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.token.Subject == "" {
		return ErrInvalidToken
	}
	row, err := s.endToken(ctx, p.token)
	if err != nil {
		return err
	}
	s.revoked.add(row)
	return nil
}

// ChangePassword sets a new password for the signed-in user after checking
// the current one, and ends every other session of theirs; the one used
// goes on. Wrong current passwords are throttled as failed logins are, per
// account. Errors: ErrWrongPassword, *validation.Error, *ThrottledError,
// ErrInvalidToken (the account is gone).
func (s *Service) ChangePassword(ctx context.Context, p Principal, in PasswordChange) error {
	if err := validation.Struct(in); err != nil {
		return err
	}
	row, err := s.live(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.checkOwnPassword(ctx, row, in.CurrentPassword, "password change"); err != nil {
		return err
	}
	if err := checkPassword(in.Password, personOf(row)); err != nil {
		return err
	}
	hash, err := s.hasher.hash(in.Password)
	if err != nil {
		return err
	}
	var ended revocationRow
	err = s.store.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.setPassword(ctx, row.ID, hash, s.opts.Now().UTC()); err != nil {
			return err
		}
		ended, err = s.endSessions(ctx, row.ID, p.token.ID)
		return err
	})
	if err != nil {
		return err
	}
	s.revoked.add(ended)
	return nil
}

// Get returns one user. Errors: ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (User, error) {
	if uuid.Validate(id) != nil {
		return User{}, ErrNotFound
	}
	row, err := s.store.byID(ctx, id)
	if err != nil {
		return User{}, err
	}
	return s.withRoles(ctx, row)
}

// SetRoles replaces a user's roles; learner is always kept, and the last
// team account keeps team. The change is audited. Errors: ErrNotFound,
// *validation.Error, ErrLastTeamMember.
func (s *Service) SetRoles(ctx context.Context, id string, roles []string) (User, error) {
	want := []string{RoleLearner}
	for i, r := range roles {
		if !slices.Contains(knownRoles, r) {
			return User{}, validation.Fail(validation.Field(fmt.Sprintf("roles[%d]", i), "must be one of: "+strings.Join(knownRoles, ", ")))
		}
		if !slices.Contains(want, r) {
			want = append(want, r)
		}
	}
	slices.Sort(want)
	err := s.store.db.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if before.ClosedAt != nil {
			return ErrNotFound // a closed account has no roles to give
		}
		if err := s.keepTeam(ctx, id, want); err != nil {
			return err
		}
		if slices.Equal(before.Roles, want) {
			return nil
		}
		if err := s.store.replaceRoles(ctx, id, want); err != nil {
			return err
		}
		return s.opts.Audit.Record(ctx, audit.Entry{Action: audit.RolesChanged, TargetType: "user", TargetID: id, SubjectID: id,
			Details: map[string]any{"from": before.Roles, "to": want}})
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}

// Search lists users whose e-mail contains query. Errors: page.ErrBadCursor.
func (s *Service) Search(ctx context.Context, query string, limit int, cursor string) ([]User, string, error) {
	after, err := page.Decode(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	rows, err := s.store.search(ctx, normalizeEmail(query), p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r userRow) []string { return []string{r.Email} })
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	roles, err := s.store.roles(ctx, ids...)
	if err != nil {
		return nil, "", err
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = toUser(r, roles[r.ID])
	}
	return users, next, nil
}

// Bootstrap creates the project team's first account unless one with that
// e-mail exists. It reports whether it created one.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (bool, error) {
	email = normalizeEmail(email)
	if exists, err := s.store.exists(ctx, email); err != nil || exists {
		return false, err
	}
	// The team's account opens everything: its password meets every rule
	// a learner's does.
	if err := newPassword(password, person{Email: email, GivenName: "Project", FamilyName: "Team"}); err != nil {
		var v *validation.Error
		if errors.As(err, &v) && len(v.Fields) > 0 {
			return false, fmt.Errorf("accounts: MOOC_BOOTSTRAP_PASSWORD %s", v.Fields[0].Message)
		}
		return false, err
	}
	hash, err := s.hasher.hash(password)
	if err != nil {
		return false, err
	}
	now := s.opts.Now().UTC()
	// The operator chose the address: it counts as verified.
	row := userRow{ID: uuid.NewString(), Email: email, PasswordHash: hash, GivenName: "Project", FamilyName: "Team", EmailVerified: true, CreatedAt: now, UpdatedAt: now}
	err = s.store.insert(ctx, row, []string{RoleLearner, RoleTeam})
	if errors.Is(err, ErrEmailTaken) { // another replica won the race
		return false, nil
	}
	return err == nil, err
}

func (s *Service) withRoles(ctx context.Context, row userRow) (User, error) {
	roles, err := s.store.roles(ctx, row.ID)
	if err != nil {
		return User{}, err
	}
	return toUser(row, roles[row.ID]), nil
}

func toUser(r userRow, roles []string) User {
	if roles == nil {
		roles = []string{}
	}
	return User{
		ID: r.ID, Email: r.Email, GivenName: r.GivenName, FamilyName: r.FamilyName,
		Municipality: r.Municipality, Workplace: r.Workplace, Position: r.Position,
		Roles: roles, EmailVerified: r.EmailVerified, Announcements: r.Announcements, CreatedAt: r.CreatedAt.UTC(),
		ClosedAt: utcOrNil(r.ClosedAt),
	}
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// WithRole lists the open accounts given role itself (the team's
// every-role shorthand of Principal.Has does not count), by name.
func (s *Service) WithRole(ctx context.Context, role string) ([]User, error) {
	rows, err := s.store.withRole(ctx, role)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	roles, err := s.store.roles(ctx, ids...)
	if err != nil {
		return nil, err
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = toUser(r, roles[r.ID])
	}
	return users, nil
}

// Users returns the users with the given ids (for lists and reports that
// name people); unknown ids are left out.
func (s *Service) Users(ctx context.Context, ids []string) (map[string]User, error) {
	out := map[string]User{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.store.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	roles, err := s.store.roles(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = toUser(r, roles[r.ID])
	}
	return out, nil
}
