// Package certificates owns the completion certificates ("apliecinājumi"):
// who is eligible, issuing exactly one per completed enrolment (or
// in-person programme place), the Latvian PDF with its verification QR
// code, kept in object storage, public verification by code, revocation,
// and issuing a whole cohort's certificates as a background job.
package certificates
