package assessment

import (
	"context"

	"mooc/internal/database"
)

// PersonalData returns the person's attempts with the answers they gave
// (each question's options in the order shown, the options chosen and
// whether it scored). Which options were right is the test's, not the
// person's, and is not included: it would give away the answer key of a
// test they may still take.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	attempts, err := database.Records(s.db.Conn(ctx).Table("attempts").Where("user_id = ?", userID).Order("started_at, id"))
	if err != nil {
		return nil, err
	}
	answers, err := database.Records(s.db.Conn(ctx).Table("attempt_questions").
		Where("attempt_id IN (?)", s.db.Conn(ctx).Table("attempts").Select("id").Where("user_id = ?", userID)).
		Order("attempt_id, position"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"attempts": attempts, "attempt_answers": answers}, nil
}
