package media

import (
	"context"
	"errors"
	"time"

	"mooc/internal/database"
	"mooc/internal/page"
)

// mediaRow is the media table.
type mediaRow struct {
	ID           string
	OwnerID      string
	Filename     string
	ContentType  string
	Size         int64
	SHA256       string `gorm:"column:sha256"`
	Status       string
	ObjectKey    string
	UploadID     string
	DeclaredSize int64
	// DurationSeconds is nil when unknown; DurationRead says whether the
	// file was read for it (files stored before durations were read were not).
	DurationSeconds *float64
	DurationRead    bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (mediaRow) TableName() string { return "media" }

func (r mediaRow) media() Media {
	return Media{
		ID: r.ID, Filename: r.Filename, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256,
		Status: r.Status, OwnerID: r.OwnerID, CreatedAt: r.CreatedAt.UTC(), DurationSeconds: r.DurationSeconds, ObjectKey: r.ObjectKey,
	}
}

type records struct{ db *database.DB }

func (s records) insert(ctx context.Context, r mediaRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&r).Error)
}

func (s records) get(ctx context.Context, id string) (mediaRow, error) {
	var r mediaRow
	err := database.Translate(s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error)
	if errors.Is(err, database.ErrNotFound) {
		return r, ErrNotFound
	}
	return r, err
}

// setStatus moves a row from one status to another only if it still has
// the first; of concurrent callers exactly one gets true, which makes the
// update a lock on the upload without holding a transaction open while
// gigabytes are read back from storage.
func (s records) setStatus(ctx context.Context, id, from, to string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&mediaRow{}).Where("id = ? AND status = ?", id, from).
		Updates(map[string]any{"status": to, "updated_at": now})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// markReady moves an upload to ready exactly once, and only from the
// completing status that its one completer holds.
func (s records) markReady(ctx context.Context, id string, size int64, sha, contentType string, duration *float64, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&mediaRow{}).Where("id = ? AND status = ?", id, StatusCompleting).
		Updates(map[string]any{"status": StatusReady, "size": size, "sha256": sha, "content_type": contentType, "upload_id": "",
			"duration_seconds": duration, "duration_read": true, "updated_at": now})
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// setDuration records what reading a stored file's duration found.
func (s records) setDuration(ctx context.Context, id string, duration *float64) error {
	return database.Translate(s.db.Conn(ctx).Model(&mediaRow{}).Where("id = ?", id).
		UpdateColumns(map[string]any{"duration_seconds": duration, "duration_read": true}).Error)
}

func (s records) delete(ctx context.Context, id string) error {
	return database.Translate(s.db.Conn(ctx).Where("id = ?", id).Delete(&mediaRow{}).Error)
}

// list returns media newest first; ownerID "" lists everyone's.
func (s records) list(ctx context.Context, ownerID string, p page.Request) ([]mediaRow, error) {
	q := s.db.Conn(ctx).Where("status = ?", StatusReady).Order("created_at DESC, id DESC").Limit(p.Limit + 1)
	if ownerID != "" {
		q = q.Where("owner_id = ?", ownerID)
	}
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", at, at, id)
	}
	var rows []mediaRow
	return rows, database.Translate(q.Find(&rows).Error)
}

// staleBatch bounds one query of the sweep.
const staleBatch = 500

// stale returns unfinished uploads nobody has touched since cutoff. It
// goes by updated_at, not created_at: a complete under way has just
// claimed its row, so a long upload completed near the deadline is not
// swept from under its completer.
func (s records) stale(ctx context.Context, cutoff time.Time) ([]mediaRow, error) {
	var rows []mediaRow
	err := s.db.Conn(ctx).Where("status IN ? AND updated_at < ?", unfinished, cutoff).
		Order("updated_at, id").Limit(staleBatch).Find(&rows).Error
	return rows, database.Translate(err)
}

// claimStale marks a stale upload as being aborted by the sweep, unless a
// request touched it since stale listed it. updated_at stays as it was, so
// that a sweep that fails half-way is retried by the next one.
func (s records) claimStale(ctx context.Context, id string, cutoff time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&mediaRow{}).Where("id = ? AND status IN ? AND updated_at < ?", id, unfinished, cutoff).
		UpdateColumn("status", StatusAborting) // UpdateColumn: Update would bump updated_at
	return res.RowsAffected == 1, database.Translate(res.Error)
}

// knownKeys reports which of keys a row names.
func (s records) knownKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return s.known(ctx, "object_key", keys)
}

// knownUploads reports which of the multipart uploads a row stands for.
func (s records) knownUploads(ctx context.Context, uploadIDs []string) (map[string]bool, error) {
	return s.known(ctx, "upload_id", uploadIDs)
}

func (s records) known(ctx context.Context, column string, values []string) (map[string]bool, error) {
	out := make(map[string]bool, len(values))
	if len(values) == 0 {
		return out, nil
	}
	var found []string
	err := s.db.Conn(ctx).Model(&mediaRow{}).Where(column+" IN ?", values).Pluck(column, &found).Error
	for _, v := range found {
		out[v] = true
	}
	return out, database.Translate(err)
}
