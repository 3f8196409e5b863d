package catalogue

import (
	"context"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/page"
)

// Copy starts the next edition of a course: a draft with the course's
// settings, its lessons with their files and captions, and (from the
// assessment domain) its question bank and tests, all new rows, so editing
// either course never changes the other. Files are shared, not copied:
// an upload never changes once stored. The copy belongs to the original's
// author, whoever made it, so the team can prepare an edition its author
// goes on with. The course is locked while it is read, so no correction
// lands half in the copy; everything is one transaction, so a copy that
// fails leaves nothing. The copy keeps the title: the course's name is the
// methodology's, and its editions differ by when they run. Errors:
// ErrNotFound, ErrForbidden.
func (s *Service) Copy(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
	var out Course
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		src, err := s.loadLocked(ctx, courseID)
		if err != nil {
			return err
		}
		if err := editorCheck(src, caller); err != nil {
			return err
		}
		now := s.now().UTC()
		row := courseRow{
			ID: uuid.NewString(), MethodologyID: src.MethodologyID, OwnerID: src.OwnerID, Title: src.Title,
			Summary: src.Summary, Language: src.Language, Weeks: src.WeekCount(), EffortHours: src.EffortHours,
			PassPercent: src.PassPercent, Status: StatusDraft, CopiedFrom: &src.ID, CreatedAt: now, UpdatedAt: now,
		}
		if err := s.store.insertCourse(ctx, row); err != nil {
			return err
		}
		var lessons []lessonRow
		var captions []captionRow
		for _, l := range src.Lessons() {
			id := uuid.NewString()
			lessons = append(lessons, lessonRow{ID: id, CourseID: row.ID, Week: l.Week, Position: l.Position, Title: l.Title,
				Kind: l.Kind, Minutes: l.Minutes, MediaID: l.MediaID, Body: l.Body, CreatedAt: now, UpdatedAt: now})
			for _, c := range l.Captions {
				captions = append(captions, captionRow{LessonID: id, Language: c.Language, MediaID: c.MediaID})
			}
		}
		if err := s.store.insertLessons(ctx, lessons, captions); err != nil {
			return err
		}
		if err := s.banks.CopyBank(ctx, src.ID, row.ID); err != nil {
			return err
		}
		out, err = s.load(ctx, row.ID)
		return err
	})
	return out, err
}

// Editions lists a methodology's courses, newest first, each with the
// course it was copied from and its cohorts: the methodology's run
// history. The team sees every course; an author every one but other
// authors' drafts. Errors: ErrNotFound, page.ErrBadCursor.
func (s *Service) Editions(ctx context.Context, caller accounts.Principal, methodologyID string, limit int, cursor string) ([]Edition, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.Methodology(ctx, methodologyID); err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	draftsOf := ""
	if !caller.IsTeam() {
		draftsOf = caller.UserID
	}
	rows, err := s.store.courses(ctx, courseFilter{methodologyID: methodologyID, draftsOf: draftsOf}, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r courseRow) []string { return page.TimeKey(r.CreatedAt, r.ID) })
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	runs, err := s.cohortsOf(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	out := make([]Edition, len(rows))
	for i, r := range rows {
		c := toCourse(r, nil, nil)
		out[i] = Edition{ID: c.ID, Title: c.Title, OwnerID: c.OwnerID, Status: c.Status, CopiedFrom: c.CopiedFrom,
			CreatedAt: c.CreatedAt, PublishedAt: c.PublishedAt, ArchivedAt: c.ArchivedAt, Cohorts: runs[c.ID]}
		if out[i].Cohorts == nil {
			out[i].Cohorts = []Run{}
		}
	}
	return out, next, nil
}
