package lv

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRiga(t *testing.T) {
	if Riga.String() != "Europe/Riga" {
		t.Fatalf("Riga is %q", Riga)
	}
	for _, c := range []struct {
		at     time.Time
		offset int
	}{
		{time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), 2 * 3600},
		{time.Date(2026, time.July, 15, 12, 0, 0, 0, time.UTC), 3 * 3600},
	} {
		if _, off := c.at.In(Riga).Zone(); off != c.offset {
			t.Errorf("offset at %s = %d, want %d", c.at, off, c.offset)
		}
	}
}

func TestDate(t *testing.T) {
	for _, c := range []struct {
		name     string
		at       time.Time
		nom, loc string
	}{
		// 00:00 on 2 March in Riga is 22:00 on 1 March in UTC (winter, UTC+2).
		{"winter Riga midnight", time.Date(2026, time.March, 1, 22, 0, 0, 0, time.UTC), "2026. gada 2. marts", "2026. gada 2. martā"},
		{"winter last second of the day before", time.Date(2026, time.March, 1, 21, 59, 59, 0, time.UTC), "2026. gada 1. marts", "2026. gada 1. martā"},
		// 00:00 on 5 October in Riga is 21:00 on 4 October in UTC (summer, UTC+3).
		{"summer Riga midnight", time.Date(2026, time.October, 4, 21, 0, 0, 0, time.UTC), "2026. gada 5. oktobris", "2026. gada 5. oktobrī"},
		{"summer last second of the day before", time.Date(2026, time.October, 4, 20, 59, 59, 0, time.UTC), "2026. gada 4. oktobris", "2026. gada 4. oktobrī"},
		{"summer late evening UTC", time.Date(2026, time.June, 30, 22, 30, 0, 0, time.UTC), "2026. gada 1. jūlijs", "2026. gada 1. jūlijā"},
		{"new year in Riga, still the old one in UTC", time.Date(2026, time.December, 31, 22, 0, 0, 0, time.UTC), "2027. gada 1. janvāris", "2027. gada 1. janvārī"},
		{"UTC midnight", time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC), "2027. gada 1. janvāris", "2027. gada 1. janvārī"},
		{"a time already in Riga", time.Date(2026, time.March, 2, 0, 0, 0, 0, Riga), "2026. gada 2. marts", "2026. gada 2. martā"},
		{"a time in another zone", time.Date(2026, time.March, 1, 17, 0, 0, 0, time.FixedZone("EST", -5*3600)), "2026. gada 2. marts", "2026. gada 2. martā"},
		// Clocks go forward at 03:00 on the last Sunday of March and back at
		// 04:00 on the last Sunday of October.
		{"spring forward", time.Date(2026, time.March, 29, 1, 0, 0, 0, time.UTC), "2026. gada 29. marts", "2026. gada 29. martā"},
		{"fall back", time.Date(2026, time.October, 25, 1, 0, 0, 0, time.UTC), "2026. gada 25. oktobris", "2026. gada 25. oktobrī"},
	} {
		if got := Date(c.at); got != c.nom {
			t.Errorf("%s: Date(%s) = %q, want %q", c.name, c.at, got, c.nom)
		}
		if got := DateIn(c.at); got != c.loc {
			t.Errorf("%s: DateIn(%s) = %q, want %q", c.name, c.at, got, c.loc)
		}
	}
}

func TestMonths(t *testing.T) {
	nom := []string{"janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs",
		"jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris"}
	loc := []string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā",
		"jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"}
	for i := range nom {
		at := time.Date(2026, time.Month(i+1), 23, 12, 0, 0, 0, time.UTC)
		if got, want := Date(at), "2026. gada 23. "+nom[i]; got != want {
			t.Errorf("Date(%s) = %q, want %q", at, got, want)
		}
		if got, want := DateIn(at), "2026. gada 23. "+loc[i]; got != want {
			t.Errorf("DateIn(%s) = %q, want %q", at, got, want)
		}
	}
}

// Whatever the instant, the two forms name the same day: only the ending of
// the month differs. Every half hour of two years, both clock changes
// included.
func TestDateAndDateInAgree(t *testing.T) {
	end := time.Date(2028, time.January, 1, 0, 0, 0, 0, time.UTC)
	for at := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC); at.Before(end); at = at.Add(30 * time.Minute) {
		nom, loc := Date(at), DateIn(at)
		y, m, d := at.In(Riga).Date()
		prefix := fmt.Sprintf("%d. gada %d. ", y, d)
		if !strings.HasPrefix(nom, prefix) || !strings.HasPrefix(loc, prefix) ||
			strings.TrimPrefix(nom, prefix) != monthsNominative[m-1] || strings.TrimPrefix(loc, prefix) != monthsLocative[m-1] {
			t.Fatalf("%s: Date %q and DateIn %q, want the day %d.%d.%d", at, nom, loc, d, m, y)
		}
	}
}

func TestHours(t *testing.T) {
	for _, c := range []struct {
		n                int
		hours, academics string
	}{
		{0, "0 stundas", "0 akadēmiskās stundas"},
		{1, "1 stunda", "1 akadēmiskā stunda"},
		{2, "2 stundas", "2 akadēmiskās stundas"},
		{10, "10 stundas", "10 akadēmiskās stundas"},
		{11, "11 stundas", "11 akadēmiskās stundas"},
		{12, "12 stundas", "12 akadēmiskās stundas"},
		{21, "21 stunda", "21 akadēmiskā stunda"},
		{31, "31 stunda", "31 akadēmiskā stunda"},
		{88, "88 stundas", "88 akadēmiskās stundas"},
		{91, "91 stunda", "91 akadēmiskā stunda"},
		{96, "96 stundas", "96 akadēmiskās stundas"},
		{100, "100 stundas", "100 akadēmiskās stundas"},
		{101, "101 stunda", "101 akadēmiskā stunda"},
		{111, "111 stundas", "111 akadēmiskās stundas"},
		{211, "211 stundas", "211 akadēmiskās stundas"},
		{1001, "1001 stunda", "1001 akadēmiskā stunda"},
		{-1, "-1 stunda", "-1 akadēmiskā stunda"},
		{-11, "-11 stundas", "-11 akadēmiskās stundas"},
	} {
		if got := Hours(c.n); got != c.hours {
			t.Errorf("Hours(%d) = %q, want %q", c.n, got, c.hours)
		}
		if got := AcademicHours(c.n); got != c.academics {
			t.Errorf("AcademicHours(%d) = %q, want %q", c.n, got, c.academics)
		}
	}
}

func TestCountAndClock(t *testing.T) {
	for n, want := range map[int]string{1: "1 brīva vieta", 2: "2 brīvas vietas", 11: "11 brīvas vietas", 21: "21 brīva vieta", 0: "0 brīvas vietas"} {
		if got := Count(n, "brīva vieta", "brīvas vietas"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	// 07:05 UTC in winter is 09:05 in Riga.
	if got := Clock(time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC)); got != "plkst. 9.05" {
		t.Errorf("Clock = %q", got)
	}
}
