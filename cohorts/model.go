package cohorts

import "time"

// Enrolment statuses.
const (
	Enrolled   = "enrolled"
	Waitlisted = "waitlisted"
	Withdrawn  = "withdrawn"
)

// MaxCohort is the programme's cap on one online cohort.
const MaxCohort = 200

// Cohort is one run of a published course with its own enrolment window.
type Cohort struct {
	ID                string    `json:"id"`
	CourseID          string    `json:"course_id"`
	Title             string    `json:"title"`
	Capacity          int       `json:"capacity"`
	EnrolledCount     int       `json:"enrolled_count"`
	WaitlistCount     int       `json:"waitlist_count"`
	EnrolmentOpensAt  time.Time `json:"enrolment_opens_at"`
	EnrolmentClosesAt time.Time `json:"enrolment_closes_at"`
	StartsAt          time.Time `json:"starts_at"`
	EndsAt            time.Time `json:"ends_at"`
	EnrolmentOpen     bool      `json:"enrolment_open"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// NewCohort is the body that opens a cohort of a course.
type NewCohort struct {
	Title             string     `json:"title" validate:"required,max=300"`
	Capacity          *int       `json:"capacity" validate:"omitempty,min=1,max=200"`
	EnrolmentOpensAt  *time.Time `json:"enrolment_opens_at" validate:"required"`
	EnrolmentClosesAt *time.Time `json:"enrolment_closes_at" validate:"required"`
	StartsAt          *time.Time `json:"starts_at" validate:"required"`
}

// CohortChange edits a cohort's title, window or capacity.
type CohortChange struct {
	Title             *string    `json:"title" validate:"omitempty,min=1,max=300"`
	Capacity          *int       `json:"capacity" validate:"omitempty,min=1,max=200"`
	EnrolmentOpensAt  *time.Time `json:"enrolment_opens_at"`
	EnrolmentClosesAt *time.Time `json:"enrolment_closes_at"`
}

// Enrolment is a learner's place in a cohort.
type Enrolment struct {
	ID               string     `json:"id"`
	CohortID         string     `json:"cohort_id"`
	CourseID         string     `json:"course_id"`
	UserID           string     `json:"user_id"`
	Status           string     `json:"status"`
	WaitlistPosition *int       `json:"waitlist_position,omitempty"`
	EnrolledAt       *time.Time `json:"enrolled_at,omitempty"`
	WithdrawnAt      *time.Time `json:"withdrawn_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	Progress         *Progress  `json:"progress,omitempty"`
}

// Progress sums up how far a learner is.
type Progress struct {
	LessonsCompleted    int  `json:"lessons_completed"`
	LessonsTotal        int  `json:"lessons_total"`
	TestsPassed         int  `json:"tests_passed"`
	Percent             int  `json:"percent"`
	CertificateEligible bool `json:"certificate_eligible"`
}

// LessonProgress is where a learner is in one lesson. WatchedPercent is
// the share of a video lesson's video watched (video lessons of a known
// length only).
type LessonProgress struct {
	LessonID        string     `json:"lesson_id"`
	PositionSeconds float64    `json:"position_seconds"`
	WatchedPercent  *int       `json:"watched_percent,omitempty"`
	Completed       bool       `json:"completed"`
	CompletedAt     *time.Time `json:"completed_at,omitempty"`
	// UpdatedAt is when the learner last reported; absent before the
	// first report.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// ProgressUpdate is what the player reports: the position in seconds
// (fractions welcome) and, once done, completed.
type ProgressUpdate struct {
	PositionSeconds float64 `json:"position_seconds" validate:"min=0,max=86400"`
	Completed       bool    `json:"completed"`
}

// Playback is a short-lived way to watch a lesson.
type Playback struct {
	URL         string            `json:"url"`
	ExpiresAt   time.Time         `json:"expires_at"`
	ContentType string            `json:"content_type"`
	Captions    []CaptionPlayback `json:"captions"`
}

// CaptionPlayback is a short-lived link to one captions file.
type CaptionPlayback struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}
