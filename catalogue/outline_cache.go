package catalogue

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The outline cache holds, for each published or archived course read
// lately, its outline as everyone but its editors sees it (outlineFor of
// a caller who does not edit it: the lessons without their text), that
// outline's JSON encoding and a version of the encoding. Course and
// Outline answer from it, so the API's GET /courses/{id} and any page
// that shows a course read the same bytes without a query.
//
// What is never held: drafts, which only their editors see (and since no
// course goes back to draft, an entry can never turn into one a learner
// would then be shown), and editors' views, which carry the lessons' text
// and are read from the database each time. Nothing in an outline changes
// with enrolments (cohorts and their seats are the cohorts domain's, not
// part of a Course), so nothing in an entry goes stale as people enrol.
//
// Replicas share one database, and each has its own cache. The design is
// a short bounded lifetime plus invalidation on the replica that writes:
//
//   - every write of this service that can change an outline (publishing,
//     corrections, archiving, deleting, lesson edits and reordering) forgets
//     the course once its transaction has committed, so the replica that
//     made the change serves the new outline to the very next request, and
//     a load that was under way meanwhile is not kept;
//   - an entry is served for at most the cache's lifetime (outlineTTL, one
//     second, by the domain clock and by the machine's, whichever says it
//     is older), after which the outline is read again; so another replica
//     serves a corrected course within a second.
//
// The other design, comparing a stamp read from the database on every
// request (courses.updated_at) with the cached one, keeps replicas exact
// but spends a query on every read, which is most of what the cache saves:
// an outline is four indexed reads, and the stamp one of them. And
// updated_at is the writer's clock, so two changes within one clock tick,
// or writers whose clocks disagree, could leave it unchanged. A second of
// staleness on other replicas is what the platform already accepts for
// ended sessions (accounts' revocation copy).
//
// The version is a hash of the encoding, not a counter, so replicas that
// read the same outline give it the same version, and a client's
// If-None-Match holds whichever replica answers.
//
// Memory is bounded: entries are kept in least-recently-used order within
// a budget of bytes (outlineCacheBytes), each counted as twice its
// encoding (the encoding and the decoded outline beside it).
type outlineCache struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time // the domain clock

	mu      sync.Mutex
	entries map[string]*list.Element // course id → element holding *outlineEntry
	order   list.List                // most recently used first
	bytes   int
	loading map[string]*outlineLoad // course id → the one read under way
}

// Outline cache limits.
const (
	outlineTTL        = time.Second
	outlineCacheBytes = 64 << 20
)

// outlineEntry is one course's public outline.
type outlineEntry struct {
	id       string
	course   Course // as those who do not edit it see it; shared, cloned before it leaves
	json     []byte
	version  string
	loadedAt time.Time // the domain clock when it was read
	loadedOn time.Time // the machine's (monotonic) clock then
}

func (e *outlineEntry) size() int { return 2*len(e.json) + 512 }

// outlineLoad is a read of one course's outline that concurrent readers
// wait for rather than each querying.
type outlineLoad struct {
	done  chan struct{}
	entry *outlineEntry // nil: a draft, which is not held
	err   error
	// forgotten: the course was written while this read ran, so what it
	// read may predate the write; it is handed to those already waiting
	// but not kept.
	forgotten bool
}

func newOutlineCache(ttl time.Duration, maxBytes int, now func() time.Time) *outlineCache {
	return &outlineCache{ttl: ttl, maxBytes: maxBytes, now: now,
		entries: map[string]*list.Element{}, loading: map[string]*outlineLoad{}}
}

// cacheKey is a course id in its canonical form, so that the id a reader
// typed and the one a writer forgets name the same entry. ok is false for
// what is no id.
func cacheKey(id string) (string, bool) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// fresh: read less than the lifetime ago by both clocks (a domain clock
// set back makes an entry stale, never fresher).
func (c *outlineCache) fresh(e *outlineEntry) bool {
	age := c.now().Sub(e.loadedAt)
	return age >= 0 && age < c.ttl && time.Since(e.loadedOn) < c.ttl
}

// getLocked returns the fresh entry for key, dropping a stale one.
func (c *outlineCache) getLocked(key string) *outlineEntry {
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*outlineEntry)
	if !c.fresh(e) {
		c.removeLocked(el)
		return nil
	}
	c.order.MoveToFront(el)
	return e
}

func (c *outlineCache) removeLocked(el *list.Element) {
	e := el.Value.(*outlineEntry)
	c.order.Remove(el)
	delete(c.entries, e.id)
	c.bytes -= e.size()
}

func (c *outlineCache) putLocked(e *outlineEntry) {
	if el, ok := c.entries[e.id]; ok {
		c.removeLocked(el)
	}
	if e.size() > c.maxBytes {
		return
	}
	c.entries[e.id] = c.order.PushFront(e)
	c.bytes += e.size()
	for c.bytes > c.maxBytes {
		c.removeLocked(c.order.Back())
	}
}

// get returns the fresh entry of key, reading it with read when there is
// none: one read per course at a time, which concurrent readers wait for.
// A nil entry without an error is a course that is not held (a draft).
func (c *outlineCache) get(ctx context.Context, key string, read func(ctx context.Context, key string) (*outlineEntry, error)) (*outlineEntry, error) {
	for {
		c.mu.Lock()
		if e := c.getLocked(key); e != nil {
			c.mu.Unlock()
			return e, nil
		}
		if l, ok := c.loading[key]; ok {
			c.mu.Unlock()
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if ctx.Err() == nil && (errors.Is(l.err, context.Canceled) || errors.Is(l.err, context.DeadlineExceeded)) {
				continue // the reader waited for gave up; this one has time left
			}
			return l.entry, l.err
		}
		l := &outlineLoad{done: make(chan struct{})}
		c.loading[key] = l
		c.mu.Unlock()
		c.run(ctx, key, l, read)
		return l.entry, l.err
	}
}

// peek returns the fresh entry for key, or nil, without reading one.
func (c *outlineCache) peek(key string) *outlineEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key)
}

// run performs one load and publishes its result, also when read panics.
func (c *outlineCache) run(ctx context.Context, key string, l *outlineLoad, read func(ctx context.Context, key string) (*outlineEntry, error)) {
	defer func() {
		c.mu.Lock()
		if c.loading[key] == l {
			delete(c.loading, key)
		}
		if l.err == nil && l.entry != nil && !l.forgotten {
			c.putLocked(l.entry)
		}
		c.mu.Unlock()
		close(l.done)
	}()
	l.entry, l.err = read(ctx, key)
}

// forget drops the course's entry and disowns a read of it under way.
// Writers call it after their transaction has committed: a read that
// begins afterwards sees the write.
func (c *outlineCache) forget(courseID string) {
	key, ok := cacheKey(courseID)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.removeLocked(el)
	}
	if l, ok := c.loading[key]; ok {
		l.forgotten = true
		delete(c.loading, key)
	}
}

// newOutlineEntry encodes a public outline and versions it.
func newOutlineEntry(c Course, loadedAt time.Time) (*outlineEntry, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return &outlineEntry{id: c.ID, course: c, json: raw, version: versionOf(raw), loadedAt: loadedAt, loadedOn: time.Now()}, nil
}

// versionOf is the version of an encoded outline: 128 bits of its SHA-256,
// URL-safe base64 (22 characters).
func versionOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// clone is c with nothing shared with the cache, so a caller may change
// what it got.
func (c Course) clone() Course {
	out := c
	out.CopiedFrom = clonePtr(c.CopiedFrom)
	out.PublishedAt = clonePtr(c.PublishedAt)
	out.ArchivedAt = clonePtr(c.ArchivedAt)
	out.Weeks = make([]Week, len(c.Weeks))
	for i, w := range c.Weeks {
		lessons := make([]Lesson, len(w.Lessons))
		for j, l := range w.Lessons {
			l.MediaID = clonePtr(l.MediaID)
			l.Captions = append(make([]Caption, 0, len(l.Captions)), l.Captions...)
			lessons[j] = l
		}
		out.Weeks[i] = Week{Number: w.Number, Lessons: lessons}
	}
	out.Tests = make([]TestSummary, len(c.Tests))
	for i, t := range c.Tests {
		t.Week = clonePtr(t.Week)
		out.Tests[i] = t
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
