package programmes

import (
	"context"

	"github.com/google/uuid"

	"mooc/accounts"
)

// MyApplication is the caller's own application to a programme, with its
// place on the waitlist when it waits, so the programme's page can say
// where the applicant stands. Errors: ErrNotFound (never applied).
func (s *Service) MyApplication(ctx context.Context, caller accounts.Principal, programmeID string) (Application, error) {
	if uuid.Validate(programmeID) != nil {
		return Application{}, ErrNotFound
	}
	a, err := s.store.applicationOf(ctx, programmeID, caller.UserID)
	if err != nil {
		return Application{}, err
	}
	if a.Status != Waitlisted {
		return toApplication(a, nil), nil
	}
	queue, err := s.store.queue(ctx, programmeID, Waitlisted)
	if err != nil {
		return Application{}, err
	}
	for i, q := range queue {
		if q.ID == a.ID {
			n := i + 1
			return toApplication(a, &n), nil
		}
	}
	return toApplication(a, nil), nil
}
