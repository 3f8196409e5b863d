// Package reportstest writes a made-up history of courses, cohorts and
// learners straight into the tables with SQL, in bulk, for the tests and
// benchmarks of the reports: what learners did is stated (lessons done,
// final test passed, certified) instead of played through the services,
// so thousands of enrolments take a second.
package reportstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
)

// Course is a course the history's learners take.
type Course struct {
	ID, MethodologyID, Title, FinalTestID string
	Lessons                               []Lesson // in the order learners complete them
}

// Lesson is one lesson of a Course.
type Lesson struct {
	ID   string
	Week int
}

// Learner is one enrolment and what its learner did.
type Learner struct {
	UserID       string // an existing user's; a new user when empty
	Municipality string
	Status       string // enrolled when empty; waitlisted, withdrawn
	Lessons      int    // the course's first so many lessons completed
	FinalPassed  bool
	Certified    bool
}

// History writes into one database.
type History struct {
	t   testing.TB
	db  *database.DB
	Now time.Time
}

// New starts a history on db; its times are around now.
func New(t testing.TB, db *database.DB) *History {
	return &History{t: t, db: db, Now: time.Now().UTC().Truncate(time.Second)}
}

var serial atomic.Int64

// Course adds a published course of the given weeks, with lessonsPerWeek
// lessons each and a final test, under a methodology of its own.
func (h *History) Course(title string, weeks, lessonsPerWeek int) Course {
	h.t.Helper()
	owner := h.users([]string{""})[0]
	c := Course{ID: uuid.NewString(), MethodologyID: uuid.NewString(), Title: title, FinalTestID: uuid.NewString()}
	h.insert("methodologies", []string{"id", "title", "summary", "direction", "created_at"},
		[][]any{{c.MethodologyID, "Metodika: " + title, "", "theory", h.Now}})
	h.insert("courses", []string{"id", "methodology_id", "owner_id", "title", "summary", "language", "weeks", "effort_hours", "pass_percent", "status", "published_at", "created_at", "updated_at"},
		[][]any{{c.ID, c.MethodologyID, owner, title, "", "lv", weeks, 12, 70, "published", h.Now, h.Now, h.Now}})
	var lessons [][]any
	for w := 1; w <= weeks; w++ {
		for i := range lessonsPerWeek {
			l := Lesson{ID: uuid.NewString(), Week: w}
			c.Lessons = append(c.Lessons, l)
			lessons = append(lessons, []any{l.ID, c.ID, w, i + 1, fmt.Sprintf("%d.%d", w, i+1), "reading", 10, "Teksts.", h.Now, h.Now})
		}
	}
	h.insert("lessons", []string{"id", "course_id", "week", "position", "title", "kind", "minutes", "body", "created_at", "updated_at"}, lessons)
	h.insert("tests", []string{"id", "course_id", "title", "week", "final", "question_count", "pass_percent", "time_limit_minutes", "max_attempts", "shuffle", "created_at"},
		[][]any{{c.FinalTestID, c.ID, "Noslēguma tests", nil, true, 5, 70, 30, 3, false, h.Now}})
	return c
}

// Cohort adds a cohort of course that ends at ends (five weeks after it
// starts) and returns its id.
func (h *History) Cohort(course Course, title string, ends time.Time) string {
	h.t.Helper()
	id := uuid.NewString()
	starts := ends.Add(-35 * 24 * time.Hour)
	h.insert("cohorts", []string{"id", "course_id", "title", "capacity", "enrolled_count", "enrolment_opens_at", "enrolment_closes_at", "starts_at", "ends_at", "created_at", "updated_at"},
		[][]any{{id, course.ID, title, 200, 0, starts.Add(-30 * 24 * time.Hour), starts, starts, ends, h.Now, h.Now}})
	return id
}

// Enrolment is one written by Enrol.
type Enrolment struct{ ID, UserID string }

// Enrol adds an enrolment per learner to the cohort (a new user unless
// UserID names one) with what each did, and returns them in order.
func (h *History) Enrol(course Course, cohortID string, learners ...Learner) []Enrolment {
	h.t.Helper()
	given, municipalities := make([]string, len(learners)), make([]string, len(learners))
	for i, l := range learners {
		given[i], municipalities[i] = l.UserID, l.Municipality
	}
	users := h.usersOr(given, municipalities)
	var enrolments, progress, attempts, certs [][]any
	ids := make([]Enrolment, len(learners))
	for i, l := range learners {
		id := uuid.NewString()
		ids[i] = Enrolment{ID: id, UserID: users[i]}
		status := l.Status
		if status == "" {
			status = "enrolled"
		}
		at := h.Now.Add(-40 * 24 * time.Hour)
		enrolments = append(enrolments, []any{id, cohortID, course.ID, users[i], status, serial.Add(1), at, at, at})
		for _, ls := range course.Lessons[:min(l.Lessons, len(course.Lessons))] {
			progress = append(progress, []any{id, ls.ID, 60, true, at, at})
		}
		if l.FinalPassed {
			attempts = append(attempts, []any{uuid.NewString(), course.FinalTestID, id, users[i], 1, at, at.Add(time.Hour), at.Add(time.Minute), 5, 5, 100, true})
		}
		if l.Certified {
			code := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
			certs = append(certs, []any{uuid.NewString(), code, "enrolment", id, users[i], "Vārds Uzvārds", "course", course.Title, "Metodika", 12,
				at, at, at, "certificates/" + code + ".pdf", ""})
		}
	}
	h.insert("enrolments", []string{"id", "cohort_id", "course_id", "user_id", "status", "queue_seq", "enrolled_at", "created_at", "updated_at"}, enrolments)
	h.insert("lesson_progress", []string{"enrolment_id", "lesson_id", "position_seconds", "completed", "completed_at", "updated_at"}, progress)
	h.insert("attempts", []string{"id", "test_id", "enrolment_id", "user_id", "number", "started_at", "expires_at", "submitted_at", "score", "max_score", "percent", "passed"}, attempts)
	h.insert("certificates", []string{"id", "code", "source_kind", "source_id", "user_id", "holder_name", "kind", "title", "methodology_title", "hours",
		"period_from", "period_to", "issued_at", "pdf_key", "revocation_reason"}, certs)
	return ids
}

// usersOr is given with each empty id replaced by a new user of the
// municipality at the same place.
func (h *History) usersOr(given, municipalities []string) []string {
	h.t.Helper()
	var wanted []string
	for i, id := range given {
		if id == "" {
			wanted = append(wanted, municipalities[i])
		}
	}
	fresh := h.users(wanted)
	out := slices.Clone(given)
	for i, id := range out {
		if id == "" {
			out[i], fresh = fresh[0], fresh[1:]
		}
	}
	return out
}

// users adds a user per municipality and returns their ids.
func (h *History) users(municipalities []string) []string {
	h.t.Helper()
	ids := make([]string, len(municipalities))
	rows := make([][]any, len(municipalities))
	for i, m := range municipalities {
		ids[i] = uuid.NewString()
		rows[i] = []any{ids[i], ids[i] + "@mooc.test", "x", "Vārds", "Uzvārds", m, h.Now, h.Now}
	}
	h.insert("users", []string{"id", "email", "password_hash", "given_name", "family_name", "municipality", "created_at", "updated_at"}, rows)
	return ids
}

// insert writes rows in statements of a few hundred values each.
func (h *History) insert(table string, cols []string, rows [][]any) {
	h.t.Helper()
	per := max(1, 900/len(cols))
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(batch)*len(cols))
		values := make([]string, len(batch))
		for i, r := range batch {
			values[i] = marks
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.Join(values, ", ")
		if err := h.db.Conn(context.Background()).Exec(q, args...).Error; err != nil {
			h.t.Fatalf("reportstest: %s: %v", table, err)
		}
	}
}

// Participant is one application to an in-person programme and the hours
// its applicant attended.
type Participant struct {
	UserID       string // an existing user's; a new user when empty
	Municipality string
	Status       string // accepted when empty; applied, waitlisted, withdrawn
	Hours        int
}

// Programme adds an in-person programme of the methodology, of the given
// hours (90% of them complete it), that ends at ends, and returns its id.
func (h *History) Programme(methodologyID, title string, hours int, ends time.Time) string {
	h.t.Helper()
	id := uuid.NewString()
	starts := ends.Add(-60 * 24 * time.Hour)
	h.insert("programmes", []string{"id", "methodology_id", "title", "hours", "group_size", "location", "region", "starts_at", "ends_at",
		"applications_open_at", "applications_close_at", "completion_percent", "created_at", "updated_at"},
		[][]any{{id, methodologyID, title, hours, 20, "Rīga", "Rīga", starts, ends, starts.Add(-60 * 24 * time.Hour), starts.Add(-30 * 24 * time.Hour), 90, h.Now, h.Now}})
	return id
}

// Attend adds an application per participant to the programme (a new
// user unless UserID names one) and returns them in order.
func (h *History) Attend(programmeID string, participants ...Participant) []Enrolment {
	h.t.Helper()
	given, municipalities := make([]string, len(participants)), make([]string, len(participants))
	for i, p := range participants {
		given[i], municipalities[i] = p.UserID, p.Municipality
	}
	users := h.usersOr(given, municipalities)
	var rows [][]any
	ids := make([]Enrolment, len(participants))
	for i, p := range participants {
		user := users[i]
		status := p.Status
		if status == "" {
			status = "accepted"
		}
		ids[i] = Enrolment{ID: uuid.NewString(), UserID: user}
		at := h.Now.Add(-90 * 24 * time.Hour)
		rows = append(rows, []any{ids[i].ID, programmeID, user, p.Municipality, false, status, serial.Add(1), p.Hours, at, at})
	}
	h.insert("applications", []string{"id", "programme_id", "user_id", "municipality", "took_part_in_pilot", "status", "queue_seq", "attended_hours", "applied_at", "updated_at"}, rows)
	return ids
}
