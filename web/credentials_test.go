package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/browsertest"
	"mooc/internal/database"
	"mooc/internal/testenv"
)

// holderWithCertificate registers a learner and gives them a certificate
// (written as the certificates domain writes it), returning its code.
func holderWithCertificate(t *testing.T, s *site, b *browser, email string) string {
	t.Helper()
	b.post("/register", url.Values{"email": {email}, "password": {"zaļš kalns dzied rītā"}, "given_name": {"Jānis"},
		"family_name": {"Bērziņš"}, "municipality": {"Cēsu novads"}}).expect(t, 303)
	conn := s.App.DB.Conn(context.Background())
	var userID string
	if err := conn.Raw("SELECT id FROM users WHERE email = ?", email).Scan(&userID).Error; err != nil || userID == "" {
		t.Fatalf("user %q: %v", userID, err)
	}
	const letters = "23456789ABCDEFGHJKMNPQRSTWXYZ"
	code := []byte("K7QM-3XPA-0000")
	for i := 10; i < len(code); i++ {
		code[i] = letters[rand.IntN(len(letters))]
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := conn.Exec(`INSERT INTO certificates (id, code, source_kind, source_id, user_id, holder_name, kind, title,
		methodology_title, hours, period_from, period_to, completed_at, issued_at, pdf_key, revocation_reason)
		VALUES (?, ?, 'enrolment', ?, ?, 'Jānis Bērziņš', 'course', 'Krīzes intervence', 'Metodika', 12, ?, ?, ?, ?, 'certificates/x.pdf', '')`,
		uuid.NewString(), string(code), uuid.NewString(), userID, now, now, now, now).Error; err != nil {
		t.Fatal(err)
	}
	return string(code)
}

// The holder downloads the credential from the certificate's page, and
// anyone checks a pasted credential on the verify page, which says why
// one is not valid.
func TestCredentialPages(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := startSite(t, siteOptions{dialect: db.Dialect()})
		b := newBrowser(t, s.URL)
		code := holderWithCertificate(t, s, b, "janis@mooc.test")

		b.get("/certificates/"+code).expect(t, 200, `href="/certificates/`+code+`/credential"`, "Lejupielādēt maciņam (JSON)")
		dl := b.get("/certificates/"+code+"/credential").expect(t, 200)
		if dl.header.Get("Content-Type") != "application/ld+json" || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download headers %v", dl.header)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(dl.body), &doc); err != nil || doc["proof"] == nil {
			t.Fatalf("download %v: %.300s", err, dl.body)
		}
		other := newBrowser(t, s.URL)
		holderWithCertificate(t, s, other, "ilze@mooc.test")
		other.get("/certificates/"+code+"/credential").expect(t, 404)
		if p := newBrowser(t, s.URL).get("/certificates/" + code + "/credential"); p.status != 303 {
			t.Fatalf("anonymous: %d", p.status)
		}

		anon := newBrowser(t, s.URL)
		anon.get("/verify").expect(t, 200, `id="f-credential" name="credential"`, "Verificējama apliecinājuma pārbaude")
		anon.get("/verify/"+code).expect(t, 200, `href="/verify"`)
		anon.post("/verify", url.Values{"credential": {dl.body}}).expect(t, 200, "Apliecinājums ir derīgs", "Jānis Bērziņš", code)
		edited := strings.Replace(dl.body, "Krīzes intervence", "Krīzes intervencE", 1)
		anon.post("/verify", url.Values{"credential": {edited}}).expect(t, 200, "Paraksts neatbilst")
		anon.post("/verify", url.Values{"credential": {"nav JSON"}}).expect(t, 200, "Teksts nav JSON objekts.")
		anon.post("/verify", url.Values{"credential": {strings.Repeat("x", 65<<10)}}).expect(t, 200, "garāks par 64 KiB")
		anon.post("/verify?lang=en", url.Values{"credential": {edited}}).expect(t, 200, "The signature does not match")
	})
}

// The verify page, empty and with a pasted credential's verdict, passes
// axe-core in both languages.
func TestCredentialPageIsAccessible(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.SQLite})
	h := newBrowser(t, s.URL)
	code := holderWithCertificate(t, s, h, "janis@mooc.test")
	credential := h.get("/certificates/"+code+"/credential").expect(t, 200).body
	pasteJS, _ := json.Marshal(credential)
	br := browsertest.Start(t)
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := br.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			name := fmt.Sprintf("verify-credential-%s-%d", lang, width)
			checkPage(t, tab, name, tab.Navigate(t, s.URL+"/verify?lang="+lang), 200)
			var ok bool
			tab.Eval(t, `(document.querySelector('#f-credential').value = `+string(pasteJS)+`, true)`, &ok)
			st := tab.ClickNavigate(t, "main form button[type=submit]")
			checkPage(t, tab, name+"-valid", st, 200)
			if text := tab.Text(t, "main"); !strings.Contains(text, code) {
				t.Errorf("%s: the verdict lacks the code: %.300s", name, text)
			}
		}
	}
	// The certificate page with its wallet link.
	tab := br.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
	tab.SetCookie(t, s.URL, h.cookie("mooc_session"))
	checkPage(t, tab, "certificate-with-credential", tab.Navigate(t, s.URL+"/certificates/"+code), 200)
}
