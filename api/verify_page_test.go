package api

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"mooc/certificates"
)

// The verification page prints the dates on the calendar of Riga, as the
// certificate does, and agrees the hours with their number.
func TestVerifyPageDatesAndHours(t *testing.T) {
	revoked := time.Date(2026, time.October, 4, 21, 0, 0, 0, time.UTC) // 00:00 on 5 October in Riga
	for _, c := range []struct {
		v    certificates.Verification
		want []string
	}{
		{certificates.Verification{Valid: true, Code: "K7QM-3XPA-9RTB", HolderName: "Līga Ozoliņa", CourseTitle: "Krīzes intervence",
			Hours: 12, IssuedAt: time.Date(2026, time.March, 1, 22, 0, 0, 0, time.UTC)}, // 00:00 on 2 March in Riga
			[]string{"<dd>12 stundas</dd>", "<dd>2026. gada 2. marts</dd>", "(12 hours)"}},
		{certificates.Verification{Code: "K7QM-3XPA-9RTB", HolderName: "Līga Ozoliņa", CourseTitle: "Krīzes intervence",
			Hours: 21, IssuedAt: time.Date(2026, time.March, 1, 21, 59, 0, 0, time.UTC), RevokedAt: &revoked, RevocationReason: "kļūda"},
			[]string{"<dd>21 stunda</dd>", "<dd>2026. gada 1. marts</dd>", "<dt>Atsaukts</dt><dd>2026. gada 5. oktobris</dd>"}},
	} {
		var buf bytes.Buffer
		if err := verifyPage.Execute(&buf, map[string]any{"Code": c.v.Code, "Found": true, "V": c.v}); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("the page lacks %q:\n%s", w, buf.String())
			}
		}
	}
	if got := verifyDate((*time.Time)(nil)); got != "" {
		t.Errorf("verifyDate(nil) = %q", got)
	}
}
