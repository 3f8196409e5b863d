// Package programmes owns the in-person training programmes (klātienes
// mācības) of 88 to 100 academic hours: their application windows,
// allocation of the group's seats (first to social workers whose
// municipality did not take part in the methodology's pilot, then by
// application time), attendance, and the certificate a participant earns
// by attending enough of the hours. Allocations, acceptances and
// attendance are on the audit log. The team's list of applications names
// each person (read from accounts through People), filters and sorts, and
// its downloads are logged as exports of personal data (list.go). A
// person's applications are part of their data export, and are withdrawn
// when their account closes (personal.go).
package programmes
