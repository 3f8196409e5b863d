package mentoring

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/database"
)

type mentoringRow struct {
	ProgrammeID   string `gorm:"primaryKey"`
	ParticipantID string `gorm:"primaryKey"`
	MentorID      string
	Mode          string
	AssignedAt    time.Time
	UpdatedAt     time.Time
}

func (mentoringRow) TableName() string { return "mentorings" }

type sessionRow struct {
	ID          string
	ProgrammeID string
	MentorID    string
	LoggedBy    string
	Minutes     int
	HeldAt      time.Time
	CreatedAt   time.Time
}

func (sessionRow) TableName() string { return "mentoring_sessions" }

type sessionParticipantRow struct {
	SessionID     string
	ParticipantID string
}

func (sessionParticipantRow) TableName() string { return "mentoring_session_participants" }

// minutesRow is one participant's share of one session.
type minutesRow struct {
	ParticipantID string
	HeldAt        time.Time
	Minutes       int
}

type store struct{ db *database.DB }

// lockMentor serialises the assignments to one mentor in one programme
// until the transaction ends: on PostgreSQL with an advisory lock on the
// pair (there may be no row yet to lock), on SQLite by the write lock its
// transactions take when they begin.
func (s store) lockMentor(ctx context.Context, programmeID, mentorID string) error {
	if s.db.Dialect() != database.Postgres {
		return nil
	}
	return database.Translate(s.db.Conn(ctx).
		Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "mentoring:"+programmeID+":"+mentorID).Error)
}

// load counts a mentor's participants of a programme by mode, leaving out
// one participant (whose assignment is being replaced).
func (s store) load(ctx context.Context, programmeID, mentorID, except string) (individual, group int, err error) {
	var rows []mentoringRow
	err = s.db.Conn(ctx).Where("programme_id = ? AND mentor_id = ? AND participant_id <> ?", programmeID, mentorID, except).Find(&rows).Error
	for _, r := range rows {
		if r.Mode == Individual {
			individual++
		} else {
			group++
		}
	}
	return individual, group, database.Translate(err)
}

// assign inserts the participant's mentoring or, when there is one,
// changes its mentor and mode and keeps when it was first assigned.
func (s store) assign(ctx context.Context, r *mentoringRow) error {
	err := s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "programme_id"}, {Name: "participant_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"mentor_id", "mode", "updated_at"}),
	}).Create(r).Error
	if err != nil {
		return database.Translate(err)
	}
	return database.Translate(s.db.Conn(ctx).Where("programme_id = ? AND participant_id = ?", r.ProgrammeID, r.ParticipantID).Take(r).Error)
}

// mentorings lists a programme's mentorings, of one mentor when mentorID
// is set, of the participants named when ids is not nil.
func (s store) mentorings(ctx context.Context, programmeID, mentorID string, ids []string) ([]mentoringRow, error) {
	q := s.db.Conn(ctx).Where("programme_id = ?", programmeID).Order("assigned_at, participant_id")
	if mentorID != "" {
		q = q.Where("mentor_id = ?", mentorID)
	}
	if ids != nil {
		q = q.Where("participant_id IN ?", ids)
	}
	var rows []mentoringRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func (s store) insertSession(ctx context.Context, r sessionRow, participants []string) error {
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return database.Translate(err)
	}
	rows := make([]sessionParticipantRow, len(participants))
	for i, id := range participants {
		rows[i] = sessionParticipantRow{SessionID: r.ID, ParticipantID: id}
	}
	return database.Translate(s.db.Conn(ctx).Create(&rows).Error)
}

// minutes lists each participant's sessions in a programme.
func (s store) minutes(ctx context.Context, programmeID string, participants []string) ([]minutesRow, error) {
	var rows []minutesRow
	if len(participants) == 0 {
		return rows, nil
	}
	err := s.db.Conn(ctx).Table("mentoring_session_participants AS sp").
		Select("sp.participant_id, s.held_at, s.minutes").
		Joins("JOIN mentoring_sessions s ON s.id = sp.session_id").
		Where("s.programme_id = ? AND sp.participant_id IN ?", programmeID, participants).
		Scan(&rows).Error
	return rows, database.Translate(err)
}

// programmesOf lists the programmes in which mentorID mentors someone.
func (s store) programmesOf(ctx context.Context, mentorID string) ([]string, error) {
	var ids []string
	err := s.db.Conn(ctx).Model(&mentoringRow{}).Where("mentor_id = ?", mentorID).
		Group("programme_id").Order("MIN(assigned_at), programme_id").Pluck("programme_id", &ids).Error
	return ids, database.Translate(err)
}

// sessions lists a programme's sessions, of one mentor when mentorID is
// set, the latest held first.
func (s store) sessions(ctx context.Context, programmeID, mentorID string) ([]sessionRow, error) {
	q := s.db.Conn(ctx).Where("programme_id = ?", programmeID).Order("held_at DESC, id")
	if mentorID != "" {
		q = q.Where("mentor_id = ?", mentorID)
	}
	var rows []sessionRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// present lists who took part in each of the sessions.
func (s store) present(ctx context.Context, sessionIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []sessionParticipantRow
	if err := s.db.Conn(ctx).Where("session_id IN ?", sessionIDs).Order("session_id, participant_id").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	for _, r := range rows {
		out[r.SessionID] = append(out[r.SessionID], r.ParticipantID)
	}
	return out, nil
}
