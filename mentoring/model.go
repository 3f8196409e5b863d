package mentoring

import (
	"errors"
	"time"
)

// Modes of mentoring.
const (
	Individual = "individual" // 1:1
	Group      = "group"      // in the mentor's group of up to three
)

// MonthlyMinutes is the least a participant should have a month.
const MonthlyMinutes = 120

// Assignment is the team's choice of a participant's mentor and mode.
type Assignment struct {
	MentorID string `json:"mentor_id" validate:"required,uuid"`
	Mode     string `json:"mode" validate:"required,oneof=individual group"`
}

// Mentoring is a participant's mentor in a programme.
type Mentoring struct {
	ProgrammeID   string    `json:"programme_id"`
	ParticipantID string    `json:"participant_id"`
	MentorID      string    `json:"mentor_id"`
	Mode          string    `json:"mode"`
	AssignedAt    time.Time `json:"assigned_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// SessionForm is a session as its mentor (or the team) logs it.
type SessionForm struct {
	ParticipantIDs []string   `json:"participant_ids" validate:"required,min=1,max=4,unique,dive,uuid"`
	Minutes        *int       `json:"minutes" validate:"required,min=1,max=600"`
	HeldAt         *time.Time `json:"held_at" validate:"required"`
}

// Session is a logged mentoring session.
type Session struct {
	ID             string    `json:"id"`
	ProgrammeID    string    `json:"programme_id"`
	MentorID       string    `json:"mentor_id"`
	LoggedBy       string    `json:"logged_by"`
	ParticipantIDs []string  `json:"participant_ids"`
	Minutes        int       `json:"minutes"`
	HeldAt         time.Time `json:"held_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// Month is a participant's minutes in one calendar month in Riga.
type Month struct {
	Month   string `json:"month"` // YYYY-MM
	Minutes int    `json:"minutes"`
	// Short: fewer than MonthlyMinutes (the current month too, as a
	// reminder while it runs).
	Short bool `json:"short"`
}

// Person names someone in the overview.
type Person struct {
	ID         string `json:"id"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// Participant is one participant's line of the overview.
type Participant struct {
	Participant Person    `json:"participant"`
	Mentor      Person    `json:"mentor"`
	Mode        string    `json:"mode"`
	AssignedAt  time.Time `json:"assigned_at"`
	Months      []Month   `json:"months"`
}

// Overview is a programme's mentoring as the caller may see it.
type Overview struct {
	ProgrammeID  string        `json:"programme_id"`
	Participants []Participant `json:"participants"`
}

var (
	ErrMentorFull         = errors.New("mentoring: the mentor has no place left of this kind")
	ErrForbidden          = errors.New("mentoring: only the team and the programme's mentors")
	ErrNotYourParticipant = errors.New("mentoring: not the mentor's participant")
)
