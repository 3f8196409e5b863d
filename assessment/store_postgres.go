package assessment

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"mooc/internal/database"
)

// postgresSubmissions records a submission in one statement.
type postgresSubmissions struct{ db *database.DB }

var postgresSheetQuery = fmt.Sprintf(sheetQuery, "string_agg(o.id, ',')")

func (postgresSubmissions) sheetQuery() string { return postgresSheetQuery }

// One statement, so autocommit makes it atomic: the answers are written
// only where the claim returned the attempt. The loser of two concurrent
// claims waits for the winner's row and, seeing it submitted, claims
// nothing and so writes nothing.
const claimAndRecordQuery = `WITH claim AS (` + claimQuery + ` RETURNING id)
UPDATE attempt_questions aq SET chosen = v.chosen, correct = v.correct
FROM claim, unnest(?::int[], ?::text[], ?::bool[]) AS v(position, chosen, correct)
WHERE aq.attempt_id = claim.id AND aq.position = v.position`

func (s postgresSubmissions) record(ctx context.Context, attemptID string, g Result, qs []gradedQuestion) (bool, error) {
	var positions, chosen, correct strings.Builder
	positions.Grow(4*len(qs) + 2)
	chosen.Grow(40*len(qs) + 2)
	correct.Grow(6*len(qs) + 2)
	positions.WriteByte('{')
	chosen.WriteByte('{')
	correct.WriteByte('{')
	for i, q := range qs {
		if i > 0 {
			positions.WriteByte(',')
			chosen.WriteByte(',')
			correct.WriteByte(',')
		}
		positions.WriteString(strconv.Itoa(q.position))
		quoteElement(&chosen, q.chosen)
		correct.WriteString(strconv.FormatBool(q.right))
	}
	positions.WriteByte('}')
	chosen.WriteByte('}')
	correct.WriteByte('}')
	args := append(claimArgs(attemptID, g), positions.String(), chosen.String(), correct.String())
	res := s.db.Conn(ctx).Exec(claimAndRecordQuery, args...)
	if res.Error != nil {
		return false, database.Translate(res.Error)
	}
	return res.RowsAffected > 0, nil
}

// quoteElement writes s as a quoted element of an array literal, where an
// unquoted comma would split it and an empty string would not be one.
func quoteElement(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}
