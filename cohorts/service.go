package cohorts

import (
	"context"
	"time"

	"mooc/accounts"
	"mooc/audit"
	"mooc/catalogue"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/media"
	"mooc/notify/outbox"
)

// Courses is what running a course needs of the catalogue.
type Courses interface {
	Course(ctx context.Context, caller accounts.Principal, id string) (catalogue.Course, error)
	Published(ctx context.Context, id string) (catalogue.Course, error)
	Header(ctx context.Context, id string) (catalogue.Header, error)
	Headers(ctx context.Context, ids []string) (map[string]catalogue.Header, error)
	Editable(ctx context.Context, caller accounts.Principal, id string) (catalogue.Course, error)
	Lesson(ctx context.Context, id string) (catalogue.Lesson, error)
	CourseLesson(ctx context.Context, courseID, lessonID string) (catalogue.Lesson, error)
	LessonCounts(ctx context.Context, courseIDs []string) (map[string]int, error)
	TestCounts(ctx context.Context, courseIDs []string) (map[string]int, error)
}

// Files hands out links to lessons' files (the media domain).
type Files interface {
	Lookup(ctx context.Context, id string) (media.Media, error)
	SignedURL(ctx context.Context, m media.Media, ttl time.Duration) (string, error)
}

// TestRecords says how learners stand in their courses' tests (the
// assessment domain's records); how many tests a course has comes with
// its outline (Courses.TestCounts).
type TestRecords interface {
	Results(ctx context.Context, enrolmentIDs []string) (map[string]TestResult, error)
	FinalPassedAt(ctx context.Context, enrolmentIDs []string) (map[string]time.Time, error)
}

// TestResult is one enrolment's standing in the knowledge tests.
type TestResult struct {
	Passed      int  // tests passed (best attempt each)
	FinalPassed bool // the final test among them
}

// Audience names the people an opening cohort is announced to (the
// accounts domain).
type Audience interface {
	Listeners(ctx context.Context) ([]accounts.Listener, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB       *database.DB
	Courses  Courses
	Files    Files
	Tests    TestRecords
	Audience Audience
	People   People // whom the team's lists name
	Outbox   *outbox.Outbox
	Audit    *audit.Log       // the team's changes to cohorts; nil logs nothing
	Now      func() time.Time // the clock; time.Now when nil
}

// Service is the cohorts domain.
type Service struct {
	db       *database.DB
	store    store
	seats    seats
	courses  Courses
	files    Files
	tests    TestRecords
	audience Audience
	people   People
	outbox   *outbox.Outbox
	audit    *audit.Log
	now      func() time.Time
}

// New builds the service, with the seat statements of its database.
func New(d Deps) *Service {
	now := clock.Or(d.Now)
	st := store{d.DB}
	return &Service{db: d.DB, store: st, seats: newSeats(st, d.Outbox), courses: d.Courses, files: d.Files,
		tests: d.Tests, audience: d.Audience, people: d.People, outbox: d.Outbox, audit: d.Audit, now: now}
}
