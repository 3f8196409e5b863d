package training

import (
	"errors"
	"testing"
	"time"

	"mooc/internal/validation"
)

// The year is Riga's: two hours ahead of UTC in winter.
func TestYearOf(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 12, 31, 21, 59, 59, 0, time.UTC), 2026},
		{time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC), 2027},
		{time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), 2027},
	} {
		if got := YearOf(c.at); got != c.want {
			t.Errorf("%v: %d, want %d", c.at, got, c.want)
		}
	}
	from, to := YearBounds(2027)
	if !from.Equal(time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2027, 12, 31, 22, 0, 0, 0, time.UTC)) {
		t.Fatalf("2027 runs %v to %v", from, to)
	}
}

func TestParseYear(t *testing.T) {
	now := time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC) // already 2027 in Riga
	for in, want := range map[string]int{"": 2027, " 2015 ": 2015, "2027": 2027, "2028": 2028} {
		if got, err := ParseYear(in, now); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"2014", "2029", "abc", "2027.0", "+", "99999999999999999999"} {
		_, err := ParseYear(bad, now)
		var v *validation.Error
		if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "year" {
			t.Errorf("%q: %v, want a problem naming year", bad, err)
		}
	}
}

// What each certificate counts for: revoked ones and kinds unknown count
// nothing; an online course its stated hours on the day completed (the
// issue day for certificates from before that was recorded); a programme
// the hours attended, on the day its certificate was issued.
func TestItem(t *testing.T) {
	completed, issued := time.Date(2026, 12, 31, 21, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	attended := 91
	for _, c := range []struct {
		name string
		in   counted
		want Item
		ok   bool
	}{
		{"online", counted{Code: "A", Kind: "course", Hours: 12, CompletedAt: &completed, IssuedAt: issued},
			Item{Kind: Online, Hours: 12, CompletedAt: completed, CertificateCode: "A"}, true},
		{"online before completed_at", counted{Code: "B", Kind: "course", Hours: 12, IssuedAt: issued},
			Item{Kind: Online, Hours: 12, CompletedAt: issued, CertificateCode: "B"}, true},
		{"in person", counted{Code: "C", Kind: "programme", Hours: 96, AttendedHours: &attended, CompletedAt: &completed, IssuedAt: issued},
			Item{Kind: InPerson, Hours: 91, CompletedAt: issued, CertificateCode: "C"}, true},
		{"in person, no seat found", counted{Code: "D", Kind: "programme", Hours: 96, IssuedAt: issued}, Item{}, false},
		{"revoked", counted{Code: "E", Kind: "course", Hours: 12, IssuedAt: issued, RevokedAt: &issued}, Item{}, false},
		{"unknown kind", counted{Code: "F", Kind: "webinar", Hours: 2, IssuedAt: issued}, Item{}, false},
	} {
		got, ok := item(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
