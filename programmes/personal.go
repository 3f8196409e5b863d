package programmes

import (
	"context"

	"mooc/internal/database"
)

// PersonalData returns the person's applications to in-person programmes,
// each with its status and the hours attended.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	apps, err := database.Records(s.db.Conn(ctx).Table("applications").Where("user_id = ?", userID).Order("applied_at, id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"applications": apps}, nil
}

// ForgetPerson is the programmes domain's part of closing an account, in
// the caller's transaction: applications and seats still held are
// withdrawn (the team gives a freed seat to whoever waits, as after any
// withdrawal). Attendance stays with the emptied account: it is the
// record behind a certificate and the funders' counts.
func (s *Service) ForgetPerson(ctx context.Context, userID string) error {
	return database.Translate(s.db.Conn(ctx).Exec(`UPDATE applications SET status = ?, updated_at = ? WHERE user_id = ? AND status <> ?`,
		Withdrawn, s.now().UTC(), userID, Withdrawn).Error)
}
