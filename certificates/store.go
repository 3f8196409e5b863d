package certificates

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"mooc/internal/database"
)

type certificateRow struct {
	ID               string
	Code             string
	SourceKind       string
	SourceID         string
	UserID           string
	HolderName       string
	Kind             string
	Title            string
	MethodologyTitle string
	Hours            int
	PeriodFrom       time.Time
	PeriodTo         time.Time
	CompletedAt      *time.Time
	IssuedAt         time.Time
	PDFKey           string `gorm:"column:pdf_key"`
	RevokedAt        *time.Time
	RevocationReason string
}

func (certificateRow) TableName() string { return "certificates" }

type jobRow struct {
	ID          string
	CohortID    string
	CreatedBy   string
	Status      string
	Total       int
	Issued      int
	Existing    int
	NotEligible int
	Failed      int
	ClaimedAt   *time.Time // the lease's last heartbeat
	ClaimedBy   string     // the replica holding the lease
	CreatedAt   time.Time
	FinishedAt  *time.Time
}

func (jobRow) TableName() string { return "certificate_jobs" }

type store struct{ db *database.DB }

func notFound(err error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// insert keeps the first certificate of a source: a second one for the
// same source is ignored, and insert reports whether this one was kept.
func (s store) insert(ctx context.Context, c certificateRow) (bool, error) {
	res := s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "source_kind"}, {Name: "source_id"}},
		DoNothing: true,
	}).Create(&c)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// insertMany is insert for several certificates in one statement; it
// reports the ids of those kept.
func (s store) insertMany(ctx context.Context, rows []certificateRow) (map[string]bool, error) {
	res := s.db.Conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "source_kind"}, {Name: "source_id"}},
		DoNothing: true,
	}).Create(&rows)
	if res.Error != nil {
		return nil, database.Translate(res.Error)
	}
	ids := make([]string, len(rows))
	kept := make(map[string]bool, len(rows))
	for i, r := range rows {
		ids[i], kept[r.ID] = r.ID, true
	}
	if res.RowsAffected == int64(len(rows)) {
		return kept, nil
	}
	// The ids are new, so a row with one of them is a row just written.
	clear(kept)
	var written []string
	if err := s.db.Conn(ctx).Model(&certificateRow{}).Where("id IN ?", ids).Pluck("id", &written).Error; err != nil {
		return nil, database.Translate(err)
	}
	for _, id := range written {
		kept[id] = true
	}
	return kept, nil
}

func (s store) bySource(ctx context.Context, kind, id string) (certificateRow, error) {
	var c certificateRow
	return c, notFound(s.db.Conn(ctx).Where("source_kind = ? AND source_id = ?", kind, id).Take(&c).Error)
}

func (s store) bySources(ctx context.Context, kind string, ids []string) (map[string]certificateRow, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("source_kind = ? AND source_id IN ?", kind, ids).Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make(map[string]certificateRow, len(rows))
	for _, r := range rows {
		out[r.SourceID] = r
	}
	return out, nil
}

func (s store) byCode(ctx context.Context, code string) (certificateRow, error) {
	var c certificateRow
	return c, notFound(s.db.Conn(ctx).Where("code = ?", code).Take(&c).Error)
}

// revokeRow revokes a valid certificate and reports whether it did; a
// revoked one keeps its first date and reason.
func (s store) revokeRow(ctx context.Context, code, reason string, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&certificateRow{}).Where("code = ? AND revoked_at IS NULL", code).
		Updates(map[string]any{"revoked_at": at, "revocation_reason": reason})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

func (s store) insertJob(ctx context.Context, j jobRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&j).Error)
}

func (s store) job(ctx context.Context, id string) (jobRow, error) {
	var j jobRow
	return j, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&j).Error)
}

// claim takes the oldest queued job, or a running one whose lease lapsed
// (no heartbeat since lapsedBefore: its replica died), for replica. Only
// one claimant wins each job: the update holds only while the row is as it
// was read. previous is the replica whose lease lapsed, "" for a queued job.
func (s store) claim(ctx context.Context, now, lapsedBefore time.Time, replica string) (j jobRow, previous string, ok bool, err error) {
	var candidates []jobRow
	err = s.db.Conn(ctx).Where("status = ? OR (status = ? AND claimed_at < ?)", JobQueued, JobRunning, lapsedBefore).
		Order("created_at").Limit(5).Find(&candidates).Error
	if err != nil {
		return jobRow{}, "", false, database.Translate(err)
	}
	for _, j := range candidates {
		res := s.db.Conn(ctx).Model(&jobRow{}).
			Where("id = ? AND (status = ? OR (status = ? AND claimed_at < ?))", j.ID, JobQueued, JobRunning, lapsedBefore).
			Updates(map[string]any{"status": JobRunning, "claimed_at": now, "claimed_by": replica})
		if res.Error != nil {
			return jobRow{}, "", false, database.Translate(res.Error)
		}
		if res.RowsAffected == 1 {
			if j.Status == JobRunning {
				previous = cmp.Or(j.ClaimedBy, "unknown") // claimed before replicas were named
			}
			j.Status, j.ClaimedAt, j.ClaimedBy = JobRunning, &now, replica
			return j, previous, true, nil
		}
	}
	return jobRow{}, "", false, nil
}

// renewJob is a running job's heartbeat; false when replica no longer holds
// the job (another took it over, or it ended).
func (s store) renewJob(ctx context.Context, id, replica string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&jobRow{}).Where("id = ? AND status = ? AND claimed_by = ?", id, JobRunning, replica).
		Update("claimed_at", now)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// finishJob writes a job's last fields if replica still holds it, and
// reports whether it did: a job taken over is finished by its new holder.
func (s store) finishJob(ctx context.Context, id, replica string, fields map[string]any) (bool, error) {
	res := s.db.Conn(ctx).Model(&jobRow{}).Where("id = ? AND status = ? AND claimed_by = ?", id, JobRunning, replica).
		Updates(fields)
	return res.RowsAffected == 1, database.Translate(res.Error)
}

func (s store) updateJob(ctx context.Context, id string, fields map[string]any) error {
	return database.Translate(s.db.Conn(ctx).Model(&jobRow{}).Where("id = ?", id).Updates(fields).Error)
}

// search finds by code when code is set, else by a part of the holder's
// name, letter case aside: PostgreSQL's ILIKE folds every letter, SQLite's
// LOWER only ASCII ones.
func (s store) search(ctx context.Context, code, name string, limit int) ([]certificateRow, error) {
	q := s.db.Conn(ctx).Order("issued_at DESC, id").Limit(limit)
	if code != "" {
		q = q.Where("code = ?", code)
	} else {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(name)) + "%"
		op := "LIKE"
		if s.db.Dialect() == database.Postgres {
			op = "ILIKE"
		}
		q = q.Where("LOWER(holder_name) "+op+` ? ESCAPE '\'`, like)
	}
	var rows []certificateRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// knownPDFs reports which of keys a certificate row names.
func (s store) knownPDFs(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var found []string
	err := s.db.Conn(ctx).Model(&certificateRow{}).Where("pdf_key IN ?", keys).Pluck("pdf_key", &found).Error
	for _, k := range found {
		out[k] = true
	}
	return out, database.Translate(err)
}
