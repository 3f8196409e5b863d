package accounts

import (
	"context"

	"mooc/internal/database"
)

// Listener is someone cohort openings may be announced to.
type Listener struct {
	ID string
	// Announcements: they want to hear of every course's new cohorts, not
	// only of the courses they asked about.
	Announcements bool
}

// Listeners lists, by id, the open accounts whose e-mail address is
// verified and that hold no role but learner: the people a cohort opening
// may be announced to. An unverified address may be someone else's, typed
// by mistake or on purpose, and its owner never asked for the platform's
// news; authors and the team are the programme's own people, who open the
// cohorts. Closed accounts have no roles and so are never listed.
func (s *Service) Listeners(ctx context.Context) ([]Listener, error) {
	var out []Listener
	err := s.store.db.Conn(ctx).Table("users").Select("users.id, users.announcements").
		Joins("JOIN user_roles ON user_roles.user_id = users.id AND user_roles.role = ?", RoleLearner).
		Where("users.email_verified AND NOT EXISTS (SELECT 1 FROM user_roles other WHERE other.user_id = users.id AND other.role <> ?)", RoleLearner).
		Order("users.id").Scan(&out).Error
	return out, database.Translate(err)
}
