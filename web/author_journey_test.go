package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mooc/accounts"
	"mooc/internal/browsertest"
	"mooc/internal/database"
)

// An author's whole work in Chromium, from an empty draft to a course in
// the public catalogue, through the pages' own forms and scripts: sign in,
// start a two-week draft, add a reading, a video lesson and a case story
// to the first week and a reading to the second, upload the video from the
// page and a captions file (one with an error is refused with its line,
// then a good one), try to publish and follow a gap's link by keyboard to
// the field that fixes it, attach the files there, add questions and a
// final test, reorder the first week by the move buttons and by an HTML5
// drag, preview the video lesson with its captions loaded, publish, and
// find the course at /. Every page passes checkPage.
func TestAuthorBuildsAndPublishesInBrowser(t *testing.T) {
	s := startSite(t, siteOptions{dialect: database.Postgres, s3: true})
	const email, title = "veidotaja@mooc.test", "Sarunas ar klientu pārmaiņu laikā"
	u, err := s.App.Accounts.Register(context.Background(), accounts.Registration{Email: email, Password: authorPassword,
		GivenName: "Dace", FamilyName: "Kalna", Municipality: "Cēsu novads"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Accounts.SetRoles(context.Background(), u.ID, []string{accounts.RoleAuthor}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.Start(t)
	tab := b.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
	tab.SetLanguage(t, "lv")
	check := func(step string, status, want int) {
		t.Helper()
		checkPage(t, tab, "author-journey-"+step+"-lv-1280", status, want)
	}

	// Sign in through the login page, which leads on to /author.
	st := tab.Navigate(t, s.URL+"/login?next=/author")
	check("login", st, 200)
	st = authorSignIn(t, tab, email)
	if !strings.HasSuffix(tab.URL(t), "/author") {
		t.Fatalf("signing in led to %s", tab.URL(t))
	}
	check("home", st, 200)

	// A new draft: two weeks of two hours, lessons and the test together.
	authorChoose(t, tab, "#f-methodology_id", s.Course.MethodologyID)
	tab.SendKeys(t, "#f-title", title)
	tab.SendKeys(t, "#f-summary", "Kā runāt ar klientu, kad dzīve mainās.")
	authorFill(t, tab, "#f-weeks", "2")
	authorFill(t, tab, "#f-effort_hours", "2")
	st = tab.ClickNavigate(t, `form[action="/author/courses"] button[type=submit]`)
	builder, err := url.Parse(tab.URL(t))
	if err != nil || !strings.HasPrefix(builder.Path, "/author/courses/") {
		t.Fatalf("the new draft is at %s (%v)", tab.URL(t), err)
	}
	id := strings.TrimPrefix(builder.Path, "/author/courses/")
	builderURL := s.URL + builder.Path
	if got := tab.Text(t, "main"); !strings.Contains(got, title) || !strings.Contains(got, "2. nedēļa") {
		t.Fatalf("the new draft's builder: %.300s", got)
	}
	check("builder", st, 200)

	// Lessons through the new-lesson form: 100 minutes, the test adds 20.
	add := func(week, kind, title, minutes, body string) string {
		t.Helper()
		authorChoose(t, tab, "#f-week", week)
		authorChoose(t, tab, "#f-kind", kind)
		tab.SendKeys(t, "#f-title", title)
		tab.SendKeys(t, "#f-minutes", minutes)
		tab.SendKeys(t, "#f-body", body)
		st := tab.ClickNavigate(t, "#new-lesson form button[type=submit]")
		_, lesson, ok := strings.Cut(tab.URL(t), "#lesson-")
		if st != 200 || !ok {
			t.Fatalf("adding %q ended on %s (%d): %.300s", title, tab.URL(t), st, tab.Text(t, "main"))
		}
		return lesson
	}
	intro := add("1", "reading", "Ievads", "20", "Kā sākt sarunu.")
	video := add("1", "video", "Lekcija", "30", "Lekcijas atšifrējums.")
	story := add("1", "case_story", "Ilzes ģimenes stāsts", "20", "Stāsts par ģimeni.")
	add("2", "reading", "Kopsavilkums", "30", "Galvenās atziņas.")
	if got := authorWeekOrder(t, tab, 1); !slices.Equal(got, []string{intro, video, story}) {
		t.Fatalf("week 1 holds %v, want %v", got, []string{intro, video, story})
	}

	// The video, uploaded from the page by author.js (one request to the API).
	upload := func(path string) string {
		t.Helper()
		tab.Navigate(t, builderURL)
		tab.SetFiles(t, "#f-file", path)
		tab.Click(t, "form.upload button[type=submit]")
		tab.WaitVisible(t, "#files .flash")
		if got := tab.Text(t, "#files .flash"); !strings.Contains(got, filepath.Base(path)) {
			t.Errorf("after uploading %s the page says %q", path, got)
		}
		m := authorMediaID.FindStringSubmatch(tab.URL(t))
		if m == nil {
			t.Fatalf("after uploading %s the page is %s", path, tab.URL(t))
		}
		return m[1]
	}
	videoID := upload("../internal/demo/lekcija.webm")
	check("uploaded", 200, 200)

	// Captions with an error: refused, with the line that breaks the
	// format. In a tab of its own, since the refusals are responses with
	// an error status, which the browser logs as problems.
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "slikti.vtt"), filepath.Join(dir, "labi.vtt")
	authorWrite(t, bad, "WEBVTT\n\n00:01.000 --> 00:00.500\nSveiki\n")
	authorWrite(t, good, "WEBVTT\n\n00:00.000 --> 00:00.900\nSveiki!\n\n00:00.900 --> 00:02.000\nŠī ir lekcija.\n")
	t.Run("captions refused", func(t *testing.T) {
		other := b.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
		other.SetLanguage(t, "lv")
		other.Navigate(t, s.URL+"/login?next="+url.QueryEscape(builder.Path))
		authorSignIn(t, other, email)
		other.SetFiles(t, "#f-file", bad)
		other.Click(t, "form.upload button[type=submit]")
		other.WaitVisible(t, "#f-file-error")
		if got := other.Text(t, "#f-file-error"); !strings.Contains(got, "3. rinda") || !strings.Contains(got, "jābeidzas pēc sākuma") {
			t.Errorf("the refused captions: %q", got)
		}
		if v, _ := other.Attribute(t, "#f-file", "aria-invalid"); v != "true" {
			t.Errorf("the file field is not marked invalid (%q)", v)
		}
		if vs := other.Axe(t); len(vs) > 0 {
			t.Errorf("the refused captions: axe-core finds:\n%s", vs)
		}
		for _, p := range other.Problems(t) {
			if !strings.Contains(p, "status of 422") {
				t.Errorf("the refused captions: the page reported %s", p)
			}
		}
		other.Screenshot(t, "author-journey-captions-refused-lv-1280")
	})
	captionsID := upload(good)

	// Publishing now lists every gap, each linked to where it is fixed.
	tab.Navigate(t, builderURL)
	st = tab.ClickNavigate(t, "form.publish button[type=submit]")
	check("gaps", st, 422)
	var gaps []string
	tab.Eval(t, `Array.from(document.querySelectorAll(".gaps a"), a => a.getAttribute("href"))`, &gaps)
	mediaField := "#f-" + video + "-media_id"
	for _, want := range []string{mediaField, "/author/courses/" + id + "/questions#tests", "#effort"} {
		if !slices.Contains(gaps, want) {
			t.Errorf("the gaps link to %v, not to %s", gaps, want)
		}
	}
	if len(gaps) != 3 {
		t.Errorf("%d gaps, want 3 (the video, the final test, the effort): %v", len(gaps), gaps)
	}

	// The video's gap, followed by keyboard, opens the lesson's form at its
	// file field; the video and the captions are chosen there by keyboard
	// (typing the start of a file's name).
	tab.Focus(t, `.gaps a[href="`+mediaField+`"]`)
	tab.Press(t, browsertest.KeyEnter)
	var at struct {
		Hash string `json:"hash"`
		Open bool   `json:"open"`
	}
	tab.Eval(t, `({hash: location.hash, open: document.querySelector("#lesson-`+video+` details").open})`, &at)
	if at.Hash != mediaField || !at.Open || !tab.Focused(t, mediaField) {
		t.Fatalf("after following the gap: %+v, the focus on %s", at, tab.ActiveElement(t))
	}
	tab.Press(t, "lekc") // the select's type-ahead: lekcija.webm
	// Chromium keeps the focus of a fragment's target through the first
	// Tab (so on any page); the captions field is focused directly.
	tab.Focus(t, "#f-"+video+"-caption_lv")
	tab.Press(t, "labi") // labi.vtt
	if got, want := []string{tab.Value(t, mediaField), tab.Value(t, "#f-"+video+"-caption_lv")}, []string{videoID, captionsID}; !slices.Equal(got, want) {
		t.Fatalf("chosen by keyboard: %v, want %v", got, want)
	}
	tab.Focus(t, `#lesson-`+video+` form[action="/author/lessons/`+video+`"] button[type=submit]`)
	if st := tab.PressNavigate(t, browsertest.KeyEnter); st != 200 || !strings.Contains(tab.Text(t, "main"), "Nodarbība saglabāta") {
		t.Fatalf("saving the video lesson (%d): %.300s", st, tab.Text(t, "main"))
	}

	// Questions and the final test through the question pages.
	st = tab.ClickNavigate(t, `main a[href="/author/courses/`+id+`/questions"]`)
	check("questions", st, 200)
	for _, q := range [][3]string{{"Ar ko sākt sarunu?", "Ar jautājumu", "Ar padomu"}, {"Vai klausīties ir svarīgi?", "Jā", "Nē"}} {
		tab.SendKeys(t, "#f-text", q[0])
		tab.SendKeys(t, "#f-option_0", q[1])
		tab.Click(t, "#f-correct_0")
		tab.SendKeys(t, "#f-option_1", q[2])
		tab.SendKeys(t, "#f-explanation", "Tā teikts lekcijā.")
		if st := tab.ClickNavigate(t, `form[method=post][action="/author/courses/`+id+`/questions"] button[type=submit]`); st != 200 ||
			!strings.Contains(tab.Text(t, ".bank"), q[0]) {
			t.Fatalf("adding the question %q (%d): %.300s", q[0], st, tab.Text(t, "main"))
		}
	}
	tab.SendKeys(t, "#f-title", "Noslēguma tests")
	tab.Click(t, "#f-final")
	tab.SendKeys(t, "#f-question_count", "2")
	tab.SendKeys(t, "#f-time_limit_minutes", "20")
	st = tab.ClickNavigate(t, `form[action="/author/courses/`+id+`/tests"] button[type=submit]`)
	if got := tab.Text(t, "#tests"); st != 200 || !strings.Contains(got, "Noslēguma tests") || !strings.Contains(got, "20 minūtes") {
		t.Fatalf("adding the final test (%d): %.300s", st, got)
	}
	check("tests", st, 200)

	// Reordering by keyboard: the story moved up, and the next Tab goes on
	// from the moved lesson.
	tab.ClickNavigate(t, `.crumbs a[href="/author/courses/`+id+`"]`)
	tab.Focus(t, "#lesson-"+story+" .move-up")
	if st := tab.PressNavigate(t, browsertest.KeyEnter); st != 200 || !strings.HasSuffix(tab.URL(t), "#lesson-"+story) {
		t.Fatalf("moving by keyboard ended on %s (%d)", tab.URL(t), st)
	}
	authorSavedOrder(t, s, email, id, intro, story, video)
	if got := authorWeekOrder(t, tab, 1); !slices.Equal(got, []string{intro, story, video}) {
		t.Errorf("after moving by keyboard the page shows %v", got)
	}
	tab.Press(t, browsertest.KeyTab)
	if !tab.Focused(t, "#lesson-"+story+" *") {
		t.Errorf("after the move the next Tab reaches %s, not the moved lesson", tab.ActiveElement(t))
	}

	// Reordering by an HTML5 drag: the video dropped on the top of the
	// first lesson goes before it; author.js saves the order and says so.
	var rects struct {
		FX float64 `json:"fx"`
		FY float64 `json:"fy"`
		TX float64 `json:"tx"`
		TY float64 `json:"ty"`
	}
	tab.Eval(t, `(() => { document.querySelector("#week-1").scrollIntoView({block: "start"});
		const f = document.querySelector("#lesson-`+video+`").getBoundingClientRect(), to = document.querySelector("#lesson-`+intro+`").getBoundingClientRect();
		return {fx: f.left + 6, fy: f.top + 6, tx: to.left + 6, ty: to.top + 6}; })()`, &rects)
	tab.DragXY(t, rects.FX, rects.FY, rects.TX, rects.TY)
	tab.WaitVisible(t, "#week-1 .status:not(:empty)")
	if got := tab.Text(t, "#week-1 .status"); !strings.Contains(got, "Secība saglabāta") {
		t.Errorf("after the drag the week says %q", got)
	}
	authorSavedOrder(t, s, email, id, video, intro, story)
	st = tab.Navigate(t, builderURL)
	if got := authorWeekOrder(t, tab, 1); !slices.Equal(got, []string{video, intro, story}) {
		t.Errorf("after the drag and a reload the page shows %v", got)
	}
	if _, ok := tab.Attribute(t, "#lesson-"+video+" .move-up", "disabled"); !ok {
		t.Errorf("the first lesson can still be moved up")
	}
	check("reordered", st, 200)

	// The preview: the video and its captions load as a learner's would.
	st = tab.ClickNavigate(t, "#lesson-"+video+` a[href$="/preview"]`)
	var media struct {
		Ready int `json:"ready"`
		Error int `json:"error"`
		Track int `json:"track"`
		Cues  int `json:"cues"`
	}
	tab.Eval(t, `new Promise((done) => {
		const v = document.querySelector("video"), el = document.querySelector("video track");
		const state = () => ({ready: v.readyState, error: v.error ? v.error.code : 0, track: el.readyState,
			cues: el.track.cues ? el.track.cues.length : 0});
		const settled = () => { const s = state(); if ((s.ready > 0 && s.track === 2) || s.error || s.track === 3) { done(s); } };
		for (const [e, n] of [[v, "loadedmetadata"], [v, "error"], [el, "load"], [el, "error"]]) { e.addEventListener(n, settled); }
		settled();
	})`, &media)
	if media.Ready == 0 || media.Error != 0 || media.Track != 2 || media.Cues != 2 {
		t.Errorf("the preview's video and captions: %+v", media)
	}
	check("preview", st, 200)

	// Published, and in the public catalogue.
	tab.ClickNavigate(t, ".note a")
	st = tab.ClickNavigate(t, "form.publish button[type=submit]")
	if got := tab.Text(t, "main"); !strings.Contains(got, "Kurss publicēts") || tab.Count(t, "form.publish") != 0 {
		t.Fatalf("after publishing: %.300s", got)
	}
	check("published", st, 200)
	st = tab.Navigate(t, s.URL+"/")
	if tab.Count(t, `.card a[href="/courses/`+id+`"]`) != 1 || !strings.Contains(tab.Text(t, "main"), title) {
		t.Errorf("the catalogue does not show the new course: %.500s", tab.Text(t, "main"))
	}
	check("catalogue", st, 200)
}

// authorSignIn fills the login form the tab shows and sends it, returning
// the status of the page it leads to.
func authorSignIn(t *testing.T, tab *browsertest.Tab, email string) int {
	t.Helper()
	tab.SendKeys(t, "#f-email", email)
	tab.SendKeys(t, "#f-password", authorPassword)
	return tab.ClickNavigate(t, "main form button[type=submit]")
}

// authorFill replaces the value of a field with text typed into it.
func authorFill(t *testing.T, tab *browsertest.Tab, sel, text string) {
	t.Helper()
	tab.Eval(t, `document.querySelector(`+authorJS(sel)+`).value = ""`, nil)
	tab.SendKeys(t, sel, text)
}

// authorChoose picks the option of a select by its value.
func authorChoose(t *testing.T, tab *browsertest.Tab, sel, value string) {
	t.Helper()
	var ok bool
	tab.Eval(t, `(() => { const s = document.querySelector(`+authorJS(sel)+`); s.value = `+authorJS(value)+`;
		s.dispatchEvent(new Event("change", {bubbles: true})); return s.value === `+authorJS(value)+`; })()`, &ok)
	if !ok {
		t.Fatalf("%s has no option %q", sel, value)
	}
}

// authorWeekOrder is the lesson ids of a week as the builder lists them.
func authorWeekOrder(t *testing.T, tab *browsertest.Tab, week int) []string {
	t.Helper()
	var ids []string
	tab.Eval(t, `Array.from(document.querySelectorAll("#week-`+strconv.Itoa(week)+` ol.builder > li"), li => li.dataset.id)`, &ids)
	return ids
}

// authorSavedOrder checks the first week's order the server keeps.
func authorSavedOrder(t *testing.T, s *site, email, courseID string, want ...string) {
	t.Helper()
	co, err := s.App.Catalogue.Editable(context.Background(), authorPrincipal(t, s, email), courseID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range co.Weeks[0].Lessons {
		got = append(got, l.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the server keeps week 1 as %v, want %v", got, want)
	}
}

func authorWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func authorJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
