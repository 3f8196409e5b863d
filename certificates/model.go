package certificates

import (
	"errors"
	"time"

	"mooc/internal/validation"
)

// Certificate is an issued certificate as its holder and the team see it.
type Certificate struct {
	ID               string    `json:"id"`
	Code             string    `json:"code"`
	HolderName       string    `json:"holder_name"`
	Kind             string    `json:"kind"`
	CourseTitle      string    `json:"course_title"`
	MethodologyTitle string    `json:"methodology_title"`
	Hours            int       `json:"hours"`
	From             time.Time `json:"from"`
	To               time.Time `json:"to"`
	// CompletedAt is when the last requirement was met (the last lesson
	// or the final test passed; the attendance reaching the threshold);
	// absent on certificates issued before it was recorded.
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
	IssuedAt         time.Time  `json:"issued_at"`
	PDFURL           string     `json:"pdf_url"`
	VerifyURL        string     `json:"verify_url"`
	CredentialURL    string     `json:"credential_url"` // the verifiable credential, for a wallet
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
	UserID           string     `json:"-"`
}

// Verification is what anyone may learn from a code: no more personal
// data than the name, the course, the hours and the date.
type Verification struct {
	Valid            bool       `json:"valid"`
	Code             string     `json:"code"`
	HolderName       string     `json:"holder_name"`
	CourseTitle      string     `json:"course_title"`
	Hours            int        `json:"hours"`
	IssuedAt         time.Time  `json:"issued_at"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
}

// Revocation is the team's reason for withdrawing a certificate.
type Revocation struct {
	Reason string `json:"reason" validate:"required,max=1000"`
}

// Job is a bulk issue of a cohort's certificates running in the background.
type Job struct {
	ID          string     `json:"id"`
	CohortID    string     `json:"cohort_id"`
	Status      string     `json:"status"`
	Total       int        `json:"total"`
	Issued      int        `json:"issued"`
	Existing    int        `json:"existing"`
	NotEligible int        `json:"not_eligible"`
	Failed      int        `json:"failed"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// Job statuses.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
)

// Sources of certificates.
const (
	SourceEnrolment   = "enrolment"
	SourceParticipant = "programme_participant"
)

var (
	ErrNotFound = errors.New("certificates: not found")
	ErrRevoked  = errors.New("certificates: the certificate is revoked")
)

// NotEligibleError lists what keeps a learner from a certificate.
type NotEligibleError struct{ Missing []validation.FieldError }

func (e *NotEligibleError) Error() string { return "certificates: not eligible" }
