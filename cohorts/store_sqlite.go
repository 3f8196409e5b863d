package cohorts

import (
	"context"
	"strconv"

	"mooc/notify/outbox"
)

// sqliteSeats claims in a transaction of several statements: SQLite has
// one writer at a time, so the transaction holds no lock a single
// statement would not.
type sqliteSeats struct {
	store
	outbox *outbox.Outbox
}

func (s sqliteSeats) claim(ctx context.Context, e enrolmentRow, params map[string]string) (status string, position int, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// The same two claims as claimStatement; the transaction holds
		// SQLite's one write lock from the first of them on.
		seq, seated, err := s.takeSeat(ctx, e.CohortID)
		if err != nil {
			return err
		}
		e.Status, e.EnrolledAt = Enrolled, &e.CreatedAt
		if !seated {
			e.Status, e.EnrolledAt = Waitlisted, nil
			if seq, position, err = s.joinWaitlist(ctx, e.CohortID); err != nil {
				return err
			}
		}
		e.QueueSeq = seq
		if err := s.insertEnrolment(ctx, e); err != nil {
			return err
		}
		notice := make(map[string]string, len(params)+1)
		for k, v := range params {
			notice[k] = v
		}
		if e.Status == Waitlisted {
			notice["position"] = strconv.Itoa(position)
		}
		// The event id and the template are the enrolment's status, as in
		// claimStatement.
		return s.outbox.Queue(ctx, outbox.Message{ID: e.Status + ":" + e.ID, UserID: e.UserID, Template: e.Status, Params: notice})
	})
	return e.Status, position, err
}
