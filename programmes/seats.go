package programmes

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Seated checks that userID holds a seat (an accepted application) in the
// programme, as mentoring in its practice phase requires. Errors:
// ErrNotFound (no such programme), ErrNotParticipant.
func (s *Service) Seated(ctx context.Context, programmeID, userID string) error {
	if _, err := s.Programme(ctx, programmeID); err != nil {
		return err
	}
	if uuid.Validate(userID) != nil {
		return ErrNotParticipant
	}
	a, err := s.store.applicationOf(ctx, programmeID, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrNotParticipant
	case err != nil:
		return err
	case a.Status != Accepted:
		return ErrNotParticipant
	}
	return nil
}
