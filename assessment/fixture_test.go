package assessment

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
)

// fixture is a final test of a course with one learner enrolled, written
// with SQL: Submit needs no catalogue, and the benchmarks need many
// attempts faster than StartAttempt makes them.
type fixture struct {
	db              *database.DB
	svc             *Service
	learner, other  accounts.Principal
	testID, enrolID string
	questions       []seededQuestion
}

type seededQuestion struct {
	id      string
	points  int
	options []string
	correct []string
}

func newFixture(t testing.TB, db *database.DB, questions int) *fixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	f := &fixture{db: db, svc: New(Deps{DB: db}), // Submit needs neither the catalogue nor the cohorts
		learner: accounts.Principal{UserID: uuid.NewString()}, other: accounts.Principal{UserID: uuid.NewString()},
		testID: uuid.NewString(), enrolID: uuid.NewString()}
	methodology, course, cohort := uuid.NewString(), uuid.NewString(), uuid.NewString()
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Conn(ctx).Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, id := range []string{f.learner.UserID, f.other.UserID} {
		exec(`INSERT INTO users (id, email, password_hash, given_name, family_name, created_at, updated_at)
			VALUES (?, ?, 'x', 'Anna', 'Bērziņa', ?, ?)`, id, id+"@example.lv", now, now)
	}
	exec(`INSERT INTO methodologies (id, title, direction, created_at) VALUES (?, 'Krīzes intervence', 'social', ?)`, methodology, now)
	exec(`INSERT INTO courses (id, methodology_id, owner_id, title, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at)
		VALUES (?, ?, ?, 'Krīzes intervence', 'lv', 5, 12, 70, 'published', ?, ?, ?)`, course, methodology, f.other.UserID, now, now, now)
	exec(`INSERT INTO tests (id, course_id, title, final, question_count, pass_percent, time_limit_minutes, max_attempts, shuffle, created_at)
		VALUES (?, ?, 'Noslēguma tests', ?, ?, 70, 30, 1000000, ?, ?)`, f.testID, course, true, questions, true, now)
	exec(`INSERT INTO cohorts (id, course_id, title, capacity, enrolled_count, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, created_at, updated_at)
		VALUES (?, ?, 'Rudens', 200, 1, ?, ?, ?, ?, ?, ?)`, cohort, course, now.Add(-40*24*time.Hour), now, now.Add(-30*24*time.Hour), now.Add(5*24*time.Hour), now, now)
	exec(`INSERT INTO enrolments (id, cohort_id, course_id, user_id, status, queue_seq, enrolled_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'enrolled', 1, ?, ?, ?)`, f.enrolID, cohort, course, f.learner.UserID, now, now, now)

	var qs []questionRow
	var opts []optionRow
	for i := range questions {
		// Every fifth question is multiple choice with two correct options.
		kind, points := SingleChoice, 1
		if i%5 == 4 {
			kind, points = MultipleChoice, 2
		}
		q := seededQuestion{id: uuid.NewString(), points: points}
		qs = append(qs, questionRow{ID: q.id, CourseID: course, Kind: kind, Text: "Kas ir krīze?", Points: points, CreatedAt: now})
		for j := range 3 {
			o := optionRow{ID: uuid.NewString(), QuestionID: q.id, Position: j + 1, Text: "Atbilde", Correct: j == 0 || (kind == MultipleChoice && j == 2)}
			opts = append(opts, o)
			q.options = append(q.options, o.ID)
			if o.Correct {
				q.correct = append(q.correct, o.ID)
			}
		}
		f.questions = append(f.questions, q)
	}
	if err := f.svc.store.create(ctx, &qs, &opts); err != nil {
		t.Fatal(err)
	}
	return f
}

// attempts starts n attempts of the learner, each asking every question in
// reverse bank order with its options reversed.
func (f *fixture) attempts(t testing.TB, n int) []string {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	ids := make([]string, n)
	rows := make([]attemptRow, n)
	var asked []attemptQuestionRow
	for i := range rows {
		ids[i] = uuid.NewString()
		rows[i] = attemptRow{ID: ids[i], TestID: f.testID, EnrolmentID: f.enrolID, UserID: f.learner.UserID, Number: i + 1,
			StartedAt: now, ExpiresAt: now.Add(30 * time.Minute)}
	}
	var base int
	if err := f.db.Conn(ctx).Raw("SELECT COALESCE(MAX(number), 0) FROM attempts").Scan(&base).Error; err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].Number += base
		for p := range f.questions {
			q := f.questions[len(f.questions)-1-p]
			order := ""
			for j := len(q.options) - 1; j >= 0; j-- {
				if order != "" {
					order += ","
				}
				order += q.options[j]
			}
			asked = append(asked, attemptQuestionRow{AttemptID: ids[i], Position: p + 1, QuestionID: q.id, OptionOrder: order})
		}
	}
	conn := f.db.Conn(ctx)
	if err := conn.CreateInBatches(&rows, 500).Error; err != nil {
		t.Fatal(err)
	}
	if err := conn.CreateInBatches(&asked, 500).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// right answers every question correctly.
func (f *fixture) right() Submission {
	var sub Submission
	for _, q := range f.questions {
		sub.Answers = append(sub.Answers, Answer{QuestionID: q.id, OptionIDs: append([]string(nil), q.correct...)})
	}
	return sub
}

func (f *fixture) maxScore() int {
	n := 0
	for _, q := range f.questions {
		n += q.points
	}
	return n
}

// stored reads back what an attempt recorded.
func (f *fixture) stored(t testing.TB, attemptID string) (attemptRow, []attemptQuestionRow) {
	t.Helper()
	ctx := context.Background()
	var a attemptRow
	if err := f.db.Conn(ctx).Where("id = ?", attemptID).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	var asked []attemptQuestionRow
	if err := f.db.Conn(ctx).Where("attempt_id = ?", attemptID).Order("position").Find(&asked).Error; err != nil {
		t.Fatal(err)
	}
	return a, asked
}
