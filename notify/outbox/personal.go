package outbox

import (
	"context"

	"mooc/internal/database"
)

// About returns the e-mails queued or sent to the person, oldest first:
// what each told them (template and its parameters) and when it went.
func (o *Outbox) About(ctx context.Context, userID string) ([]map[string]any, error) {
	return database.Records(o.db.Conn(ctx).Table("outbox").
		Select("id, template, params, created_at, sent_at, attempts").Where("user_id = ?", userID).Order("created_at, id"))
}

// Forget deletes every e-mail queued or sent to the person (closing the
// account): their record, and anything still waiting, which would go to
// an address the account no longer has.
func (o *Outbox) Forget(ctx context.Context, userID string) error {
	return database.Translate(o.db.Conn(ctx).Where("user_id = ?", userID).Delete(&Stored{}).Error)
}
