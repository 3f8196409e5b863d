package accounts

import (
	"slices"
	"time"
)

// Roles. Every registered user is a learner; team can do all an author can.
const (
	RoleLearner = "learner"
	RoleAuthor  = "author"
	RoleTeam    = "team"
	// RoleMentor supports participants of in-person programmes in their
	// practice phase (the mentoring domain).
	RoleMentor = "mentor"
)

var knownRoles = []string{RoleLearner, RoleAuthor, RoleTeam, RoleMentor}

// User is a registered person.
type User struct {
	ID           string   `json:"id"`
	Email        string   `json:"email"`
	GivenName    string   `json:"given_name"`
	FamilyName   string   `json:"family_name"`
	Municipality string   `json:"municipality"`
	Workplace    string   `json:"workplace"`
	Position     string   `json:"position"`
	Roles        []string `json:"roles"`
	// EmailVerified: the owner of the address opened a link sent to it
	// (verification or password reset). Only verified addresses receive
	// cohort announcements.
	EmailVerified bool `json:"email_verified"`
	// Announcements: the person wants the e-mails announcing cohorts
	// that open for enrolment.
	Announcements bool      `json:"announcements"`
	CreatedAt     time.Time `json:"created_at"`
	// ClosedAt is when the account was closed (its data erased); absent
	// while it is open.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// FullName is the name as printed on certificates.
func (u User) FullName() string { return u.GivenName + " " + u.FamilyName }

// Principal is the caller of a request, as established from its token.
type Principal struct {
	UserID string
	Roles  []string
	// token is the session's token as read, for ending it (Logout) or
	// keeping it (ChangePassword).
	token claims
}

// Has reports whether the principal holds role. Team holds every role.
func (p Principal) Has(role string) bool {
	return slices.Contains(p.Roles, role) || slices.Contains(p.Roles, RoleTeam)
}

// IsTeam reports whether the principal belongs to the project team.
func (p Principal) IsTeam() bool { return slices.Contains(p.Roles, RoleTeam) }

// Registration is what a person gives to open an account.
type Registration struct {
	Email        string `json:"email" validate:"required,email,max=254"`
	Password     string `json:"password" validate:"required,min=12,max=256"`
	GivenName    string `json:"given_name" validate:"required,max=100"`
	FamilyName   string `json:"family_name" validate:"required,max=100"`
	Municipality string `json:"municipality" validate:"required,max=100"`
	Workplace    string `json:"workplace" validate:"max=200"`
	Position     string `json:"position" validate:"max=200"`
}

// PasswordChange is a signed-in user's new password and the current one.
type PasswordChange struct {
	CurrentPassword string `json:"current_password" validate:"required"`
	Password        string `json:"password" validate:"required,min=12,max=256"`
}

// Session is the result of a successful login.
type Session struct {
	AccessToken string
	ExpiresIn   time.Duration
	User        User
}
