package accounts

import (
	"context"

	"mooc/internal/database"
)

// Learners lists the ids of everyone with the learner role whose e-mail
// address is verified and who wants announcements: the people an opening
// cohort is announced to. An unverified address may be someone else's,
// typed by mistake or on purpose, and its owner never asked for the
// platform's news. Closed accounts have no roles.
func (s *Service) Learners(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.store.db.Conn(ctx).Table("user_roles").Joins("JOIN users ON users.id = user_roles.user_id").
		Where("user_roles.role = ? AND users.email_verified AND users.announcements", RoleLearner).Order("user_roles.user_id").Pluck("user_roles.user_id", &ids).Error
	return ids, database.Translate(err)
}
