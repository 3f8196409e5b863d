package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Keys for Press and PressNavigate.
const (
	KeyTab    = kb.Tab
	KeyEnter  = kb.Enter
	KeyEscape = kb.Escape
	KeySpace  = " "
)

// Viewport is the size of a tab's page in CSS pixels. Mobile makes the
// page a phone's: the meta viewport counts, and touch is on.
type Viewport struct {
	Width, Height int
	Mobile        bool
}

// Tab is one page of a browser in a browser context of its own (its own
// cookies and storage). Its methods fail the test they are given on error;
// use a tab from one goroutine at a time.
type Tab struct {
	ctx context.Context
	b   *Browser
	log *pageLog
}

// NewTab opens a tab of the given size, closed when the test ends. When
// the test has failed by then, a screenshot of the tab is left in the
// screenshots folder, named after the test.
func (b *Browser) NewTab(t testing.TB, vp Viewport) *Tab {
	t.Helper()
	if vp.Width <= 0 || vp.Height <= 0 {
		t.Fatalf("browsertest: viewport %dx%d: give a width and a height", vp.Width, vp.Height)
	}
	log := newPageLog()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(log.listen))
	tab := &Tab{ctx: ctx, b: b, log: log}
	t.Cleanup(func() {
		if t.Failed() {
			tab.failureScreenshot(t)
		}
		cancel()
	})
	// The first run opens the tab, tied to ctx (no deadline).
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx) }()
	if err := waitStep(opened); err != nil {
		t.Fatalf("browsertest: opening a tab: %v\n%s", err, b.out.tail())
	}
	var opts []chromedp.EmulateViewportOption
	if vp.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	tab.do(t, "setting up the tab",
		chromedp.EmulateViewport(int64(vp.Width), int64(vp.Height), opts...),
		log.install,
	)
	return tab
}

// waitStep waits for a step run on a context without a deadline.
func waitStep(done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-time.After(stepTimeout):
		return fmt.Errorf("no answer after %s", stepTimeout)
	}
}

// step runs f with the step timeout and returns its value, failing the
// test on error.
func step[T any](t testing.TB, tab *Tab, what string, f func(context.Context) (T, error)) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	v, err := f(ctx)
	if err != nil {
		t.Fatalf("browsertest: %s: %v", what, err)
	}
	return v
}

// run runs one action as a step.
func run[T any](t testing.TB, tab *Tab, what string, a chromedp.Action[T]) T {
	t.Helper()
	return step(t, tab, what, func(ctx context.Context) (T, error) { return chromedp.Run(ctx, a) })
}

// do runs actions without a value as one step.
func (tab *Tab) do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step(t, tab, what, func(ctx context.Context) (chromedp.Void, error) { return chromedp.Void{}, chromedp.Do(ctx, steps...) })
}

// Navigate loads url, waits for its load event and returns the HTTP status
// of the document.
func (tab *Tab) Navigate(t testing.TB, url string) int {
	t.Helper()
	resp := run(t, tab, "navigating to "+url, chromedp.NavigateResponse(url))
	return status(t, "navigating to "+url, resp)
}

// ClickNavigate clicks the first element sel matches (a link, a submit
// button), waits for the page it leads to and returns that page's HTTP
// status.
func (tab *Tab) ClickNavigate(t testing.TB, sel string) int {
	t.Helper()
	return tab.navigation(t, "clicking "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// PressNavigate presses key (KeyEnter on a focused link or button) and
// waits for the page it leads to, returning that page's HTTP status.
func (tab *Tab) PressNavigate(t testing.TB, key string) int {
	t.Helper()
	return tab.navigation(t, fmt.Sprintf("pressing %q", key), chromedp.KeyEvent(key))
}

func (tab *Tab) navigation(t testing.TB, what string, trigger chromedp.Action[chromedp.Void]) int {
	t.Helper()
	what += " and waiting for the next page"
	resp := step(t, tab, what, func(ctx context.Context) (*network.Response, error) {
		return chromedp.RunResponse(ctx, trigger)
	})
	return status(t, what, resp)
}

func status(t testing.TB, what string, resp *network.Response) int {
	t.Helper()
	if resp == nil {
		t.Fatalf("browsertest: %s: no document was loaded", what)
	}
	return int(resp.Status)
}

// WaitVisible waits until an element sel matches is visible.
func (tab *Tab) WaitVisible(t testing.TB, sel string) {
	t.Helper()
	tab.do(t, "waiting for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitGone waits until nothing matches sel.
func (tab *Tab) WaitGone(t testing.TB, sel string) {
	t.Helper()
	tab.do(t, "waiting for "+sel+" to go", chromedp.WaitNotPresent(chromedp.CSS(sel)))
}

// Click clicks the first element sel matches, once it is visible. A click
// that loads another page is ClickNavigate.
func (tab *Tab) Click(t testing.TB, sel string) {
	t.Helper()
	tab.do(t, "clicking "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// SendKeys focuses the first element sel matches and types text into it,
// key by key, as a person would.
func (tab *Tab) SendKeys(t testing.TB, sel, text string) {
	t.Helper()
	tab.do(t, "typing into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// Focus moves the keyboard focus to the first element sel matches.
func (tab *Tab) Focus(t testing.TB, sel string) {
	t.Helper()
	tab.do(t, "focusing "+sel, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Press presses keys, one after another, wherever the focus is: KeyTab
// moves it on, KeyEnter activates what has it. A key that loads another
// page is PressNavigate.
func (tab *Tab) Press(t testing.TB, keys string) {
	t.Helper()
	tab.do(t, fmt.Sprintf("pressing %q", keys), chromedp.KeyEvent(keys))
}

// PressShift presses keys with Shift held (KeyTab: the focus moves back).
func (tab *Tab) PressShift(t testing.TB, keys string) {
	t.Helper()
	tab.do(t, fmt.Sprintf("pressing shift+%q", keys),
		chromedp.KeyEvent(keys, chromedp.KeyModifiers(chromedp.ModifierShift)))
}

// Focused tells whether the element that has the keyboard focus matches
// sel.
func (tab *Tab) Focused(t testing.TB, sel string) bool {
	t.Helper()
	var ok bool
	tab.Eval(t, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(sel)), &ok)
	return ok
}

// ActiveElement describes the element that has the keyboard focus (the
// start of its HTML), for failure messages.
func (tab *Tab) ActiveElement(t testing.TB) string {
	t.Helper()
	var s string
	tab.Eval(t, `(() => { const e = document.activeElement; if (!e) return "nothing";
		const h = e.outerHTML; return h.length > 200 ? h.slice(0, 200) + "…" : h; })()`, &s)
	return s
}

// Text returns the text of the first element sel matches, as rendered
// (innerText), waiting for it to appear.
func (tab *Tab) Text(t testing.TB, sel string) string {
	t.Helper()
	return run(t, tab, "reading the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// Value returns the value of the first form field sel matches.
func (tab *Tab) Value(t testing.TB, sel string) string {
	t.Helper()
	return run(t, tab, "reading the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// Attribute returns an attribute of the first element sel matches, and
// whether the element has it, waiting for the element to appear.
func (tab *Tab) Attribute(t testing.TB, sel, name string) (string, bool) {
	t.Helper()
	r := run(t, tab, "reading "+name+" of "+sel, chromedp.AttributeValue(chromedp.CSS(sel), name))
	return r.Value, r.Exists
}

// Count returns how many elements sel matches now, without waiting.
func (tab *Tab) Count(t testing.TB, sel string) int {
	t.Helper()
	var n int
	tab.Eval(t, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)), &n)
	return n
}

// Eval evaluates a JavaScript expression in the page, awaiting it when it
// is a promise, and decodes its JSON value into out (nil: the value is
// dropped). The page's Content-Security-Policy does not apply to it.
func (tab *Tab) Eval(t testing.TB, js string, out any) {
	t.Helper()
	raw := run(t, tab, "evaluating "+shorten(js), chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if out == nil {
		return
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("browsertest: evaluating %s: decoding %s: %v", shorten(js), shorten(string(raw)), err)
	}
}

// URL returns the address of the page the tab shows.
func (tab *Tab) URL(t testing.TB) string {
	t.Helper()
	return run(t, tab, "reading the location", chromedp.Location())
}

// SetLanguage makes every later request of the tab send Accept-Language:
// lang (for example "lv" or "en-GB,en;q=0.8").
func (tab *Tab) SetLanguage(t testing.TB, lang string) {
	t.Helper()
	tab.do(t, "setting Accept-Language", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	}))
}

// SetCookie stores c in the tab's browser context for the site of pageURL
// (c.Domain and c.Path, when set, narrow it as in a Set-Cookie header).
func (tab *Tab) SetCookie(t testing.TB, pageURL string, c *http.Cookie) {
	t.Helper()
	p := network.SetCookieParams{Name: c.Name, Value: c.Value, URL: pageURL, Domain: c.Domain, Path: c.Path,
		Secure: &c.Secure, HTTPOnly: &c.HttpOnly}
	switch c.SameSite {
	case http.SameSiteStrictMode:
		p.SameSite = network.CookieSameSiteStrict
	case http.SameSiteLaxMode:
		p.SameSite = network.CookieSameSiteLax
	case http.SameSiteNoneMode:
		p.SameSite = network.CookieSameSiteNone
	}
	if !c.Expires.IsZero() {
		p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixMilli()) / 1000)
	}
	tab.do(t, "setting the cookie "+c.Name, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, p)
		return err
	}))
}

// Screenshot writes a PNG of the whole page (beyond the viewport) as
// <name>.png into the screenshots folder and returns its path.
func (tab *Tab) Screenshot(t testing.TB, name string) string {
	t.Helper()
	png := run(t, tab, "taking a screenshot", chromedp.FullScreenshot(100))
	path, err := writeScreenshot(name, png)
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	t.Logf("browsertest: screenshot %s", path)
	return path
}

// failureScreenshot leaves the page of a failed test in the screenshots
// folder; any error is only logged, the test has failed already.
func (tab *Tab) failureScreenshot(t testing.TB) {
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		var path string
		if path, err = writeScreenshot("failed-"+t.Name(), png); err == nil {
			t.Logf("browsertest: the page when the test failed: %s", path)
			return
		}
	}
	t.Logf("browsertest: no screenshot of the failed test: %v", err)
}

// ScreenshotDir is the folder screenshots are written to: MOOC_SCREENSHOTS
// (relative to the module root), else bin/screenshots at the module root.
func ScreenshotDir() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := os.Getenv("MOOC_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("bin", "screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return dir, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func writeScreenshot(name string, png []byte) (string, error) {
	dir, err := ScreenshotDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("the screenshots folder: %w", err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("writing the screenshot: %w", err)
	}
	return path, nil
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
