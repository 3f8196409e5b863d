package catalogue

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fakeClock is a domain clock moved by hand, in nanoseconds since 1970.
type fakeClock struct{ at atomic.Int64 }

func (c *fakeClock) Now() time.Time  { return time.Unix(0, c.at.Load()).UTC() }
func (c *fakeClock) Set(t time.Time) { c.at.Store(t.UnixNano()) }

// reader counts the reads of the outlines it serves, titled by title.
type reader struct {
	clock *fakeClock
	reads atomic.Int64
	title atomic.Value // string
}

func (r *reader) read(_ context.Context, key string) (*outlineEntry, error) {
	r.reads.Add(1)
	title, _ := r.title.Load().(string)
	return newOutlineEntry(Course{ID: key, Title: title, Status: StatusPublished, Weeks: []Week{}, Tests: []TestSummary{}}, r.clock.Now())
}

func newReader() (*reader, *fakeClock) {
	clock := &fakeClock{}
	clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	r := &reader{clock: clock}
	r.title.Store("v1")
	return r, clock
}

func TestOutlineCacheLifetime(t *testing.T) {
	r, clock := newReader()
	c := newOutlineCache(time.Hour, 1<<20, clock.Now)
	id := uuid.NewString()
	ctx := context.Background()
	for range 3 {
		if _, err := c.get(ctx, id, r.read); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.reads.Load(); n != 1 {
		t.Fatalf("%d reads, want 1", n)
	}
	r.title.Store("v2")
	clock.Set(clock.Now().Add(59 * time.Minute))
	if e, _ := c.get(ctx, id, r.read); e.course.Title != "v1" {
		t.Fatalf("within the lifetime: %s", e.course.Title)
	}
	clock.Set(clock.Now().Add(time.Minute))
	if e, _ := c.get(ctx, id, r.read); e.course.Title != "v2" {
		t.Fatalf("after the lifetime: %s", e.course.Title)
	}
	// A clock set back makes an entry stale, not fresher.
	r.title.Store("v3")
	clock.Set(clock.Now().Add(-time.Minute))
	if e, _ := c.get(ctx, id, r.read); e.course.Title != "v3" {
		t.Fatalf("after the clock went back: %s", e.course.Title)
	}
	// A writer's forget names the course however its id is written.
	r.title.Store("v4")
	c.forget(strings.ToUpper(id))
	if e, _ := c.get(ctx, id, r.read); e.course.Title != "v4" {
		t.Fatalf("after forget: %s", e.course.Title)
	}
}

func TestOutlineCacheIsBounded(t *testing.T) {
	r, clock := newReader()
	probe, _ := r.read(context.Background(), uuid.NewString())
	c := newOutlineCache(time.Hour, 3*probe.size(), clock.Now)
	r.reads.Store(0)
	ids := make([]string, 5)
	ctx := context.Background()
	for i := range ids {
		ids[i] = uuid.NewString()
		if _, err := c.get(ctx, ids[i], r.read); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			_, _ = c.get(ctx, ids[0], r.read) // the first is used again
		}
	}
	if len(c.entries) != 3 || c.bytes > c.maxBytes || c.order.Len() != 3 {
		t.Fatalf("%d entries, %d list elements, %d bytes of %d", len(c.entries), c.order.Len(), c.bytes, c.maxBytes)
	}
	for _, want := range []string{ids[0], ids[3], ids[4]} {
		if _, ok := c.entries[want]; !ok {
			t.Errorf("%s was evicted, not the least recently used", want)
		}
	}
}

// Concurrent readers of a missing outline wait for one read (or find what
// it read); a write during a read keeps its result out of the cache.
func TestOutlineCacheReadsOnceAndForgetsDuringARead(t *testing.T) {
	_, clock := newReader()
	c := newOutlineCache(time.Hour, 1<<20, clock.Now)
	id := uuid.NewString()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var reads atomic.Int64
	slow := func(_ context.Context, key string) (*outlineEntry, error) {
		if reads.Add(1) == 1 {
			started <- struct{}{}
			<-release
		}
		return newOutlineEntry(Course{ID: key, Title: "old", Status: StatusPublished}, clock.Now())
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := c.get(ctx, id, slow); err != nil {
			t.Error(err)
		}
	})
	<-started
	for range 8 {
		wg.Go(func() {
			if e, err := c.get(ctx, id, slow); err != nil || e.course.Title != "old" {
				t.Errorf("a waiting reader got %v, %v", e, err)
			}
		})
	}
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads for 9 concurrent readers", n)
	}

	// A write that commits while a read runs: the read's result goes to
	// those waiting for it, but is not kept.
	c.forget(id)
	release = make(chan struct{})
	reads.Store(0)
	wg.Go(func() {
		if _, err := c.get(ctx, id, slow); err != nil {
			t.Error(err)
		}
	})
	<-started
	c.forget(id)
	close(release)
	wg.Wait()
	c.mu.Lock()
	_, kept := c.entries[id]
	c.mu.Unlock()
	if kept {
		t.Fatal("a read that overlapped a write was kept")
	}
	if _, err := c.get(ctx, id, slow); err != nil || reads.Load() != 2 {
		t.Fatalf("the next reader did not read again (%d reads, %v)", reads.Load(), err)
	}
}

func TestCourseClone(t *testing.T) {
	media, week, at := "m", 2, time.Now()
	c := Course{ID: "c", PublishedAt: &at, Weeks: []Week{{Number: 1, Lessons: []Lesson{{ID: "l", MediaID: &media, Captions: []Caption{{Language: "lv", MediaID: "v"}}}}}},
		Tests: []TestSummary{{ID: "t", Week: &week}}}
	d := c.clone()
	*d.Weeks[0].Lessons[0].MediaID = "x"
	d.Weeks[0].Lessons[0].Captions[0].Language = "en"
	d.Weeks[0].Lessons[0].Title = "changed"
	*d.Tests[0].Week = 5
	*d.PublishedAt = at.Add(time.Hour)
	l := c.Weeks[0].Lessons[0]
	if *l.MediaID != "m" || l.Captions[0].Language != "lv" || l.Title != "" || *c.Tests[0].Week != 2 || !c.PublishedAt.Equal(at) {
		t.Fatalf("the clone shares with the original: %+v", c)
	}
}
