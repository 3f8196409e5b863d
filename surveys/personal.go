package surveys

import "context"

// PersonalData returns what the surveys hold about the person: the
// surveys they were invited to (and when), and those they answered. Their
// answers are not part of it: nothing ties an answer to a person.
func (s *Service) PersonalData(ctx context.Context, userID string) (map[string]any, error) {
	invited, err := s.store.invitationsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	answered, err := s.store.answeredBy(ctx, userID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"survey_invitations": invited, "surveys_answered": answered}, nil
}

// ForgetPerson is the surveys' part of closing an account, in the caller's
// transaction: the markers that tie the person to a survey (invitations,
// and the once-only markers of their enrolments and applications) go; the
// anonymous responses stay in the results. A closed account can neither
// answer again nor be invited again (InviteCompleted skips it), so the
// once-only rule still holds.
func (s *Service) ForgetPerson(ctx context.Context, userID string) error {
	return s.store.forget(ctx, userID)
}
