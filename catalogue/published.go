package catalogue

import (
	"context"
	"errors"

	"mooc/accounts"
	"mooc/internal/database"
)

// PublishedCourses lists the published courses of a methodology, newest
// first, as the caller may see them, for the catalogue page: one query for
// which they are, the outlines from the cache (Course).
func (s *Service) PublishedCourses(ctx context.Context, caller accounts.Principal, methodologyID string) ([]Course, error) {
	ids, err := s.store.publishedIDs(ctx, methodologyID)
	if err != nil {
		return nil, err
	}
	out := make([]Course, 0, len(ids))
	for _, id := range ids {
		c, err := s.Course(ctx, caller, id)
		if errors.Is(err, ErrNotFound) { // deleted or archived since the list was read
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s store) publishedIDs(ctx context.Context, methodologyID string) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&courseRow{}).Where("methodology_id = ? AND status = ?", methodologyID, StatusPublished).
		Order("created_at DESC, id DESC").Pluck("id", &ids).Error
	return ids, database.Translate(err)
}
