package mentoring

import (
	"context"

	"mooc/accounts"
)

// MentorLoad is a mentor with the participants they already support in
// one programme, and whether one more of each mode would fit (Fits).
type MentorLoad struct {
	Mentor     Person
	Individual int
	Group      int
	// CanIndividual and CanGroup: another participant of that mode fits.
	CanIndividual bool
	CanGroup      bool
}

// Mentors lists every user with the mentor role, by name, with their load
// in the programme, for the team choosing a participant's mentor. Errors:
// programmes.ErrNotFound.
func (s *Service) Mentors(ctx context.Context, programmeID string) ([]MentorLoad, error) {
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return nil, err
	}
	mentors, err := s.people.WithRole(ctx, accounts.RoleMentor)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.mentorings(ctx, programmeID, "", nil)
	if err != nil {
		return nil, err
	}
	type load struct{ individual, group int }
	loads := map[string]*load{}
	for _, r := range rows {
		l := loads[r.MentorID]
		if l == nil {
			l = &load{}
			loads[r.MentorID] = l
		}
		if r.Mode == Individual {
			l.individual++
		} else {
			l.group++
		}
	}
	out := make([]MentorLoad, len(mentors))
	for i, m := range mentors {
		l := loads[m.ID]
		if l == nil {
			l = &load{}
		}
		out[i] = MentorLoad{Mentor: Person{ID: m.ID, GivenName: m.GivenName, FamilyName: m.FamilyName},
			Individual: l.individual, Group: l.group,
			CanIndividual: Fits(l.individual+1, l.group), CanGroup: Fits(l.individual, l.group+1)}
	}
	return out, nil
}

// Sessions lists a programme's logged sessions, the latest held first:
// all of them for the team, their own for a mentor. Errors:
// programmes.ErrNotFound, ErrForbidden.
func (s *Service) Sessions(ctx context.Context, caller accounts.Principal, programmeID string) ([]Session, error) {
	if !caller.IsTeam() && !isMentor(caller) {
		return nil, ErrForbidden
	}
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return nil, err
	}
	mentor := ""
	if !caller.IsTeam() {
		mentor = caller.UserID
	}
	rows, err := s.store.sessions(ctx, programmeID, mentor)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	present, err := s.store.present(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Session, len(rows))
	for i, r := range rows {
		out[i] = Session{ID: r.ID, ProgrammeID: r.ProgrammeID, MentorID: r.MentorID, LoggedBy: r.LoggedBy,
			ParticipantIDs: present[r.ID], Minutes: r.Minutes, HeldAt: r.HeldAt.UTC(), CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
