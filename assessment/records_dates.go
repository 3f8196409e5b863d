package assessment

import (
	"context"
	"time"

	"mooc/internal/database"
)

// FinalPassedAt tells, per enrolment, when its final test was first
// passed: the submission of its first passing attempt, the day that
// requirement of the certificate was met (a better attempt later does not
// move it). Enrolments without a passed final test are left out.
func (r *Records) FinalPassedAt(ctx context.Context, enrolmentIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(enrolmentIDs) == 0 {
		return out, nil
	}
	// Row by row rather than MIN(), which SQLite would answer as text.
	var rows []attemptRow
	err := r.store.db.Conn(ctx).Model(&attemptRow{}).Select("attempts.enrolment_id, attempts.submitted_at").
		Joins("JOIN tests ON tests.id = attempts.test_id").
		Where("attempts.enrolment_id IN ? AND attempts.submitted_at IS NOT NULL AND attempts.passed = ? AND tests.final = ?",
			enrolmentIDs, true, true).
		Find(&rows).Error
	if err != nil {
		return nil, database.Translate(err)
	}
	for _, a := range rows {
		if first, ok := out[a.EnrolmentID]; !ok || a.SubmittedAt.Before(first) {
			out[a.EnrolmentID] = a.SubmittedAt.UTC()
		}
	}
	return out, nil
}
