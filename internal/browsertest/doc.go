// Package browsertest drives Debian's Chromium from a Go test, so the web
// pages are tested as a person meets them: loaded, clicked, typed into,
// walked through with the keyboard alone, checked by axe-core against WCAG
// 2.1 A and AA, and photographed.
//
//	b := browsertest.Start(t) // Chromium for this test, closed at its end
//	tab := b.NewTab(t, browsertest.Viewport{Width: 375, Height: 800, Mobile: true})
//	tab.SetLanguage(t, "lv")
//	tab.Navigate(t, url)
//	tab.SendKeys(t, "#email", "anna@example.lv")
//	tab.Press(t, browsertest.KeyTab)
//	tab.PressNavigate(t, browsertest.KeyEnter)
//	if vs := tab.Axe(t); len(vs) > 0 {
//		t.Errorf("accessibility:\n%s", vs)
//	}
//	if ps := tab.Problems(t); len(ps) > 0 {
//		t.Errorf("console errors or CSP violations:\n%s", strings.Join(ps, "\n"))
//	}
//	tab.Screenshot(t, "course-page-lv-375")
//
// Start runs /usr/bin/chromium (or chromium on PATH), installing the Debian
// package when it is missing (internal/testenv); a browser that cannot
// start fails the test, it never skips it. Each tab is a browser context
// of its own, so two tabs are two people with their own cookies. Every
// step waits with the browser's own means (a selector that appears, a
// page that loads), never a fixed sleep, and gives up after a while with
// an error naming the step.
//
// axe-core is the version tools/axe/package-lock.json pins, installed into
// tools/axe/node_modules by `npm ci` the first time it is needed.
//
// Screenshots are PNG files in the folder MOOC_SCREENSHOTS names (relative
// to the module root), by default bin/screenshots at the module root; a tab
// whose test failed leaves one there too, named after the test.
package browsertest
