package credentials

import (
	"context"
	"time"

	"mooc/internal/database"
)

type store struct{ db *database.DB }

// allocate gives the certificate the next free slot unless it has one, in
// one statement: the unique slot decides between two certificates asking
// at once (the loser's insert does nothing, and it asks again), and the
// primary key between two requests for the same certificate. The WHERE
// keeps SQLite from reading ON CONFLICT as a join's ON.
func (s store) allocate(ctx context.Context, certificateID string, now time.Time) error {
	return database.Translate(s.db.Conn(ctx).Exec(
		`INSERT INTO credential_statuses (certificate_id, slot, allocated_at)
		 SELECT ?, COALESCE(MAX(slot) + 1, 0), ? FROM credential_statuses WHERE TRUE
		 ON CONFLICT DO NOTHING`, certificateID, now).Error)
}

// slotOf is the certificate's slot; database.ErrNotFound when it has none.
func (s store) slotOf(ctx context.Context, certificateID string) (int64, error) {
	var slots []int64
	err := s.db.Conn(ctx).Raw(`SELECT slot FROM credential_statuses WHERE certificate_id = ?`, certificateID).Scan(&slots).Error
	if err != nil {
		return 0, database.Translate(err)
	}
	if len(slots) == 0 {
		return 0, database.ErrNotFound
	}
	return slots[0], nil
}

// lastSlot is the highest slot given, -1 when none is.
func (s store) lastSlot(ctx context.Context) (int64, error) {
	var last *int64
	if err := s.db.Conn(ctx).Raw(`SELECT MAX(slot) FROM credential_statuses`).Scan(&last).Error; err != nil {
		return 0, database.Translate(err)
	}
	if last == nil {
		return -1, nil
	}
	return *last, nil
}

// revokedIn lists the slots in [from, to) whose certificate is revoked,
// read from the certificates themselves.
func (s store) revokedIn(ctx context.Context, from, to int64) ([]int64, error) {
	var slots []int64
	err := s.db.Conn(ctx).Raw(`SELECT s.slot FROM credential_statuses s JOIN certificates c ON c.id = s.certificate_id
		WHERE s.slot >= ? AND s.slot < ? AND c.revoked_at IS NOT NULL`, from, to).Scan(&slots).Error
	return slots, database.Translate(err)
}

// certificateAt is the certificate given a slot; database.ErrNotFound when
// the slot is free.
func (s store) certificateAt(ctx context.Context, slot int64) (string, error) {
	var ids []string
	err := s.db.Conn(ctx).Raw(`SELECT certificate_id FROM credential_statuses WHERE slot = ?`, slot).Scan(&ids).Error
	if err != nil {
		return "", database.Translate(err)
	}
	if len(ids) == 0 {
		return "", database.ErrNotFound
	}
	return ids[0], nil
}
