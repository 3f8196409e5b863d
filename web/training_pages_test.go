package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// The learner's yearly record on a page of their own, reached from /me:
// the year's items and total against the requirement, another year by
// the selector, a year out of range refused on the form, and the
// transcript downloaded through the same service as the API's.
func TestTrainingHoursPage(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := startSite(t, siteOptions{dialect: db.Dialect()})
		b := newBrowser(t, s.URL)
		if p := b.get("/me/training-hours"); p.status != 303 || !strings.HasPrefix(p.header.Get("Location"), "/login") {
			t.Fatalf("anonymous: %d %v", p.status, p.header)
		}
		b.post("/register", url.Values{"email": {"janis@mooc.test"}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Jānis"},
			"family_name": {"Bērziņš"}, "municipality": {"Cēsu novads"}}).expect(t, 303)
		conn := s.App.DB.Conn(context.Background())
		var userID string
		if err := conn.Raw("SELECT id FROM users WHERE email = ?", "janis@mooc.test").Scan(&userID).Error; err != nil || userID == "" {
			t.Fatalf("user %q: %v", userID, err)
		}
		now := time.Now().UTC()
		if err := conn.Exec(`INSERT INTO certificates (id, code, source_kind, source_id, user_id, holder_name, kind, title,
			methodology_title, hours, period_from, period_to, completed_at, issued_at, pdf_key, revocation_reason)
			VALUES (?, 'K7QM-3XPA-9RTB', 'enrolment', ?, ?, 'Jānis Bērziņš', 'course', 'Krīzes intervence', 'Metodika', 12, ?, ?, ?, ?, 'certificates/x.pdf', '')`,
			uuid.NewString(), uuid.NewString(), userID, now, now, now, now).Error; err != nil {
			t.Fatal(err)
		}
		year := now.Add(2 * time.Hour).Format("2006") // near enough Riga's for the test's day

		b.get("/me").expect(t, 200, `href="/me/training-hours"`, "Mācību stundas gadā")
		b.get("/me/training-hours").expect(t, 200, "Manas mācību stundas", `<option value="`+year+`" selected>`, "Krīzes intervence",
			"e-mācību kurss", "K7QM-3XPA-9RTB", "Kopā: 12 stundas", "gada prasība: 24 stundas", "trūkst 12 stundas",
			`href="/me/training-hours/pdf?year=`+year+`"`)
		b.get("/me/training-hours?year=2015").expect(t, 200, `<option value="2015" selected>`, "Kopā: 0 stundas", "Šajā gadā jums nav pabeigtu mācību.")
		b.get("/me/training-hours?year=2014").expect(t, 422, `aria-invalid="true"`, `id="f-year-error"`)
		b.get("/me/training-hours?lang=en").expect(t, 200, "My training hours", "Total: 12 hours", "online course")

		pdf := b.get("/me/training-hours/pdf?year="+year).expect(t, 200)
		if pdf.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("transcript %v", pdf.header)
		}
		text := testkit.PDFText(t, []byte(pdf.body))
		for _, want := range []string{"IZZIŅA", "Jānis Bērziņš", "„Krīzes intervence”", "K7QM-3XPA-9RTB", "Kopā: 12 stundas"} {
			if !strings.Contains(text, want) {
				t.Errorf("the transcript lacks %q:\n%s", want, text)
			}
		}
		b.get("/me/training-hours/pdf?year=2014").expect(t, 422)
	})
}
