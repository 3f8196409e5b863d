package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/page"
)

// Actions. The word says what was done; the target says to what.
const (
	RolesChanged         = "user.roles_changed"
	AccountClosed        = "user.account_closed"
	CertificateRevoked   = "certificate.revoked"
	CohortChanged        = "cohort.changed"
	ProgrammeAllocated   = "programme.allocated"
	ApplicationAccepted  = "application.accepted"
	AttendanceRecorded   = "attendance.recorded"
	PersonalDataExported = "personal_data.exported"
)

// Entry is one logged action.
type Entry struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    string         `json:"actor_id"` // empty: the platform itself (a worker)
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	SubjectID  string         `json:"subject_id,omitempty"` // the person concerned
	Details    map[string]any `json:"details"`
}

// Filter narrows a listing; empty fields match everything.
type Filter struct {
	ActorID   string
	SubjectID string
	TargetID  string
	Action    string
}

type row struct {
	ID         string
	At         time.Time
	ActorID    string
	Action     string
	TargetType string
	TargetID   string
	SubjectID  string
	Details    string
}

func (row) TableName() string { return "audit_log" }

// Log is the audit log.
type Log struct {
	db  *database.DB
	now func() time.Time
}

// New builds the log on db; now defaults to time.Now.
func New(db *database.DB, now func() time.Time) *Log {
	return &Log{db: db, now: clock.Or(now)}
}

type actorKey struct{}

// WithActor names the person acting in ctx.
func WithActor(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// Actor is the person acting in ctx, empty when none is named.
func Actor(ctx context.Context) string {
	id, _ := ctx.Value(actorKey{}).(string)
	return id
}

// Record logs e with the actor of ctx, in ctx's transaction when there is
// one. ID and At are filled in. A nil Log records nothing: services built
// alone for another domain's tests have none.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if l == nil {
		return nil
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	r := row{ID: uuid.NewString(), At: l.now().UTC().Truncate(time.Microsecond), ActorID: Actor(ctx), Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, SubjectID: e.SubjectID, Details: string(b)}
	return database.Translate(l.db.Conn(ctx).Create(&r).Error)
}

// List returns entries newest first. Errors: page.ErrBadCursor.
func (l *Log) List(ctx context.Context, f Filter, limit int, cursor string) ([]Entry, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, "", err
	}
	q := l.db.Conn(ctx).Order("at DESC, id DESC").Limit(p.Limit + 1)
	for col, v := range map[string]string{"actor_id": f.ActorID, "subject_id": f.SubjectID, "target_id": f.TargetID, "action": f.Action} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if ok {
		q = q.Where("at < ? OR (at = ? AND id < ?)", at, at, id)
	}
	var rows []row
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", database.Translate(err)
	}
	rows, next := page.Trim(rows, p.Limit, func(r row) []string { return page.TimeKey(r.At, r.ID) })
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = toEntry(r)
	}
	return out, next, nil
}

// About returns every entry concerning the person, oldest first: their
// part of the log, for the export of their data.
func (l *Log) About(ctx context.Context, userID string) ([]Entry, error) {
	var rows []row
	if err := l.db.Conn(ctx).Where("subject_id = ? OR (target_type = 'user' AND target_id = ?)", userID, userID).
		Order("at, id").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = toEntry(r)
	}
	return out, nil
}

func toEntry(r row) Entry {
	e := Entry{ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, Action: r.Action, TargetType: r.TargetType,
		TargetID: r.TargetID, SubjectID: r.SubjectID, Details: map[string]any{}}
	_ = json.Unmarshal([]byte(r.Details), &e.Details) // written by Record: always an object
	return e
}

// ExportDetails are the details of a PersonalDataExported entry for a
// download of a list: which list, in which format, how many rows, and the
// filter that chose them, when there was one.
func ExportDetails(list, format string, rows int, status []string, municipality string) map[string]any {
	details := map[string]any{"list": list, "format": format, "rows": rows}
	if len(status) > 0 {
		details["status"] = status
	}
	if municipality != "" {
		details["municipality"] = municipality
	}
	return details
}
