package browsertest_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mooc/internal/browsertest"
)

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>%[1]s</h1>%s</main></body></html>`

// site is a few pages under a strict Content-Security-Policy, as the web
// pages have.
func site(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	serve := func(path, title, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprintf(w, page, title, body)
		})
	}
	serve("/{$}", "Form", `<form action="/done" method="get">
		<label for="name">Name</label> <input id="name" name="name">
		<button type="button" id="copy">Copy</button> <button type="submit" id="send">Send</button>
		</form><p id="out"></p><script src="/app.js"></script>`)
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`document.getElementById("copy").addEventListener("click", () => {
			document.getElementById("out").textContent = "Hello, " + document.getElementById("name").value;
		});`))
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, page, "Done", `<p id="name">`+html.EscapeString(r.FormValue("name"))+`</p>`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		cookie := "none"
		if c, err := r.Cookie("session"); err == nil {
			cookie = c.Value
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, page, "Echo", `<p id="lang">`+html.EscapeString(r.Header.Get("Accept-Language"))+
			`</p><p id="cookie">`+html.EscapeString(cookie)+`</p>`)
	})
	serve("/no-alt", "Picture", `<img src="/pixel.svg" width="10" height="10">`)
	mux.HandleFunc("/pixel.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`))
	})
	serve("/broken", "Broken", `<p>Text</p><script>document.title = "inline";</script><script src="/fail.js"></script>`)
	mux.HandleFunc("/fail.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`console.error("went wrong", 42);`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	srv := site(t)
	shots := t.TempDir()
	t.Setenv("MOOC_SCREENSHOTS", shots)
	b := browsertest.Start(t)
	desktop := browsertest.Viewport{Width: 1024, Height: 768}
	phone := browsertest.Viewport{Width: 375, Height: 800, Mobile: true}
	// open opens a tab on the page at path, which must answer 200.
	open := func(t *testing.T, vp browsertest.Viewport, path string) *browsertest.Tab {
		t.Helper()
		tab := b.NewTab(t, vp)
		if status := tab.Navigate(t, srv.URL+path); status != 200 {
			t.Fatalf("GET %s: status %d", path, status)
		}
		return tab
	}

	t.Run("type, click and read back", func(t *testing.T) {
		tab := open(t, desktop, "/")
		tab.SendKeys(t, "#name", "Jānis")
		tab.Click(t, "#copy")
		tab.WaitVisible(t, "#out")
		if got := tab.Text(t, "#out"); got != "Hello, Jānis" {
			t.Errorf("text %q", got)
		}
		if got := tab.Value(t, "#name"); got != "Jānis" {
			t.Errorf("value %q", got)
		}
		if v, ok := tab.Attribute(t, "form", "action"); v != "/done" || !ok {
			t.Errorf("action = %q, %v", v, ok)
		}
		if _, ok := tab.Attribute(t, "form", "data-none"); ok {
			t.Error("an attribute the form lacks is there")
		}
		if n := tab.Count(t, "button"); n != 2 {
			t.Errorf("%d buttons", n)
		}
		var sum int
		tab.Eval(t, `Promise.resolve(40 + 2)`, &sum)
		if sum != 42 {
			t.Errorf("eval = %d", sum)
		}
		if vs := tab.Axe(t); len(vs) > 0 {
			t.Errorf("a clean page has violations:\n%s", vs)
		}
		if ps := tab.Problems(t); len(ps) > 0 {
			t.Errorf("a clean page has problems: %q", ps)
		}
	})

	t.Run("keyboard only", func(t *testing.T) {
		tab := open(t, phone, "/")
		tab.Press(t, browsertest.KeyTab)
		if !tab.Focused(t, "#name") {
			t.Fatalf("after Tab the focus is on %s", tab.ActiveElement(t))
		}
		tab.Press(t, "Ilze")
		tab.Press(t, browsertest.KeyTab+browsertest.KeyTab)
		if !tab.Focused(t, "#send") {
			t.Fatalf("after two more Tabs the focus is on %s", tab.ActiveElement(t))
		}
		tab.PressShift(t, browsertest.KeyTab)
		if !tab.Focused(t, "#copy") {
			t.Fatalf("after Shift+Tab the focus is on %s", tab.ActiveElement(t))
		}
		tab.Press(t, browsertest.KeyTab)
		if status := tab.PressNavigate(t, browsertest.KeyEnter); status != 200 {
			t.Fatalf("status %d", status)
		}
		if got := tab.Text(t, "#name"); got != "Ilze" {
			t.Errorf("the next page shows %q", got)
		}
		if u := tab.URL(t); !strings.HasSuffix(u, "/done?name=Ilze") {
			t.Errorf("URL %s", u)
		}
		if status := tab.Navigate(t, srv.URL+"/"); status != 200 {
			t.Fatalf("status %d", status)
		}
		tab.SendKeys(t, "#name", "Anna")
		if status := tab.ClickNavigate(t, "#send"); status != 200 {
			t.Fatalf("status %d", status)
		}
		if got := tab.Text(t, "#name"); got != "Anna" {
			t.Errorf("the next page shows %q", got)
		}
	})

	t.Run("language and cookie", func(t *testing.T) {
		tab := b.NewTab(t, desktop)
		tab.SetLanguage(t, "lv")
		tab.SetCookie(t, srv.URL, &http.Cookie{Name: "session", Value: "s3cr3t", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		tab.Navigate(t, srv.URL+"/echo")
		if got := tab.Text(t, "#lang"); got != "lv" {
			t.Errorf("Accept-Language %q", got)
		}
		if got := tab.Text(t, "#cookie"); got != "s3cr3t" {
			t.Errorf("cookie %q", got)
		}
		// Another tab is another person.
		other := open(t, desktop, "/echo")
		if got := other.Text(t, "#cookie"); got != "none" {
			t.Errorf("another tab has the cookie %q", got)
		}
	})

	t.Run("axe finds an image without alt", func(t *testing.T) {
		tab := open(t, desktop, "/no-alt")
		vs := tab.Axe(t)
		if !slices.Contains(vs.IDs(), "image-alt") {
			t.Fatalf("violations %v, want image-alt", vs.IDs())
		}
		if s := vs.String(); !strings.Contains(s, `<img src="/pixel.svg"`) {
			t.Errorf("the report does not name the element:\n%s", s)
		}
		// Once more on the same page: axe is there already.
		if again := tab.Axe(t); !slices.Equal(again.IDs(), vs.IDs()) {
			t.Errorf("second run %v, first %v", again.IDs(), vs.IDs())
		}
	})

	t.Run("console errors and CSP violations", func(t *testing.T) {
		tab := open(t, desktop, "/broken")
		ps := strings.Join(tab.Problems(t), "\n")
		for _, want := range []string{"console.error: went wrong 42", "securitypolicyviolation: script-src-elem"} {
			if !strings.Contains(ps, want) {
				t.Errorf("problems lack %q:\n%s", want, ps)
			}
		}
		// A page that is missing is the status, not a problem.
		clean := b.NewTab(t, phone)
		if status := clean.Navigate(t, srv.URL+"/missing"); status != 404 {
			t.Errorf("status %d", status)
		}
		if ps := clean.Problems(t); len(ps) > 0 {
			t.Errorf("a 404 page has problems: %q", ps)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		tab := open(t, phone, "/")
		path := tab.Screenshot(t, "form page/375")
		if want := filepath.Join(shots, "form_page_375.png"); path != want {
			t.Errorf("path %s, want %s", path, want)
		}
		png, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
			t.Errorf("%s is not a PNG of a page (%d bytes)", path, len(png))
		}
	})
}

// Without MOOC_SCREENSHOTS, screenshots go to bin/screenshots at the
// module root.
func TestScreenshotDirDefault(t *testing.T) {
	t.Setenv("MOOC_SCREENSHOTS", "")
	dir, err := browsertest.ScreenshotDir()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "bin", "screenshots"); dir != want {
		t.Errorf("ScreenshotDir() = %s, want %s", dir, want)
	}
}
