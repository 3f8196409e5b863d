// Package mentoring owns the practice phase that follows an in-person
// programme: which mentor (a user with the mentor role) supports which
// participant (who holds a seat in the programme), alone or in the
// mentor's group, under the limits of a mentor's load (Fits); the
// sessions a mentor or the team logs; and each participant's minutes per
// calendar month in Riga, months under two hours flagged as short. A
// mentor sees only their own participants and sessions. A person's
// mentoring is in their data export (personal.go); closing an account
// ends its mentorings, and the logged sessions stay as the programme's
// record, as attendance does.
package mentoring
