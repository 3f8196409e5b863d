package credentials

import (
	"errors"
	"time"
)

// ListSize is the number of entries of every status list: the 131,072
// (16 KiB) the Bitstring Status List recommends at the least, so that one
// revoked credential hides among many.
const ListSize = 131072

// MaxPasted is the largest credential Verify reads.
const MaxPasted = 64 << 10

// MediaCredential is the media type of a credential and a status list.
const MediaCredential = "application/ld+json"

// ErrUnknownList: no status list has that number.
var ErrUnknownList = errors.New("credentials: no such status list")

// Why a pasted credential is not valid (Verdict.Reason).
const (
	ReasonTooLarge      = "too_large"        // over MaxPasted bytes
	ReasonNotJSON       = "not_json"         // not a JSON object
	ReasonNotCredential = "not_a_credential" // JSON, but not one of our OpenBadgeCredentials
	ReasonOtherIssuer   = "other_issuer"     // issued by someone else
	ReasonBadProof      = "bad_proof"        // the proof is missing, broken, or the credential was changed
	ReasonUnknownStatus = "unknown_status"   // no status entry, or one naming no certificate of ours
	ReasonRevoked       = "revoked"          // the certificate was revoked
)

// Reasons are every Reason a Verdict may give.
var Reasons = []string{ReasonTooLarge, ReasonNotJSON, ReasonNotCredential, ReasonOtherIssuer, ReasonBadProof, ReasonUnknownStatus, ReasonRevoked}

// Verdict is what Verify says of a pasted credential. The certificate's
// fields are given once the proof holds.
type Verdict struct {
	Valid bool `json:"valid"`
	// Reason is one of the Reason… words when Valid is false.
	Reason string `json:"reason,omitempty"`
	// Detail says the reason in English, for a person.
	Detail           string     `json:"detail,omitempty"`
	Code             string     `json:"code,omitempty"`
	HolderName       string     `json:"holder_name,omitempty"`
	CourseTitle      string     `json:"course_title,omitempty"`
	Hours            int        `json:"hours,omitempty"`
	IssuedAt         *time.Time `json:"issued_at,omitempty"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
}
