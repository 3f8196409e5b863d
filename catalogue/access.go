package catalogue

import (
	"context"

	"mooc/accounts"
)

// canEdit: the team edits every course, an author their own.
func canEdit(c Course, p accounts.Principal) bool {
	return p.IsTeam() || (p.Has(accounts.RoleAuthor) && c.OwnerID == p.UserID)
}

// canSee: published courses are public, and so are archived ones (a past
// edition stays readable for those who took it); drafts only to those who
// edit them.
func canSee(c Course, p accounts.Principal) bool {
	return c.Status != StatusDraft || canEdit(c, p)
}

// editorCheck answers ErrNotFound to those who may not see c and
// ErrForbidden to those who see it but may not edit it.
func editorCheck(c Course, p accounts.Principal) error {
	switch {
	case !canSee(c, p):
		return ErrNotFound
	case !canEdit(c, p):
		return ErrForbidden
	}
	return nil
}

// draftCheck is editorCheck for changes only a draft takes.
func draftCheck(c Course, p accounts.Principal) error {
	if err := editorCheck(c, p); err != nil {
		return err
	}
	switch c.Status {
	case StatusPublished:
		return ErrCoursePublished
	case StatusArchived:
		return ErrCourseArchived
	}
	return nil
}

// Editable returns a course, draft or published, that the caller may edit
// (to read its question bank and statistics, say). Errors: ErrNotFound
// (also for a course the caller may not see), ErrForbidden.
func (s *Service) Editable(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
	c, err := s.load(ctx, courseID)
	if err != nil {
		return Course{}, err
	}
	return c, editorCheck(c, caller)
}

// EditableDraft returns a draft course the caller may edit. Errors as
// Editable, and ErrCoursePublished or ErrCourseArchived.
func (s *Service) EditableDraft(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
	c, err := s.load(ctx, courseID)
	if err != nil {
		return Course{}, err
	}
	return c, draftCheck(c, caller)
}
