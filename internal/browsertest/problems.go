package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// cspBinding is the function through which the tab's documents report
// securitypolicyviolation events; a binding, not a page script's console,
// so the report reaches the test whatever the page's own policy allows.
const cspBinding = "__browsertestCSPViolation"

// cspListener runs in every document of the tab before its own scripts.
const cspListener = `document.addEventListener("securitypolicyviolation", (e) => {
	try {
		window.` + cspBinding + `(JSON.stringify({directive: e.effectiveDirective || e.violatedDirective,
			blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
	} catch (_) {}
}, true);`

// pageLog collects what went wrong in a tab's pages: console errors,
// uncaught exceptions, the browser's own error messages (a resource that
// failed to load, a blocked request) and Content-Security-Policy
// violations. Its listener runs in the order the browser sends events,
// before the reply to any later command is handed over.
type pageLog struct {
	mu        sync.Mutex
	problems  []string
	documents map[network.RequestID]bool // requests for documents, whose status Navigate returns
}

func newPageLog() *pageLog { return &pageLog{documents: map[network.RequestID]bool{}} }

func (l *pageLog) add(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// listen is the tab's event listener: it must return at once and send no
// command.
func (l *pageLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument {
			l.documents[ev.RequestID] = true
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			l.add("console.%s: %s", ev.Type, argsText(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		l.add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level != log.EntryLevelError || l.documents[e.NetworkRequestID] || isFavicon(e.URL) {
			return
		}
		where := ""
		if e.URL != "" {
			where = " (" + e.URL + ")"
		}
		l.add("browser %s error: %s%s", e.Source, e.Text, where)
	case *runtime.EventBindingCalled:
		if ev.Name != cspBinding {
			return
		}
		var v struct {
			Directive, Blocked, Source, Sample string
			Line                               int
		}
		if err := json.Unmarshal([]byte(ev.Payload), &v); err != nil {
			l.add("securitypolicyviolation: %s", ev.Payload)
			return
		}
		l.add("securitypolicyviolation: %s blocked %q at %s:%d %s", v.Directive, v.Blocked, v.Source, v.Line, v.Sample)
	}
}

// isFavicon tells whether url is /favicon.ico, which Chromium asks for by
// itself when a page names no icon; a missing one is not the page's fault.
func isFavicon(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Path == "/favicon.ico"
}

// install sets up the CSP report in every document the tab loads later.
func (l *pageLog) install(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	if _, err := cdp.Call(ctx, t, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding}); err != nil {
		return chromedp.Void{}, err
	}
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
	return chromedp.Void{}, err
}

// argsText is a console call's arguments as the console shows them,
// roughly.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
		case len(a.Value) > 0:
			s = string(a.Value)
		default:
			s = a.Description
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Problems returns, in order, what has gone wrong in the tab's pages so
// far: console.error and failed console.assert calls, uncaught exceptions
// and unhandled rejections, the browser's error messages (a resource that
// did not load or answered an error status; the document itself is left
// out, its status is what Navigate returns, and so is the /favicon.ico the
// browser asks for by itself) and securitypolicyviolation events. A page fit to ship has none.
func (tab *Tab) Problems(t testing.TB) []string {
	t.Helper()
	// A violation is reported by an event the page dispatches in a task
	// of its own; two turns of the page's event loop let those queued
	// before this call run, and the reply to this call comes after the
	// reports they send.
	tab.Eval(t, `new Promise((done) => setTimeout(() => setTimeout(done, 0), 0))`, nil)
	tab.log.mu.Lock()
	defer tab.log.mu.Unlock()
	return append([]string(nil), tab.log.problems...)
}
