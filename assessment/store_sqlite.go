package assessment

import (
	"context"
	"fmt"

	"mooc/internal/database"
)

// sqliteSubmissions records a submission in a short transaction: SQLite
// has one writer at a time, so it holds no lock a statement would not.
type sqliteSubmissions struct{ store store }

var sqliteSheetQuery = fmt.Sprintf(sheetQuery, "group_concat(o.id, ',')")

func (sqliteSubmissions) sheetQuery() string { return sqliteSheetQuery }

func (s sqliteSubmissions) record(ctx context.Context, attemptID string, g Result, qs []gradedQuestion) (bool, error) {
	var won bool
	err := s.store.db.InTx(ctx, func(ctx context.Context) error {
		res := s.store.db.Conn(ctx).Exec(claimQuery, claimArgs(attemptID, g)...)
		if res.Error != nil {
			return database.Translate(res.Error)
		}
		if won = res.RowsAffected == 1; !won {
			return nil
		}
		return s.store.recordAnswers(ctx, attemptID, qs)
	})
	return won, err
}
