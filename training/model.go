package training

import "time"

// Kinds of training.
const (
	Online   = "online"
	InPerson = "in_person"
)

// Record is one person's training in one calendar year.
type Record struct {
	Year          int    `json:"year"`
	RequiredHours int    `json:"required_hours"`
	Hours         int    `json:"hours"`
	Items         []Item `json:"items"`
	// Person is the name the transcript is made out to.
	Person string `json:"-"`
}

// Item is one completed course or programme.
type Item struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Hours int    `json:"hours"`
	// CompletedAt is the moment the item counts on: the day it falls on
	// in Riga decides its year.
	CompletedAt     time.Time `json:"completed_at"`
	CertificateCode string    `json:"certificate_code"`
	VerifyURL       string    `json:"-"`
}
