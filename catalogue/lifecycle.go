package catalogue

import (
	"context"

	"github.com/google/uuid"

	"mooc/accounts"
)

// DeleteCourse removes a draft with everything it holds: lessons,
// captions, question bank and tests (the assessment domain's, in the same
// transaction). Only a draft goes: a published course is kept with its
// cohorts, certificates and history, and is archived instead. A draft has
// no cohort (only a published course opens one, and none goes back to
// draft); anything else still naming it (people who asked to hear of its
// cohorts) keeps it, as ErrCourseInUse. A course copied from the draft
// keeps its content and forgets where it came from. Errors: ErrNotFound,
// ErrForbidden, ErrPublishedKept, ErrCourseArchived, ErrCourseInUse.
func (s *Service) DeleteCourse(ctx context.Context, caller accounts.Principal, courseID string) error {
	defer s.forget(&courseID)
	return s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockedBare(ctx, courseID)
		if err != nil {
			return err
		}
		if err := editorCheck(c, caller); err != nil {
			return err
		}
		switch c.Status {
		case StatusPublished:
			return ErrPublishedKept
		case StatusArchived:
			return ErrCourseArchived
		}
		if err := s.banks.DropBank(ctx, c.ID); err != nil {
			return inUse(err)
		}
		return s.store.deleteCourse(ctx, c.ID)
	})
}

// Archive retires a published course whose cohorts have all ended: it
// leaves the course lists (but for its editors) and takes no new cohort,
// while its outline, cohorts, certificates and history stay. A cohort
// that has not ended, running or still to start, keeps the course
// published. Archiving an archived course again returns it unchanged.
// Errors: ErrNotFound, ErrForbidden, ErrNotPublished (a draft: delete it
// instead), ErrCohortRunning.
func (s *Service) Archive(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
	defer s.forget(&courseID)
	var out Course
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.loadLocked(ctx, courseID)
		if err != nil {
			return err
		}
		if err := editorCheck(c, caller); err != nil {
			return err
		}
		switch c.Status {
		case StatusDraft:
			return ErrNotPublished
		case StatusArchived:
			out = c
			return nil
		}
		runs, err := s.cohortsOf(ctx, []string{c.ID})
		if err != nil {
			return err
		}
		now := s.now().UTC()
		for _, r := range runs[c.ID] {
			if r.EndsAt.After(now) {
				return ErrCohortRunning
			}
		}
		if err := s.store.archive(ctx, c.ID, now); err != nil {
			return err
		}
		out, err = s.load(ctx, c.ID)
		return err
	})
	return out, err
}

// lockedBare is bare with the course row locked until the transaction
// ends.
func (s *Service) lockedBare(ctx context.Context, id string) (Course, error) {
	if uuid.Validate(id) != nil {
		return Course{}, ErrNotFound
	}
	row, err := s.store.lockCourse(ctx, id)
	if err != nil {
		return Course{}, err
	}
	return toCourse(row, nil, nil), nil
}
