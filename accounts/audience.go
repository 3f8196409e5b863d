package accounts

import (
	"context"

	"mooc/internal/database"
)

// Learners lists the ids of everyone with the learner role: the people an
// opening cohort is announced to.
func (s *Service) Learners(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.store.db.Conn(ctx).Table("user_roles").Where("role = ?", RoleLearner).Order("user_id").Pluck("user_id", &ids).Error
	return ids, database.Translate(err)
}
