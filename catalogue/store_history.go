package catalogue

import (
	"context"
	"time"

	"mooc/internal/database"
	"mooc/internal/page"
)

// changeRow is one correction of a published course. The values are the
// field's JSON encodings, the whole text both before and after: a body is
// at most 200 000 characters and corrections are few, so keeping both
// versions costs little, and lets the team read or restore either exactly,
// which a diff of our own format would not.
type changeRow struct {
	ID        string
	CourseID  string
	LessonID  string
	ActorID   string
	Field     string
	OldValue  string
	NewValue  string
	ChangedAt time.Time
}

func (changeRow) TableName() string { return "course_changes" }

func (s store) insertChanges(ctx context.Context, rows []changeRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&rows).Error)
}

// changes of a course, newest first.
func (s store) changes(ctx context.Context, courseID string, p page.Request) ([]changeRow, error) {
	q := s.db.Conn(ctx).Where("course_id = ?", courseID).Order("changed_at DESC, id DESC").Limit(p.Limit + 1)
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("changed_at < ? OR (changed_at = ? AND id < ?)", at, at, id)
	}
	var rows []changeRow
	return rows, database.Translate(q.Find(&rows).Error)
}
