package web

import (
	"bytes"
	"sync"
	"time"
)

// The catalogue and course pages of visitors who are not signed in are the
// same for everyone of a language, bar the CSRF token; they are the pages
// most read when a cohort opens. They are kept rendered for a second
// (anonTTL), so that a crowd costs one rendering a second, not one each:
// seat counts shown to visitors may be a second old, while the enrolment
// itself is decided by the cohorts service, and signed-in pages are always
// rendered afresh.
const (
	anonTTL     = time.Second
	anonEntries = 2048 // pages held at the most; more courses than that are rendered each time
	// csrfSlot stands for the CSRF token in a kept page, put back per
	// request; html/template leaves its characters as they are.
	csrfSlot = "csrf-slot-8f1e6d2a4c7b9035"
)

type anonPage struct {
	body    []byte
	status  int
	expires time.Time
}

// anonPages holds the rendered pages, by language and path.
type anonPages struct {
	mu    sync.Mutex
	pages map[string]anonPage
}

func (a *anonPages) get(key string, now time.Time) (anonPage, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.pages[key]
	if !ok || !now.Before(p.expires) {
		return anonPage{}, false
	}
	return p, true
}

func (a *anonPages) put(key string, p anonPage, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pages == nil {
		a.pages = map[string]anonPage{}
	}
	if len(a.pages) >= anonEntries {
		for k, old := range a.pages {
			if !now.Before(old.expires) {
				delete(a.pages, k)
			}
		}
		if len(a.pages) >= anonEntries {
			return
		}
	}
	a.pages[key] = p
}

// withToken is a kept page with the request's CSRF token in its slots.
func withToken(body []byte, token string) []byte {
	return bytes.ReplaceAll(body, []byte(csrfSlot), []byte(token))
}
