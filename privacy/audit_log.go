package privacy

import (
	"context"

	"mooc/audit"
)

// AuditLog lists the audit log for the team, newest first (audit.Log.List):
// the record of who did what to whose data, beside the exports and
// closures this service itself logs. Errors: page.ErrBadCursor.
func (s *Service) AuditLog(ctx context.Context, f audit.Filter, limit int, cursor string) ([]audit.Entry, string, error) {
	return s.d.Audit.List(ctx, f, limit, cursor)
}
