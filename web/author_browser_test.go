package web_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
)

// An author uploads a big video in Chromium through the resumable path:
// the connection drops during the second part, the page is reloaded, the
// page offers to resume, and the same file chosen again sends only the
// part not yet stored and completes the upload. Then every kind of
// authors' page passes axe-core in both languages at both widths.
func TestAuthorPagesInBrowser(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.SQLite})
	author := authorUser(t, s, "autore@mooc.test", accounts.RoleAuthor)
	team := authorUser(t, s, "komanda@mooc.test", accounts.RoleTeam)
	id := authorCourse(t, s, author, "Lielie faili")
	b := browsertest.Start(t)

	t.Run("resumable upload", func(t *testing.T) {
		tab := b.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
		tab.SetCookie(t, s.URL, author.cookie("mooc_session"))
		tab.Navigate(t, s.URL+"/author/courses/"+id+"?lang=lv")
		video, err := os.ReadFile("../internal/demo/lekcija.webm")
		if err != nil {
			t.Fatal(err)
		}
		// The same file each time: the video padded to 6 MiB (two parts).
		choose := fmt.Sprintf(`(() => {
			const head = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
			const body = new Uint8Array(6 * 1024 * 1024); body.set(head);
			const dt = new DataTransfer();
			dt.items.add(new File([body], "liela-lekcija.webm", {type: "video/webm", lastModified: 1700000000000}));
			document.querySelector("#f-file").files = dt.files;
			window.authorPuts = 0;
			const send = XMLHttpRequest.prototype.send, open = XMLHttpRequest.prototype.open;
			XMLHttpRequest.prototype.open = function (m, u) { this.authorPut = m === "PUT"; return open.apply(this, arguments); };
			XMLHttpRequest.prototype.send = function () {
				if (this.authorPut) { window.authorPuts++; if (window.authorDrop === window.authorPuts) { send.apply(this, arguments); this.abort(); return; } }
				return send.apply(this, arguments);
			};
			return true;
		})()`, base64.StdEncoding.EncodeToString(video))
		var ok bool
		tab.Eval(t, choose+` && !!(window.authorDrop = 2)`, &ok)
		tab.Click(t, "form.upload button[type=submit]")
		tab.WaitVisible(t, "#f-file-error")
		var done int
		tab.Eval(t, `Object.keys(JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith("mooc-upload:")))).done).length`, &done)
		if done != 1 {
			t.Fatalf("after the dropped connection %d parts are kept, want 1", done)
		}
		tab.Screenshot(t, "author-upload-interrupted-lv-1280")

		tab.Navigate(t, s.URL+"/author/courses/"+id+"?lang=lv")
		tab.WaitVisible(t, ".resume")
		if got := tab.Text(t, ".resume"); !strings.Contains(got, "liela-lekcija.webm") {
			t.Errorf("the resume offer says %q", got)
		}
		tab.Eval(t, choose, &ok)
		tab.Click(t, "form.upload button[type=submit]")
		tab.WaitVisible(t, "#files .flash")
		if got := tab.Text(t, "#files .flash"); !strings.Contains(got, "liela-lekcija.webm") {
			t.Errorf("after resuming: %q", got)
		}
		if p := tab.Problems(t); len(p) > 0 {
			t.Errorf("the page reported:\n%s", strings.Join(p, "\n"))
		}
	})

	t.Run("captions refused with their line", func(t *testing.T) {
		tab := b.NewTab(t, browsertest.Viewport{Width: 375, Height: 812, Mobile: true})
		tab.SetCookie(t, s.URL, author.cookie("mooc_session"))
		tab.Navigate(t, s.URL+"/author/courses/"+id+"?lang=en")
		var ok bool
		tab.Eval(t, `(() => { const dt = new DataTransfer();
			dt.items.add(new File(["WEBVTT\n\n00:01.000 --> 00:00.500\nHello\n"], "bad.vtt", {type: "text/vtt"}));
			document.querySelector("#f-file").files = dt.files; return true; })()`, &ok)
		tab.Click(t, "form.upload button[type=submit]")
		tab.WaitVisible(t, "#f-file-error")
		if got := tab.Text(t, "#f-file-error"); !strings.Contains(got, "Line 3") {
			t.Errorf("the captions error says %q", got)
		}
	})

	// A learner's attempt at the demonstration's test, for its statistics.
	h := newBrowser(t, s.URL)
	h.post("/register", url.Values{"email": {"ilze@mooc.test"}, "password": {authorPassword}, "given_name": {"Ilze"},
		"family_name": {"Liepa"}, "municipality": {"Tukuma novads"}}).expect(t, 303)
	learn := h.post("/cohorts/"+s.Cohort.ID+"/enrol", nil).expect(t, 303).header.Get("Location")
	at := h.post(learn+"/tests/"+s.Course.Tests[0].ID+"/attempts", nil).expect(t, 303).header.Get("Location")
	h.post(at, s.rightAnswers(t, h.get(at).expect(t, 200).body)).expect(t, 303)
	demo := "/author/courses/" + s.Course.ID
	kinds := []pageKind{
		{name: "author-home", path: "/author"},
		{name: "author-builder", path: "/author/courses/" + id},
		{name: "author-builder-gaps", refused: "/author/courses/" + id, status: 422},
		{name: "author-builder-running", path: demo},
		{name: "author-preview", path: demo + "/lessons/" + s.Course.Lessons()[0].ID + "/preview"},
		{name: "author-questions", path: demo + "/questions"},
		{name: "author-stats", path: demo + "/tests/" + s.Course.Tests[0].ID + "/stats"},
		{name: "author-history", path: demo + "/history"},
	}
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			tab.SetCookie(t, s.URL, team.cookie("mooc_session"))
			for _, k := range kinds {
				var st int
				if k.refused != "" {
					tab.Navigate(t, s.URL+k.refused+"?lang="+lang)
					st = tab.ClickNavigate(t, "main form button[type=submit]")
				} else {
					st = tab.Navigate(t, s.URL+k.path+"?lang="+lang)
				}
				name := fmt.Sprintf("%s-%s-%d", k.name, lang, width)
				checkPage(t, tab, name, st, k.status)
			}
		}
	}
}
