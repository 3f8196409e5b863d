package catalogue

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/page"
	"mooc/internal/validation"
	"mooc/media"
)

// MediaLookup is what the catalogue needs to know about uploaded files
// (the media domain).
type MediaLookup interface {
	Lookup(ctx context.Context, id string) (media.Media, error)
}

// TestCatalogue lists the knowledge tests of courses (the assessment
// domain's records): the outline shows them and publishing asks for a
// final test among them.
type TestCatalogue interface {
	ForCourses(ctx context.Context, courseIDs []string) (map[string][]TestSummary, error)
}

// TestBanks copies a course's question bank and tests into another course
// and removes them with a deleted draft (the assessment domain). Both run
// in the transaction the context carries, so a copy or a deletion is
// whole or not at all.
type TestBanks interface {
	CopyBank(ctx context.Context, fromCourseID, toCourseID string) error
	DropBank(ctx context.Context, courseID string) error
}

// CohortReader reads the cohorts of courses (the cohorts domain, which
// itself reads courses from here): archiving asks whether one has not
// ended, and a methodology's run history lists them.
type CohortReader interface {
	CohortsOf(ctx context.Context, courseIDs []string) (map[string][]Run, error)
}

// Deps is what the catalogue is built with. Cohorts may be nil only in the
// catalogue the cohorts service is built with, which never archives nor
// lists runs: the two domains read each other, so the catalogue is built
// before the cohorts without them and again after them with them, and no
// service is changed once built.
type Deps struct {
	DB      *database.DB
	Media   MediaLookup
	Tests   TestCatalogue
	Banks   TestBanks
	Cohorts CohortReader
	Now     func() time.Time // the clock; time.Now when nil
	// OutlineTTL is how long an outline is served from the cache before
	// it is read again, and so how long a change made on another replica
	// may go unseen here (outline_cache.go); a second when zero.
	OutlineTTL time.Duration
	// Outlines is a cache of outlines to share with another catalogue
	// service of the same process (NewOutlines), so that a write through
	// either is seen by both at once; nil: a cache of this service's own.
	Outlines *Outlines
}

// Outlines is a cache of published outlines that catalogue services of one
// process share.
type Outlines struct{ cache *outlineCache }

// NewOutlines makes a cache for Deps.Outlines with the lifetime and clock
// the services are given (a second and time.Now when zero).
func NewOutlines(ttl time.Duration, now func() time.Time) *Outlines {
	if ttl <= 0 {
		ttl = outlineTTL
	}
	return &Outlines{cache: newOutlineCache(ttl, outlineCacheBytes, clock.Or(now))}
}

// Service is the catalogue domain.
type Service struct {
	db      *database.DB
	store   store
	media   MediaLookup
	tests   TestCatalogue
	banks   TestBanks
	cohorts CohortReader
	now     func() time.Time
	cache   *outlineCache
}

// New builds the service.
func New(d Deps) *Service {
	now := clock.Or(d.Now)
	outlines := d.Outlines
	if outlines == nil {
		outlines = NewOutlines(d.OutlineTTL, now)
	}
	return &Service{db: d.DB, store: store{d.DB}, media: d.Media, tests: d.Tests, banks: d.Banks, cohorts: d.Cohorts, now: now,
		cache: outlines.cache}
}

// errNoCohorts is a catalogue built without its CohortReader asked for
// cohorts: a wiring mistake, answered as an internal error.
var errNoCohorts = errors.New("catalogue: built without a cohort reader")

func (s *Service) cohortsOf(ctx context.Context, courseIDs []string) (map[string][]Run, error) {
	if s.cohorts == nil {
		return nil, errNoCohorts
	}
	if len(courseIDs) == 0 {
		return map[string][]Run{}, nil
	}
	return s.cohorts.CohortsOf(ctx, courseIDs)
}

// CreateMethodology adds a methodology (team only; the caller checks role).
func (s *Service) CreateMethodology(ctx context.Context, in NewMethodology) (Methodology, error) {
	in.Title = strings.TrimSpace(in.Title)
	if err := validation.Struct(in); err != nil {
		return Methodology{}, err
	}
	row := methodologyRow{ID: uuid.NewString(), Title: in.Title, Summary: strings.TrimSpace(in.Summary), Direction: in.Direction, CreatedAt: s.now().UTC()}
	if err := s.store.insertMethodology(ctx, row); err != nil {
		return Methodology{}, err
	}
	return toMethodology(row), nil
}

// Methodology returns one methodology. Errors: ErrNotFound.
func (s *Service) Methodology(ctx context.Context, id string) (Methodology, error) {
	if uuid.Validate(id) != nil {
		return Methodology{}, ErrNotFound
	}
	row, err := s.store.methodology(ctx, id)
	if errors.Is(err, ErrMethodologyAbsent) {
		return Methodology{}, ErrNotFound
	}
	return toMethodology(row), err
}

// Methodologies lists methodologies by title.
func (s *Service) Methodologies(ctx context.Context, limit int, cursor string) ([]Methodology, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	rows, err := s.store.methodologies(ctx, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r methodologyRow) []string { return []string{r.Title, r.ID} })
	out := make([]Methodology, len(rows))
	for i, r := range rows {
		out[i] = toMethodology(r)
	}
	return out, next, nil
}

// CreateCourse starts a draft course owned by the caller (an author or
// the team). Errors: *validation.Error.
func (s *Service) CreateCourse(ctx context.Context, caller accounts.Principal, in NewCourse) (Course, error) {
	in.Title = strings.TrimSpace(in.Title)
	if err := validation.Struct(in); err != nil {
		return Course{}, err
	}
	if uuid.Validate(in.MethodologyID) != nil {
		return Course{}, validation.Fail(validation.Field("methodology_id", "no such methodology"))
	}
	if _, err := s.store.methodology(ctx, in.MethodologyID); err != nil {
		if errors.Is(err, ErrMethodologyAbsent) {
			return Course{}, validation.Fail(validation.Field("methodology_id", "no such methodology"))
		}
		return Course{}, err
	}
	now := s.now().UTC()
	row := courseRow{
		ID: uuid.NewString(), MethodologyID: in.MethodologyID, OwnerID: caller.UserID,
		Title: in.Title, Summary: strings.TrimSpace(in.Summary), Language: or(in.Language, "lv"),
		Weeks: orInt(in.Weeks, 5), EffortHours: orInt(in.EffortHours, 12), PassPercent: orInt(in.PassPercent, 70),
		Status: StatusDraft, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.insertCourse(ctx, row); err != nil {
		return Course{}, err
	}
	return s.outline(ctx, row)
}

// Course returns a course's outline if the caller may see it: a
// published or archived course from the outline cache (outline_cache.go)
// unless the caller edits it, a draft or an editor's view from the
// database. The course is the caller's to change. Errors: ErrNotFound
// (also for a draft the caller may not see).
func (s *Service) Course(ctx context.Context, caller accounts.Principal, id string) (Course, error) {
	e, c, err := s.view(ctx, caller, id)
	switch {
	case err != nil:
		return Course{}, err
	case e != nil:
		return e.course.clone(), nil
	}
	return c, nil
}

// Outline is a course's outline as GET /courses/{id} answers it: Course's
// answer encoded as JSON, and a version of that encoding (equal versions,
// equal bytes), from which a reply's entity tag is made.
type Outline struct {
	JSON    []byte // shared with the cache: read it, never change it
	Version string
}

// Outline is Course encoded, from the cache's encoding where Course
// answers from the cache. Errors as Course.
func (s *Service) Outline(ctx context.Context, caller accounts.Principal, id string) (Outline, error) {
	e, c, err := s.view(ctx, caller, id)
	switch {
	case err != nil:
		return Outline{}, err
	case e != nil:
		return Outline{JSON: e.json, Version: e.version}, nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return Outline{}, err
	}
	return Outline{JSON: raw, Version: versionOf(raw)}, nil
}

// view finds the outline caller may see: the cached public one (e) or,
// for a draft or an editor, one read now (c). The team edits every course
// and skips the cache; so does a read inside a transaction, which may see
// its own uncommitted writes.
func (s *Service) view(ctx context.Context, caller accounts.Principal, id string) (*outlineEntry, Course, error) {
	key, ok := cacheKey(id)
	if !ok {
		return nil, Course{}, ErrNotFound
	}
	if !caller.IsTeam() && !database.InTransaction(ctx) {
		e, err := s.cache.get(ctx, key, s.publicOutline)
		switch {
		case err != nil:
			return nil, Course{}, err
		case e != nil && !canEdit(e.course, caller):
			return e, Course{}, nil
		case e == nil && !caller.Has(accounts.RoleAuthor):
			return nil, Course{}, ErrNotFound // a draft, and the caller edits none
		}
	}
	c, err := s.load(ctx, key)
	if err != nil {
		return nil, Course{}, err
	}
	if !canSee(c, caller) {
		return nil, Course{}, ErrNotFound
	}
	return nil, outlineFor(c, caller), nil
}

// publicOutline reads a course's outline for the cache: published and
// archived courses as those who do not edit them see them; nil for a
// draft, which is not held.
func (s *Service) publicOutline(ctx context.Context, id string) (*outlineEntry, error) {
	at := s.now()
	row, err := s.store.course(ctx, id)
	if err != nil || row.Status == StatusDraft {
		return nil, err
	}
	c, err := s.outline(ctx, row)
	if err != nil {
		return nil, err
	}
	return newOutlineEntry(outlineFor(c, accounts.Principal{}), at)
}

// forget drops a course from the outline cache. Each write that can change
// an outline defers it, so it runs once the write's transaction has
// committed (db.InTx has returned).
func (s *Service) forget(courseID *string) { s.cache.forget(*courseID) }

// outlineFor leaves the lessons' text out for those who do not edit the
// course: the catalogue is public, while the content is for enrolled
// learners once each week opens (LessonFor).
func outlineFor(c Course, caller accounts.Principal) Course {
	if canEdit(c, caller) {
		return c
	}
	for w := range c.Weeks {
		lessons := make([]Lesson, len(c.Weeks[w].Lessons))
		for i, l := range c.Weeks[w].Lessons {
			l.Body = ""
			lessons[i] = l
		}
		c.Weeks[w].Lessons = lessons
	}
	return c
}

// Published returns a published course without an access check, for
// domains that run it (cohorts, which open a cohort only of a course this
// answers). Errors: ErrNotFound, ErrNotPublished, ErrCourseArchived (a
// past edition takes no new cohort).
func (s *Service) Published(ctx context.Context, id string) (Course, error) {
	c, err := s.load(ctx, id)
	if err != nil {
		return Course{}, err
	}
	switch c.Status {
	case StatusDraft:
		return c, ErrNotPublished
	case StatusArchived:
		return c, ErrCourseArchived
	}
	return c, nil
}

// CourseFilter narrows a listing.
type CourseFilter struct {
	MethodologyID string
	Status        string
}

// Courses lists the courses the caller may see, newest first.
func (s *Service) Courses(ctx context.Context, caller accounts.Principal, f CourseFilter, limit int, cursor string) ([]Course, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	filter := courseFilter{methodologyID: f.MethodologyID, status: f.Status, visibleTo: "-"}
	switch {
	case caller.IsTeam():
		filter.visibleTo = ""
	case caller.Has(accounts.RoleAuthor):
		filter.visibleTo = caller.UserID
	}
	rows, err := s.store.courses(ctx, filter, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r courseRow) []string { return page.TimeKey(r.CreatedAt, r.ID) })
	out, err := s.outlines(ctx, rows)
	for i := range out {
		out[i] = outlineFor(out[i], caller)
	}
	return out, next, err
}

// load reads a course with its outline.
func (s *Service) load(ctx context.Context, id string) (Course, error) {
	if uuid.Validate(id) != nil {
		return Course{}, ErrNotFound
	}
	row, err := s.store.course(ctx, id)
	if err != nil {
		return Course{}, err
	}
	return s.outline(ctx, row)
}

// loadLocked is load with the course row locked until the transaction
// ends (PostgreSQL), so that edits and publishing of one course do not
// interleave.
func (s *Service) loadLocked(ctx context.Context, id string) (Course, error) {
	if uuid.Validate(id) != nil {
		return Course{}, ErrNotFound
	}
	row, err := s.store.lockCourse(ctx, id)
	if err != nil {
		return Course{}, err
	}
	return s.outline(ctx, row)
}

func (s *Service) outline(ctx context.Context, row courseRow) (Course, error) {
	out, err := s.outlines(ctx, []courseRow{row})
	if err != nil {
		return Course{}, err
	}
	return out[0], nil
}

// outlines assembles courses with their weeks, lessons, captions and tests
// in a fixed number of queries, whatever the number of courses.
func (s *Service) outlines(ctx context.Context, rows []courseRow) ([]Course, error) {
	if len(rows) == 0 {
		return []Course{}, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	lessons, err := s.store.lessons(ctx, ids...)
	if err != nil {
		return nil, err
	}
	lessonIDs := make([]string, len(lessons))
	for i, l := range lessons {
		lessonIDs[i] = l.ID
	}
	captions, err := s.store.captions(ctx, lessonIDs)
	if err != nil {
		return nil, err
	}
	tests, err := s.tests.ForCourses(ctx, ids)
	if err != nil {
		return nil, err
	}
	byCourse := map[string][]Lesson{}
	for _, l := range lessons {
		byCourse[l.CourseID] = append(byCourse[l.CourseID], toLesson(l, captions[l.ID]))
	}
	out := make([]Course, len(rows))
	for i, r := range rows {
		out[i] = toCourse(r, byCourse[r.ID], tests[r.ID])
	}
	return out, nil
}

func toMethodology(r methodologyRow) Methodology {
	return Methodology{ID: r.ID, Title: r.Title, Summary: r.Summary, Direction: r.Direction, CreatedAt: r.CreatedAt.UTC()}
}

func toCourse(r courseRow, lessons []Lesson, tests []TestSummary) Course {
	c := Course{
		ID: r.ID, MethodologyID: r.MethodologyID, OwnerID: r.OwnerID, Title: r.Title, Summary: r.Summary,
		Language: r.Language, EffortHours: r.EffortHours, PassPercent: r.PassPercent, Status: r.Status,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Weeks: make([]Week, r.Weeks), Tests: tests,
	}
	if r.PublishedAt != nil {
		at := r.PublishedAt.UTC()
		c.PublishedAt = &at
	}
	if r.ArchivedAt != nil {
		at := r.ArchivedAt.UTC()
		c.ArchivedAt = &at
	}
	c.CopiedFrom = r.CopiedFrom
	if c.Tests == nil {
		c.Tests = []TestSummary{}
	}
	for i := range c.Weeks {
		c.Weeks[i] = Week{Number: i + 1, Lessons: []Lesson{}}
	}
	for _, l := range lessons {
		if l.Week >= 1 && l.Week <= r.Weeks {
			c.Weeks[l.Week-1].Lessons = append(c.Weeks[l.Week-1].Lessons, l)
		}
	}
	return c
}

func toLesson(r lessonRow, captions []Caption) Lesson {
	if captions == nil {
		captions = []Caption{}
	}
	return Lesson{ID: r.ID, CourseID: r.CourseID, Week: r.Week, Position: r.Position, Title: r.Title, Kind: r.Kind,
		Minutes: r.Minutes, MediaID: r.MediaID, Body: r.Body, Captions: captions}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
