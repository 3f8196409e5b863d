package training

import (
	"context"

	"mooc/certificates"
	"mooc/internal/database"
)

type store struct{ db *database.DB }

// certificatesOf are every certificate a person holds, with an in-person
// participant's attended hours beside theirs. A person holds a few dozen
// at most, so the year is chosen in Go, by the rule of each kind.
func (s store) certificatesOf(ctx context.Context, userID string) ([]counted, error) {
	var rows []counted
	err := s.db.Conn(ctx).Table("certificates AS c").
		Select("c.code, c.kind, c.title, c.hours, a.attended_hours, c.completed_at, c.issued_at, c.revoked_at").
		Joins("LEFT JOIN applications AS a ON c.source_kind = ? AND a.id = c.source_id", certificates.SourceParticipant).
		Where("c.user_id = ?", userID).
		Order("c.issued_at, c.code").
		Scan(&rows).Error
	return rows, database.Translate(err)
}
