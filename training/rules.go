package training

import (
	"strconv"
	"strings"
	"time"

	"mooc/internal/lv"
	"mooc/internal/validation"
)

// FirstYear is the earliest year a record is asked for: the platform's
// training began after it.
const FirstYear = 2015

// YearOf is the calendar year of t in Riga: a certificate issued on New
// Year's Eve at 23:30 UTC counts in the year that has begun in Latvia.
func YearOf(t time.Time) int { return t.In(lv.Riga).Year() }

// YearBounds are the first moment of a Riga year and of the next one.
func YearBounds(year int) (from, to time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, lv.Riga).UTC(), time.Date(year+1, 1, 1, 0, 0, 0, 0, lv.Riga).UTC()
}

// ParseYear reads the year asked for: absent, the current year in Riga;
// else a whole year from FirstYear to the next year (a plan for the coming
// year may be looked at in December).
func ParseYear(s string, now time.Time) (int, error) {
	current := YearOf(now)
	s = strings.TrimSpace(s)
	if s == "" {
		return current, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < FirstYear || y > current+1 {
		return 0, validation.Fail(validation.Field("year", "must be a year from "+strconv.Itoa(FirstYear)+" to "+strconv.Itoa(current+1)))
	}
	return y, nil
}

// counted is a certificate as the record sees it.
type counted struct {
	Code          string
	Kind          string // the certificate's: course or programme
	Title         string
	Hours         int  // stated on the certificate: an online course's effort hours
	AttendedHours *int // an in-person participant's, from the programme's record
	CompletedAt   *time.Time
	IssuedAt      time.Time
	RevokedAt     *time.Time
}

// item is what a certificate counts for, and false when it counts for
// nothing (revoked, or no hours).
func item(c counted) (Item, bool) {
	if c.RevokedAt != nil {
		return Item{}, false
	}
	it := Item{Title: c.Title, CertificateCode: c.Code}
	switch c.Kind {
	case "course":
		it.Kind, it.Hours, it.CompletedAt = Online, c.Hours, c.IssuedAt
		if c.CompletedAt != nil {
			it.CompletedAt = *c.CompletedAt
		}
	case "programme":
		it.Kind, it.CompletedAt = InPerson, c.IssuedAt
		if c.AttendedHours != nil {
			it.Hours = *c.AttendedHours
		}
	default:
		return Item{}, false
	}
	it.CompletedAt = it.CompletedAt.UTC()
	return it, it.Hours > 0
}

// total adds up the hours of the items.
func total(items []Item) int {
	n := 0
	for _, it := range items {
		n += it.Hours
	}
	return n
}

// Years are the years a record may be asked for now, newest first.
func Years(now time.Time) []int {
	var out []int
	for y := YearOf(now) + 1; y >= FirstYear; y-- {
		out = append(out, y)
	}
	return out
}
