package lv

import (
	"strconv"
	"time"
	_ "time/tzdata" // the zone must not depend on the zone database of the host or image
)

// Riga is the time zone of Latvia, Europe/Riga, in which every date is written.
var Riga = mustLoadLocation("Europe/Riga")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("lv: " + err.Error())
	}
	return loc
}

// The month names in the two cases the texts use.
var (
	monthsNominative = [...]string{"janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs",
		"jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris"}
	monthsLocative = [...]string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā",
		"jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"}
)

// Date writes the day of t in Riga in the nominative, the way a document
// states a date: "2026. gada 2. marts".
func Date(t time.Time) string { return date(t, &monthsNominative) }

// DateIn writes the day of t in Riga in the locative, for when something
// happens: "2026. gada 2. martā" ("Kurss sākas 2026. gada 2. martā.").
func DateIn(t time.Time) string { return date(t, &monthsLocative) }

func date(t time.Time, months *[12]string) string {
	y, m, d := t.In(Riga).Date()
	return strconv.Itoa(y) + ". gada " + strconv.Itoa(d) + ". " + months[m-1]
}

// Hours writes a number of (astronomical) hours with the noun agreeing:
// "1 stunda", "12 stundas", "21 stunda", "111 stundas".
func Hours(n int) string {
	if singular(n) {
		return strconv.Itoa(n) + " stunda"
	}
	return strconv.Itoa(n) + " stundas"
}

// AcademicHours writes a number of academic hours, as in-person programmes
// count them: "1 akadēmiskā stunda", "96 akadēmiskās stundas",
// "91 akadēmiskā stunda".
func AcademicHours(n int) string {
	if singular(n) {
		return strconv.Itoa(n) + " akadēmiskā stunda"
	}
	return strconv.Itoa(n) + " akadēmiskās stundas"
}

// singular is Latvian number agreement: the singular after a number ending
// in 1, except one ending in 11. Negative numbers agree like their absolute
// value.
func singular(n int) bool {
	if n < 0 {
		n = -n
	}
	return n%10 == 1 && n%100 != 11
}

// Count writes n with the noun form that agrees with it, by the same rule
// as Hours: Count(21, "brīva vieta", "brīvas vietas") is "21 brīva vieta".
func Count(n int, one, other string) string {
	if singular(n) {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + other
}

// Clock writes the hour and minute of t in Riga as Latvian texts do:
// "plkst. 9.05".
func Clock(t time.Time) string {
	t = t.In(Riga)
	return "plkst. " + strconv.Itoa(t.Hour()) + "." + twoDigits(t.Minute())
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
