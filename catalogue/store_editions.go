package catalogue

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"mooc/internal/database"
	"mooc/internal/page"
)

// insertLessons adds a copy's lessons and captions, a batch each.
func (s store) insertLessons(ctx context.Context, lessons []lessonRow, captions []captionRow) error {
	if len(lessons) > 0 {
		if err := s.db.Conn(ctx).CreateInBatches(&lessons, 500).Error; err != nil {
			return database.Translate(err)
		}
	}
	if len(captions) > 0 {
		if err := s.db.Conn(ctx).CreateInBatches(&captions, 500).Error; err != nil {
			return database.Translate(err)
		}
	}
	return nil
}

// deleteCourse removes a course; its lessons, their captions and its
// history go with it (ON DELETE CASCADE), and courses copied from it
// forget it (ON DELETE SET NULL). A row of another domain that still
// names it stops the delete: ErrCourseInUse.
func (s store) deleteCourse(ctx context.Context, id string) error {
	return inUse(database.Translate(s.db.Conn(ctx).Where("id = ?", id).Delete(&courseRow{}).Error))
}

func (s store) archive(ctx context.Context, id string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&courseRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": StatusArchived, "archived_at": at, "updated_at": at}).Error)
}

// editions lists a methodology's courses, newest first; draftsOf, when
// set, leaves out the drafts of everyone else.
func (s store) editions(ctx context.Context, methodologyID, draftsOf string, p page.Request) ([]courseRow, error) {
	q := s.db.Conn(ctx).Where("methodology_id = ?", methodologyID).Order("created_at DESC, id DESC").Limit(p.Limit + 1)
	if draftsOf != "" {
		q = q.Where("status <> ? OR owner_id = ?", StatusDraft, draftsOf)
	}
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", at, at, id)
	}
	var rows []courseRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// inUse turns a foreign-key violation (which internal/database leaves
// untranslated; GORM translates SQLite's, pgx reports PostgreSQL's code)
// into ErrCourseInUse, keeping the driver's error for logs.
func inUse(err error) error {
	var pgErr *pgconn.PgError
	if errors.Is(err, gorm.ErrForeignKeyViolated) || (errors.As(err, &pgErr) && pgErr.Code == "23503") {
		return errors.Join(ErrCourseInUse, err)
	}
	return err
}
