package mentoring

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/validation"
	"mooc/programmes"
)

// Programmes is what mentoring needs of the programmes domain.
type Programmes interface {
	Programme(ctx context.Context, id string) (programmes.Programme, error)
	// Seated: programmes.ErrNotFound, programmes.ErrNotParticipant.
	Seated(ctx context.Context, programmeID, userID string) error
}

// People finds users with their roles and names.
type People interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
	// WithRole lists the open accounts holding a role, by name.
	WithRole(ctx context.Context, role string) ([]accounts.User, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB         *database.DB
	Programmes Programmes
	People     People
	Now        func() time.Time // the clock; time.Now when nil
}

// Service is the mentoring domain.
type Service struct {
	db         *database.DB
	store      store
	programmes Programmes
	people     People
	now        func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: store{d.DB}, programmes: d.Programmes, people: d.People, now: clock.Or(d.Now)}
}

// isMentor: the caller holds the mentor role itself (team holds every
// role in accounts.Principal.Has, but is no one's mentor by that).
func isMentor(p accounts.Principal) bool { return slices.Contains(p.Roles, accounts.RoleMentor) }

// Assign gives a participant of a programme a mentor (team). Errors:
// programmes.ErrNotFound, programmes.ErrNotParticipant, ErrMentorFull,
// *validation.Error (mentor_id not a mentor).
func (s *Service) Assign(ctx context.Context, programmeID, participantID string, a Assignment) (Mentoring, error) {
	if err := validation.Struct(a); err != nil {
		return Mentoring{}, err
	}
	if err := s.programmes.Seated(ctx, programmeID, participantID); err != nil {
		return Mentoring{}, err
	}
	if a.MentorID == participantID {
		return Mentoring{}, validation.Fail(validation.Field("mentor_id", "must not be the participant"))
	}
	users, err := s.people.Users(ctx, []string{a.MentorID})
	if err != nil {
		return Mentoring{}, err
	}
	if u, ok := users[a.MentorID]; !ok || !slices.Contains(u.Roles, accounts.RoleMentor) {
		return Mentoring{}, validation.Fail(validation.Field("mentor_id", "must be a user with the mentor role"))
	}
	now := s.now().UTC()
	row := mentoringRow{ProgrammeID: programmeID, ParticipantID: participantID, MentorID: a.MentorID, Mode: a.Mode, AssignedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// Counted under the lock, so two assignments racing for the
		// mentor's last place cannot both take it.
		if err := s.store.lockMentor(ctx, programmeID, a.MentorID); err != nil {
			return err
		}
		individual, group, err := s.store.load(ctx, programmeID, a.MentorID, participantID)
		if err != nil {
			return err
		}
		if a.Mode == Individual {
			individual++
		} else {
			group++
		}
		if !Fits(individual, group) {
			return ErrMentorFull
		}
		return s.store.assign(ctx, &row)
	})
	return toMentoring(row), err
}

func toMentoring(r mentoringRow) Mentoring {
	return Mentoring{ProgrammeID: r.ProgrammeID, ParticipantID: r.ParticipantID, MentorID: r.MentorID, Mode: r.Mode,
		AssignedAt: r.AssignedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// LogSession records a session held by a mentor with some of their
// participants: the mentor logs their own, the team any one mentor's.
// Each participant present is counted the session's minutes. Errors:
// programmes.ErrNotFound, ErrForbidden (neither team nor mentor),
// ErrNotYourParticipant, *validation.Error.
func (s *Service) LogSession(ctx context.Context, caller accounts.Principal, programmeID string, f SessionForm) (Session, error) {
	if !caller.IsTeam() && !isMentor(caller) {
		return Session{}, ErrForbidden
	}
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return Session{}, err
	}
	if err := validation.Struct(f); err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	if f.HeldAt.After(now) {
		return Session{}, validation.Fail(validation.Field("held_at", "must not be in the future"))
	}
	rows, err := s.store.mentorings(ctx, programmeID, "", f.ParticipantIDs)
	if err != nil {
		return Session{}, err
	}
	mentorOf := map[string]string{}
	for _, r := range rows {
		mentorOf[r.ParticipantID] = r.MentorID
	}
	mentor := ""
	for i, id := range f.ParticipantIDs {
		m, ok := mentorOf[id]
		switch {
		case !caller.IsTeam() && m != caller.UserID:
			return Session{}, ErrNotYourParticipant
		case !ok:
			return Session{}, validation.Fail(validation.Field(fmt.Sprintf("participant_ids[%d]", i), "has no mentor in this programme"))
		case mentor != "" && m != mentor:
			return Session{}, validation.Fail(validation.Field(fmt.Sprintf("participant_ids[%d]", i), "has another mentor than the others; a session is one mentor's"))
		}
		mentor = m
	}
	row := sessionRow{ID: uuid.NewString(), ProgrammeID: programmeID, MentorID: mentor, LoggedBy: caller.UserID,
		Minutes: *f.Minutes, HeldAt: f.HeldAt.UTC(), CreatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error { return s.store.insertSession(ctx, row, f.ParticipantIDs) })
	if err != nil {
		return Session{}, err
	}
	return Session{ID: row.ID, ProgrammeID: programmeID, MentorID: mentor, LoggedBy: caller.UserID, ParticipantIDs: f.ParticipantIDs,
		Minutes: row.Minutes, HeldAt: row.HeldAt, CreatedAt: now}, nil
}

// Overview is each participant's mentor, mode and minutes per calendar
// month in Riga, from the month of the assignment (or of an earlier
// session) to the current one: all of the programme's for the team, their
// own for a mentor. Errors: programmes.ErrNotFound, ErrForbidden.
func (s *Service) Overview(ctx context.Context, caller accounts.Principal, programmeID string) (Overview, error) {
	if !caller.IsTeam() && !isMentor(caller) {
		return Overview{}, ErrForbidden
	}
	if _, err := s.programmes.Programme(ctx, programmeID); err != nil {
		return Overview{}, err
	}
	mentor := ""
	if !caller.IsTeam() {
		mentor = caller.UserID
	}
	rows, err := s.store.mentorings(ctx, programmeID, mentor, nil)
	if err != nil {
		return Overview{}, err
	}
	return s.overview(ctx, programmeID, rows)
}

// overview sums the minutes of the participants of rows.
func (s *Service) overview(ctx context.Context, programmeID string, rows []mentoringRow) (Overview, error) {
	ids := make([]string, 0, 2*len(rows))
	participants := make([]string, len(rows))
	for i, r := range rows {
		ids = append(ids, r.ParticipantID, r.MentorID)
		participants[i] = r.ParticipantID
	}
	sessions, err := s.store.minutes(ctx, programmeID, participants)
	if err != nil {
		return Overview{}, err
	}
	users, err := s.people.Users(ctx, ids)
	if err != nil {
		return Overview{}, err
	}
	type tally struct {
		first   time.Time
		minutes map[string]int
	}
	by := map[string]*tally{}
	for _, r := range rows {
		by[r.ParticipantID] = &tally{first: r.AssignedAt, minutes: map[string]int{}}
	}
	for _, m := range sessions {
		t := by[m.ParticipantID]
		t.minutes[monthOf(m.HeldAt).Format("2006-01")] += m.Minutes
		if m.HeldAt.Before(t.first) {
			t.first = m.HeldAt
		}
	}
	now := s.now()
	out := Overview{ProgrammeID: programmeID, Participants: make([]Participant, len(rows))}
	for i, r := range rows {
		t := by[r.ParticipantID]
		out.Participants[i] = Participant{Participant: person(users, r.ParticipantID), Mentor: person(users, r.MentorID),
			Mode: r.Mode, AssignedAt: r.AssignedAt.UTC(), Months: months(t.first, now, t.minutes)}
	}
	return out, nil
}

func person(users map[string]accounts.User, id string) Person {
	u := users[id]
	return Person{ID: id, GivenName: u.GivenName, FamilyName: u.FamilyName}
}

// Mentored is the overview of every programme in which the caller mentors
// someone, the programmes in the order they were first assigned.
func (s *Service) Mentored(ctx context.Context, caller accounts.Principal) ([]Overview, error) {
	ids, err := s.store.programmesOf(ctx, caller.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]Overview, 0, len(ids))
	for _, id := range ids {
		rows, err := s.store.mentorings(ctx, id, caller.UserID, nil)
		if err != nil {
			return nil, err
		}
		o, err := s.overview(ctx, id, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
