package reports

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/database"
)

// targetRow is a row of report_targets.
type targetRow struct {
	Key       string `gorm:"column:target_key;primaryKey"`
	Title     string
	People    int
	By        string `gorm:"column:by_date"`
	Cutoff    time.Time
	Online    bool
	InPerson  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (targetRow) TableName() string { return "report_targets" }

// targetStore keeps the funders' targets.
type targetStore struct{ db *database.DB }

// upsert writes a target, replacing every field but when it was created.
func (s targetStore) upsert(ctx context.Context, r targetRow) error {
	return database.Translate(s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "target_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"title", "people", "by_date", "cutoff", "online", "in_person", "updated_at"}),
	}).Create(&r).Error)
}

// list reads up to limit targets by date, then key, after the key [by, key].
func (s targetStore) list(ctx context.Context, limit int, after []string) ([]targetRow, error) {
	q := s.db.Conn(ctx).Order("by_date, target_key").Limit(limit)
	if len(after) == 2 {
		q = q.Where("by_date > ? OR (by_date = ? AND target_key > ?)", after[0], after[0], after[1])
	}
	var rows []targetRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// all reads every target (the People figure chooses among them).
func (s targetStore) all(ctx context.Context) ([]targetRow, error) {
	var rows []targetRow
	return rows, database.Translate(s.db.Conn(ctx).Order("by_date, target_key").Find(&rows).Error)
}

// achieved counts, for each of the targets keys, the distinct people who
// completed training of its kinds in a cohort or programme that ended
// before its cutoff, in one query.
func (s targetStore) achieved(ctx context.Context, keys []string) (map[string]int, error) {
	q := TargetsQuery(keys)
	var rows []struct {
		TargetKey string
		Achieved  int
	}
	if err := s.db.Conn(ctx).Raw(q.SQL, q.Args...).Scan(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.TargetKey] = r.Achieved
	}
	return out, nil
}

// TargetsQuery is the statement behind the targets' achieved people: the
// completions report's statements over all time (its online and inperson
// rows, the one definition of completion), each completion dated by when
// its cohort or programme ends, counted per target of keys.
func TargetsQuery(keys []string) Query {
	_, _, people := CompletionQueries(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	return Query{onlineCompletion + `, ` + programmeCompletion[len("\nWITH "):] + `, completions AS (
			SELECT o.user_id, 'online' AS kind, h.ends_at FROM online o JOIN cohorts h ON h.id = o.cohort_id WHERE o.completed = 1
			UNION ALL
			SELECT i.user_id, 'in_person' AS kind, p.ends_at FROM inperson i JOIN programmes p ON p.id = i.programme_id WHERE i.completed = 1
		)
		SELECT t.target_key, COUNT(DISTINCT x.user_id) AS achieved
		FROM report_targets t LEFT JOIN completions x ON x.ends_at < t.cutoff
			AND ((x.kind = 'online' AND t.online = ?) OR (x.kind = 'in_person' AND t.in_person = ?))
		WHERE t.target_key IN ?
		GROUP BY t.target_key`, append(people.Args, true, true, keys)}
}
