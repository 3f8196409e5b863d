package surveys

import (
	"context"
	"time"

	"mooc/internal/lease"
	"mooc/notify/outbox"
)

// InvitationTemplate is the outbox template of the e-mail that invites a
// person to answer a survey.
const InvitationTemplate = "survey_invitation"

// inviteBatch bounds the completions one round reads.
const inviteBatch = 200

// InviteCompleted invites everyone whose certificate of a course or
// programme with a survey was issued (and not revoked) and who was neither
// invited nor has answered yet: an e-mail through the outbox with the link
// to their survey page. Each invitation is queued in the transaction that
// inserts its marker, and the marker's key decides, among several replicas
// running at once, the one that queues it: a person is invited once. A
// survey set after its course was completed invites those who completed
// it too. Closed accounts are never invited. It returns how many this
// call invited.
func (s *Service) InviteCompleted(ctx context.Context) (int, error) {
	return s.inviteCompleted(ctx, lease.Worker{})
}

// invitationKind names a survey invitation in the log.
const invitationKind = "survey.invitation"

// inviteCompleted is InviteCompleted by worker w. The transaction that
// inserts an invitation's marker is its claim: should the replica die
// before the commit, the marker is rolled back with the e-mail and the
// next round of any replica invites the person, so no lease needs renewing.
func (s *Service) inviteCompleted(ctx context.Context, w lease.Worker) (int, error) {
	invited := 0
	for {
		due, err := s.store.uninvited(ctx, inviteBatch)
		if err != nil {
			return invited, err
		}
		for _, d := range due {
			job, won := d.SurveyID+":"+d.SubjectID, false
			err := s.db.InTx(ctx, func(ctx context.Context) (err error) {
				won, err = s.store.markInvited(ctx, invitationRow{SurveyID: d.SurveyID, SubjectID: d.SubjectID, UserID: d.UserID, InvitedAt: s.now().UTC()})
				if err != nil || !won { // another replica did it
					return err
				}
				w.Claimed(invitationKind, job, "")
				return s.outbox.Queue(ctx, outbox.Message{ID: "survey-invitation:" + d.SurveyID + ":" + d.SubjectID, UserID: d.UserID,
					Template: InvitationTemplate, Params: map[string]string{"title": d.Title, "link": s.publicURL + d.path()}})
			})
			if err != nil {
				return invited, err
			}
			if won {
				invited++
				w.Finished(invitationKind, job)
			}
		}
		if len(due) < inviteBatch {
			return invited, nil
		}
	}
}

// path is the page where the invited person answers: their course page's
// survey, or the programme's.
func (d uninvited) path() string {
	if d.ProgrammeID != "" {
		return "/programmes/" + d.ProgrammeID + "/survey"
	}
	return "/learn/" + d.SubjectID + "/survey"
}

// RunInviter invites every interval until ctx ends (InviteCompleted), as
// worker w.
func (s *Service) RunInviter(ctx context.Context, every time.Duration, w lease.Worker, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.inviteCompleted(ctx, w); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
