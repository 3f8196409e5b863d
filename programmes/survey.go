package programmes

import (
	"context"

	"github.com/google/uuid"
)

// Participation is what the feedback survey needs of a person's place in
// a programme: the application that holds it, and whether its attendance
// earned the certificate.
type Participation struct {
	ApplicationID string
	Completed     bool
}

// ParticipationOf returns userID's place in the programme. Errors:
// ErrNotFound (no programme, or no application), ErrNotParticipant (the
// application holds no seat).
func (s *Service) ParticipationOf(ctx context.Context, programmeID, userID string) (Participation, error) {
	if uuid.Validate(programmeID) != nil || uuid.Validate(userID) != nil {
		return Participation{}, ErrNotFound
	}
	p, err := s.store.programme(ctx, programmeID)
	if err != nil {
		return Participation{}, err
	}
	a, err := s.store.applicationOf(ctx, p.ID, userID)
	if err != nil {
		return Participation{}, err
	}
	if a.Status != Accepted {
		return Participation{}, ErrNotParticipant
	}
	return Participation{ApplicationID: a.ID, Completed: a.AttendedHours >= RequiredHours(p.Hours, p.CompletionPercent)}, nil
}
