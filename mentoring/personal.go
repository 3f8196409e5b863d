package mentoring

import (
	"context"

	"mooc/internal/database"
)

// PersonalData returns the person's mentoring: as a participant, their
// mentors and the sessions they took part in; as a mentor, whom they
// support and the sessions they held.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	conn := s.db.Conn(ctx)
	mentored, err := database.Records(conn.Table("mentorings").Where("participant_id = ?", userID).Order("assigned_at, programme_id"))
	if err != nil {
		return nil, err
	}
	attended, err := database.Records(conn.Table("mentoring_sessions AS s").
		Select("s.id, s.programme_id, s.mentor_id, s.minutes, s.held_at").
		Joins("JOIN mentoring_session_participants sp ON sp.session_id = s.id").
		Where("sp.participant_id = ?", userID).Order("s.held_at, s.id"))
	if err != nil {
		return nil, err
	}
	mentoring, err := database.Records(conn.Table("mentorings").Where("mentor_id = ?", userID).Order("assigned_at, programme_id, participant_id"))
	if err != nil {
		return nil, err
	}
	held, err := database.Records(conn.Table("mentoring_sessions").Where("mentor_id = ? OR logged_by = ?", userID, userID).Order("held_at, id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"mentoring": map[string]any{
		"mentors": mentored, "sessions_attended": attended, "participants": mentoring, "sessions_held": held,
	}}, nil
}

// ForgetPerson is mentoring's part of closing an account, in the caller's
// transaction: the person's mentorings end, whether they were mentored or
// mentored others, so a mentor's place is freed and a participant left
// without a mentor shows as such. Logged sessions stay with the emptied
// account: like attendance, they are the programme's record of the
// practice phase.
func (s *Service) ForgetPerson(ctx context.Context, userID string) error {
	return database.Translate(s.db.Conn(ctx).Where("participant_id = ? OR mentor_id = ?", userID, userID).Delete(&mentoringRow{}).Error)
}
