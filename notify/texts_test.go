package notify

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"mooc/internal/lv"
)

// Every template the domains queue, with the params they send.
var templates = map[string]map[string]string{
	"enrolled":             {"course": "Krīzes intervence", "cohort": "2026. gada pavasaris", "starts": "2026. gada 2. martā"},
	"waitlisted":           {"course": "Krīzes intervence", "cohort": "2026. gada pavasaris", "position": "3"},
	"promoted":             {"course": "Krīzes intervence", "cohort": "2026. gada pavasaris", "starts": "2026. gada 2. martā"},
	"certificate_issued":   {"title": "Krīzes intervence", "code": "K7QM-3XPA-9RTB", "verify_url": "https://mooc.example.lv/verify/K7QM-3XPA-9RTB"},
	"programme_accepted":   {"programme": "Ģimenes asistents", "location": "Ogre", "region": "Vidzeme", "starts": "02.03.2026"},
	"programme_waitlisted": {"programme": "Ģimenes asistents", "position": "4"},
	"cohort_open":          {"course": "Krīzes intervence", "cohort": "2026. gada pavasaris", "closes": "2026. gada 1. martā", "starts": "2026. gada 2. martā"},
	"cohort_open_interest": {"course": "Krīzes intervence", "cohort": "2026. gada pavasaris", "closes": "2026. gada 1. martā", "starts": "2026. gada 2. martā"},
	"verify_email":         {"link": "https://mooc.example.lv/verify-email?token=dGVzdC10b2tlbg"},
	"password_reset":       {"link": "https://mooc.example.lv/reset-password?token=dGVzdC10b2tlbg"},
	"survey_invitation":    {"title": "Krīzes intervence", "link": "https://mooc.example.lv/learn/0b6f2d64-3c1e-4f7e-9a53-7d2a4c8e1f00/survey"},
}

// Words that agree with the gender of the person addressed, which the texts
// do not know: "Jūs esat uzņemts", "apguvis(-usi)", "gatavs/gatava" said of
// the person.
var gendered = regexp.MustCompile(`(?i)\b(uzņemt[sa]|apguvis|apguvusi|reģistrēt[sa]|pieteicies|pieteikusies|iekļaut[sa]|gaidījis|gaidījusi)\b|\(-[a-zāēīū]+\)`)

func TestEveryTextIsWholeAndGenderNeutral(t *testing.T) {
	for name, params := range templates {
		subject, body, ok := text(name, "Līga", "https://mooc.example.lv", params)
		if !ok {
			t.Fatalf("%s: no text", name)
		}
		all := subject + "\n" + body
		if strings.Contains(all, "%!") {
			t.Errorf("%s: a placeholder is missing its value:\n%s", name, all)
		}
		for key, value := range params {
			if !strings.Contains(all, value) {
				t.Errorf("%s: the text lacks %s %q:\n%s", name, key, value, all)
			}
		}
		if !strings.HasPrefix(body, "Labdien, Līga!\n\n") || !strings.Contains(body, "Ar cieņu,") || !strings.HasSuffix(body, "https://mooc.example.lv\n") {
			t.Errorf("%s: greeting or signature:\n%s", name, body)
		}
		if w := gendered.FindString(all); w != "" {
			t.Errorf("%s: %q marks the gender of the person addressed:\n%s", name, w, all)
		}
	}
	if _, _, ok := text("no_such_template", "Līga", "", nil); ok {
		t.Error("an unknown template has a text")
	}
}

// A cohort that starts at 00:00 on 2 March in Riga is 22:00 on 1 March in
// UTC. Its e-mail, with the date as the domains write it (lv.DateIn), says
// it starts on 2 March, and its certificate (lv.Date, as certificates prints
// the period) says 2 March too: the same day in both forms. Likewise in
// summer time, when Riga is UTC+3.
func TestEmailAndCertificateAgreeOnTheStartDate(t *testing.T) {
	for _, c := range []struct {
		starts           time.Time
		inEmail, onPaper string
	}{
		{time.Date(2026, time.March, 1, 22, 0, 0, 0, time.UTC), "Kurss sākas 2026. gada 2. martā.", "2026. gada 2. marts"},
		{time.Date(2026, time.October, 4, 21, 0, 0, 0, time.UTC), "Kurss sākas 2026. gada 5. oktobrī.", "2026. gada 5. oktobris"},
	} {
		for _, name := range []string{"enrolled", "promoted", "cohort_open", "cohort_open_interest"} {
			params := map[string]string{"course": "Krīzes intervence", "cohort": "2026. gada pavasaris",
				"starts": lv.DateIn(c.starts), "closes": lv.DateIn(c.starts.Add(-time.Second))}
			_, body, _ := text(name, "Līga", "https://mooc.example.lv", params)
			if !strings.Contains(strings.ToLower(body), strings.ToLower(c.inEmail)) {
				t.Errorf("%s for a cohort starting %s does not say %q:\n%s", name, c.starts, c.inEmail, body)
			}
		}
		if got := lv.Date(c.starts); got != c.onPaper {
			t.Errorf("the certificate of a cohort starting %s says %q, want %q", c.starts, got, c.onPaper)
		}
	}
}
