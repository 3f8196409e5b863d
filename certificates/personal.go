package certificates

import (
	"context"

	"mooc/internal/database"
)

// PersonalData returns the person's certificates as recorded. Closing an
// account leaves them as they are: the programme must keep them, and an
// employer must still be able to verify one.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	certs, err := database.Records(s.db.Conn(ctx).Table("certificates").Where("user_id = ?", userID).Order("issued_at, id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"certificates": certs}, nil
}
