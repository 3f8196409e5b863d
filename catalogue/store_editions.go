package catalogue

import (
	"context"
	"errors"
	"time"

	"mooc/internal/database"
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

// inUse turns a reference still held to the course (database.ErrReferenced)
// into ErrCourseInUse, keeping the driver's error for logs.
func inUse(err error) error {
	if errors.Is(database.Translate(err), database.ErrReferenced) {
		return errors.Join(ErrCourseInUse, err)
	}
	return err
}
