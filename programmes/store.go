package programmes

import (
	"context"
	"errors"
	"slices"
	"time"

	"mooc/internal/database"
	"mooc/internal/page"
)

type programmeRow struct {
	ID                  string
	MethodologyID       string
	Title               string
	Hours               int
	GroupSize           int
	Location            string
	Region              string
	StartsAt            time.Time
	EndsAt              time.Time
	ApplicationsOpenAt  time.Time
	ApplicationsCloseAt time.Time
	CompletionPercent   int
	AllocatedAt         *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (programmeRow) TableName() string { return "programmes" }

type applicationRow struct {
	ID              string
	ProgrammeID     string
	UserID          string
	Municipality    string
	TookPartInPilot bool
	Status          string
	QueueSeq        int64
	AttendedHours   int
	AppliedAt       time.Time
	UpdatedAt       time.Time
}

func (applicationRow) TableName() string { return "applications" }

type store struct{ db *database.DB }

func notFound(err error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

func (s store) programme(ctx context.Context, id string) (programmeRow, error) {
	var p programmeRow
	return p, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&p).Error)
}

// lockProgramme reads a programme and locks its row on PostgreSQL until
// the transaction ends.
func (s store) lockProgramme(ctx context.Context, id string) (programmeRow, error) {
	var p programmeRow
	return p, notFound(s.db.ForUpdate(ctx).Where("id = ?", id).Take(&p).Error)
}

func (s store) save(ctx context.Context, p programmeRow) error {
	return database.Translate(s.db.Conn(ctx).Save(&p).Error)
}

func (s store) insert(ctx context.Context, v any) error {
	return database.Translate(s.db.Conn(ctx).Create(v).Error)
}

func (s store) list(ctx context.Context, methodologyID string, limit int, after []string) ([]programmeRow, error) {
	q := s.db.Conn(ctx).Order("starts_at DESC, id DESC").Limit(limit + 1)
	if methodologyID != "" {
		q = q.Where("methodology_id = ?", methodologyID)
	}
	at, id, ok, err := page.AfterTime(after)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("starts_at < ? OR (starts_at = ? AND id < ?)", at, at, id)
	}
	var rows []programmeRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// queue lists a programme's applications of the given statuses in
// allocation order (allocationOrder).
func (s store) queue(ctx context.Context, programmeID string, statuses ...string) ([]applicationRow, error) {
	var rows []applicationRow
	err := s.db.Conn(ctx).Where("programme_id = ? AND status IN ?", programmeID, statuses).Find(&rows).Error
	slices.SortFunc(rows, allocationOrder)
	return rows, database.Translate(err)
}

func (s store) application(ctx context.Context, programmeID, id string) (applicationRow, error) {
	var a applicationRow
	return a, notFound(s.db.Conn(ctx).Where("programme_id = ? AND id = ?", programmeID, id).Take(&a).Error)
}

func (s store) applicationOf(ctx context.Context, programmeID, userID string) (applicationRow, error) {
	var a applicationRow
	return a, notFound(s.db.Conn(ctx).Where("programme_id = ? AND user_id = ?", programmeID, userID).Take(&a).Error)
}

// reapply brings a withdrawn application back as a new one (the row a is,
// with its id, when it was withdrawn). Errors: ErrAlreadyApplied when the
// application is not withdrawn.
func (s store) reapply(ctx context.Context, a applicationRow) (applicationRow, error) {
	var old applicationRow
	if err := s.db.Conn(ctx).Where("programme_id = ? AND user_id = ?", a.ProgrammeID, a.UserID).Take(&old).Error; err != nil {
		return applicationRow{}, notFound(err)
	}
	res := s.db.Conn(ctx).Model(&applicationRow{}).Where("id = ? AND status = ?", old.ID, Withdrawn).Updates(map[string]any{
		"status": Applied, "municipality": a.Municipality, "took_part_in_pilot": a.TookPartInPilot,
		"queue_seq": a.QueueSeq, "applied_at": a.AppliedAt, "updated_at": a.UpdatedAt,
	})
	if err := database.Translate(res.Error); err != nil {
		return applicationRow{}, err
	}
	if res.RowsAffected != 1 {
		return applicationRow{}, ErrAlreadyApplied
	}
	a.ID, a.AttendedHours = old.ID, old.AttendedHours
	return a, nil
}

func (s store) setStatus(ctx context.Context, id, status string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&applicationRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "updated_at": at}).Error)
}

func (s store) setHours(ctx context.Context, id string, hours int, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&applicationRow{}).Where("id = ?", id).
		Updates(map[string]any{"attended_hours": hours, "updated_at": at}).Error)
}

func (s store) countStatus(ctx context.Context, programmeID, status string) (int, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&applicationRow{}).Where("programme_id = ? AND status = ?", programmeID, status).Count(&n).Error
	return int(n), database.Translate(err)
}
