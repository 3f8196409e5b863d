package programmes

import (
	"errors"
	"time"

	"mooc/internal/lv"
)

// Planning regions of Latvia.
var Regions = []string{"Rīga", "Vidzeme", "Kurzeme", "Zemgale", "Latgale"}

// Application statuses.
const (
	Applied    = "applied"
	Accepted   = "accepted"
	Waitlisted = "waitlisted"
	Withdrawn  = "withdrawn"
)

// Programme is one run of an in-person training programme.
type Programme struct {
	ID                  string     `json:"id"`
	MethodologyID       string     `json:"methodology_id"`
	Title               string     `json:"title"`
	Hours               int        `json:"hours"`
	GroupSize           int        `json:"group_size"`
	Location            string     `json:"location"`
	Region              string     `json:"region"`
	StartsAt            time.Time  `json:"starts_at"`
	EndsAt              time.Time  `json:"ends_at"`
	ApplicationsOpenAt  time.Time  `json:"applications_open_at"`
	ApplicationsCloseAt time.Time  `json:"applications_close_at"`
	ApplicationsOpen    bool       `json:"applications_open"`
	CompletionPercent   int        `json:"completion_percent"`
	AllocatedAt         *time.Time `json:"allocated_at,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

// Fields is the create body and, every field optional, the edit body.
type Fields struct {
	MethodologyID       *string    `json:"methodology_id"`
	Title               *string    `json:"title" validate:"omitempty,min=1,max=300"`
	Hours               *int       `json:"hours" validate:"omitempty,min=88,max=100"`
	GroupSize           *int       `json:"group_size" validate:"omitempty,min=1,max=100"`
	Location            *string    `json:"location" validate:"omitempty,min=1,max=300"`
	Region              *string    `json:"region" validate:"omitempty,oneof=Rīga Vidzeme Kurzeme Zemgale Latgale"`
	StartsAt            *time.Time `json:"starts_at"`
	EndsAt              *time.Time `json:"ends_at"`
	ApplicationsOpenAt  *time.Time `json:"applications_open_at"`
	ApplicationsCloseAt *time.Time `json:"applications_close_at"`
	CompletionPercent   *int       `json:"completion_percent" validate:"omitempty,min=1,max=100"`
}

// Application is a social worker's request for a seat.
type Application struct {
	ID               string    `json:"id"`
	ProgrammeID      string    `json:"programme_id"`
	UserID           string    `json:"user_id"`
	Municipality     string    `json:"municipality"`
	TookPartInPilot  bool      `json:"took_part_in_pilot"`
	Status           string    `json:"status"`
	WaitlistPosition *int      `json:"waitlist_position,omitempty"`
	AttendedHours    int       `json:"attended_hours"`
	AppliedAt        time.Time `json:"applied_at"`
}

// ApplicationForm is what an applicant tells.
type ApplicationForm struct {
	Municipality    string `json:"municipality" validate:"required,max=100"`
	TookPartInPilot *bool  `json:"took_part_in_pilot" validate:"required"`
}

// Allocation is the result of giving out a programme's seats.
type Allocation struct {
	Accepted   []Application `json:"accepted"`
	Waitlisted []Application `json:"waitlisted"`
}

// Attendance is a participant's attended hours and what they earned.
type Attendance struct {
	UserID          string `json:"user_id"`
	ApplicationID   string `json:"application_id"`
	AttendedHours   int    `json:"attended_hours"`
	RequiredHours   int    `json:"required_hours"`
	Completed       bool   `json:"completed"`
	CertificateCode string `json:"certificate_code,omitempty"`
}

// AttendanceUpdate is the team's record of hours attended.
type AttendanceUpdate struct {
	Hours *int `json:"hours" validate:"required,min=0,max=100"`
}

var (
	ErrNotFound           = errors.New("programmes: not found")
	ErrApplicationsClosed = errors.New("programmes: applications are not open")
	ErrAlreadyApplied     = errors.New("programmes: already applied")
	ErrApplicationsOpen   = errors.New("programmes: applications are still open")
	ErrNoFreeSeat         = errors.New("programmes: the group is full")
	ErrNotParticipant     = errors.New("programmes: not an accepted participant")
	ErrNotWaitlisted      = errors.New("programmes: the application is not on the waitlist")
	ErrNotStarted         = errors.New("programmes: the programme has not started")
	ErrGroupBelowAccepted = errors.New("programmes: more participants are accepted than the new group size allows")
)

// AttendanceCorrected is the revocation reason of a certificate whose
// attendance was lowered below the completion threshold.
const AttendanceCorrected = "attendance corrected"

// RequiredHours is the attendance rule for a programme's certificate: at
// least percent of its hours, rounded up to a whole hour (90 % of 96 hours
// is 86.4, so 87). The completions report states the same rule in SQL
// (hours attended × 100 ≥ hours × percent), and tests hold the two to the
// boundary.
func RequiredHours(hours, percent int) int { return (hours*percent + 99) / 100 }

// HoursHeld is how many of a programme's hours have been held by now, the
// most attendance anyone can have: none before it starts, all of them once
// it has ended, and in between the hours spread evenly over its calendar
// days in Riga (from the day of starts_at to the day of ends_at), the
// current day counting whole, rounded up to a whole hour. A coordinator
// records a day's attendance on that day's evening, and never more than
// the sessions held.
func HoursHeld(hours int, startsAt, endsAt, now time.Time) int {
	switch {
	case now.Before(startsAt):
		return 0
	case !now.Before(endsAt):
		return hours
	}
	first, last, today := rigaDay(startsAt), rigaDay(endsAt), rigaDay(now)
	days := int(last.Sub(first).Hours()/24) + 1
	elapsed := min(int(today.Sub(first).Hours()/24)+1, days)
	return (hours*elapsed + days - 1) / days
}

// rigaDay is the calendar day of t in Riga, as midnight UTC of that date,
// so that days subtract without daylight-saving steps.
func rigaDay(t time.Time) time.Time {
	y, m, d := t.In(lv.Riga).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
