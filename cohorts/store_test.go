package cohorts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/notify/outbox"
)

// The seat statements differ by database (one statement on PostgreSQL, a
// transaction on SQLite); both pass this one suite.
func TestSeats(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		st := store{db}
		seats := newSeats(st, outbox.New(db, nil))
		wantKind := map[database.Dialect]string{database.Postgres: "cohorts.postgresSeats", database.SQLite: "cohorts.sqliteSeats"}[db.Dialect()]
		if got := fmt.Sprintf("%T", seats); got != wantKind {
			t.Fatalf("the %s store claims with %s", db.Dialect(), got)
		}
		cohort, course := seedCohort(t, db, 2)
		now := time.Now().UTC()
		users := make([]string, 4)
		for i := range users {
			users[i] = seedUser(t, db)
		}
		claim := func(i int, user string) (enrolmentRow, string, int, error) {
			e := enrolmentRow{ID: uuid.NewString(), CohortID: cohort, CourseID: course, UserID: user, CreatedAt: now, UpdatedAt: now}
			status, position, err := seats.claim(ctx, e, map[string]string{"course": "Krīzes intervence"})
			return e, status, position, err
		}
		var claimed []enrolmentRow
		for i, user := range users {
			e, status, position, err := claim(i, user)
			if err != nil {
				t.Fatal(err)
			}
			want, wantPos := Enrolled, 0
			if i >= 2 {
				want, wantPos = Waitlisted, i-1
			}
			if status != want || (want == Waitlisted && position != wantPos) {
				t.Fatalf("claim %d: %s at %d, want %s at %d", i, status, position, want, wantPos)
			}
			claimed = append(claimed, e)
		}
		if _, _, _, err := claim(9, users[0]); !errors.Is(err, database.ErrDuplicate) {
			t.Fatalf("a second place in the course: %v, want database.ErrDuplicate", err)
		}
		c, err := st.cohort(ctx, cohort)
		if err != nil || c.EnrolledCount != 2 || c.WaitlistCount != 2 || c.QueueNext != 4 {
			t.Fatalf("cohort after the claims: %+v, %v", c, err)
		}
		// Arrival numbers follow the claims, so promotion follows the
		// positions told.
		queue, err := st.firstWaitlisted(ctx, cohort, 10)
		if err != nil || len(queue) != 2 || queue[0].ID != claimed[2].ID || queue[1].ID != claimed[3].ID {
			t.Fatalf("the waitlist in order: %+v, %v", queue, err)
		}
		for i, e := range claimed {
			var m outbox.Stored
			if err := db.Conn(ctx).Where("user_id = ?", e.UserID).Take(&m).Error; err != nil {
				t.Fatalf("notice of claim %d: %v", i, err)
			}
			var params map[string]string
			if err := json.Unmarshal([]byte(m.Params), &params); err != nil {
				t.Fatal(err)
			}
			wantTemplate, wantPosition := Enrolled, ""
			if i >= 2 {
				wantTemplate, wantPosition = Waitlisted, []string{"1", "2"}[i-2]
			}
			if m.ID != wantTemplate+":"+e.ID || m.Template != wantTemplate || params["position"] != wantPosition || params["course"] != "Krīzes intervence" {
				t.Fatalf("notice of claim %d: %+v %v", i, m, params)
			}
		}
	})
}

func seedUser(t *testing.T, db *database.DB) string {
	t.Helper()
	id, now := uuid.NewString(), time.Now().UTC()
	if err := db.Conn(context.Background()).Exec(`INSERT INTO users (id, email, password_hash, given_name, family_name, created_at, updated_at)
		VALUES (?, ?, 'x', 'Anna', 'Bērziņa', ?, ?)`, id, id+"@example.lv", now, now).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// seedCohort writes a published course and a running cohort of capacity
// seats, and returns their ids.
func seedCohort(t *testing.T, db *database.DB, capacity int) (cohortID, courseID string) {
	t.Helper()
	now := time.Now().UTC()
	owner, methodology := seedUser(t, db), uuid.NewString()
	cohortID, courseID = uuid.NewString(), uuid.NewString()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO methodologies (id, title, summary, direction, created_at) VALUES (?, 'Krīzes intervence', '', 'crisis', ?)`, []any{methodology, now}},
		{`INSERT INTO courses (id, methodology_id, owner_id, title, summary, language, weeks, effort_hours, pass_percent, status, published_at, created_at, updated_at)
			VALUES (?, ?, ?, 'Krīzes intervence', '', 'lv', 5, 12, 70, 'published', ?, ?, ?)`, []any{courseID, methodology, owner, now, now, now}},
		{`INSERT INTO cohorts (id, course_id, title, capacity, enrolled_count, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, created_at, updated_at)
			VALUES (?, ?, 'Pavasaris', ?, 0, ?, ?, ?, ?, ?, ?)`, []any{cohortID, courseID, capacity, now.Add(-time.Hour), now.Add(time.Hour), now, now.Add(35 * 24 * time.Hour), now, now}},
	} {
		if err := db.Conn(context.Background()).Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return cohortID, courseID
}
