package catalogue

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/audit"
	"mooc/internal/page"
	"mooc/internal/validation"
)

// correct applies a correction to a lesson of a published course, within
// UpdateLesson's transaction: its title, text, file and captions may
// change while cohorts run (a typo, a wrong or better file), and learners
// read the lesson from here, so they see the correction at once. What
// shapes the course may not change: a lesson's week, kind and minutes
// (the pacing, what completes it, the hours a certificate states), like
// adding or removing lessons and tests. A field sent with the value it has
// is no change, so a client may send a lesson back as it read it. Each
// changed field is kept in the course's history with both its values.
func (s *Service) correct(ctx context.Context, caller accounts.Principal, c Course, l lessonRow, ch LessonChange) (Lesson, error) {
	if (ch.Week != nil && *ch.Week != l.Week) || (ch.Kind != nil && *ch.Kind != l.Kind) || (ch.Minutes != nil && *ch.Minutes != l.Minutes) {
		return Lesson{}, ErrStructureFixed
	}
	current, err := s.store.captions(ctx, []string{l.ID})
	if err != nil {
		return Lesson{}, err
	}
	before := toLesson(l, current[l.ID])
	after := before
	if ch.Title != nil {
		after.Title = *ch.Title
	}
	if ch.Body != nil {
		after.Body = *ch.Body
	}
	if ch.MediaID != nil {
		after.MediaID = emptyToNil(ch.MediaID)
	}
	if ch.Captions != nil {
		after.Captions = *ch.Captions
	}

	// Only the files the correction brings in are checked: one the lesson
	// has may be another editor's, which this caller could not attach but
	// need not.
	mediaChanged := !equalJSON(before.MediaID, after.MediaID)
	captionsChanged := !equalJSON(byLanguage(before.Captions), byLanguage(after.Captions))
	var newMedia *string
	if mediaChanged {
		newMedia = after.MediaID
	}
	var newCaptions []Caption
	if captionsChanged {
		newCaptions = after.Captions
	}
	if errs := s.checkMedia(ctx, caller, after.Kind, newMedia, newCaptions); len(errs) > 0 {
		return Lesson{}, validation.Fail(errs...)
	}
	if mediaChanged || after.Body != before.Body {
		gaps, err := s.lessonGaps(ctx, after)
		if err != nil {
			return Lesson{}, err
		}
		for i := range gaps {
			if gaps[i].Field == "" { // neither text nor file: name what this correction emptied
				gaps[i].Field = "media_id"
				if after.Body != before.Body {
					gaps[i].Field = "body"
				}
			}
		}
		if len(gaps) > 0 {
			return Lesson{}, validation.Fail(gaps...)
		}
	}

	now := s.now().UTC()
	actor := cmp.Or(audit.Actor(ctx), caller.UserID)
	var changes []changeRow
	record := func(field string, old, new any) {
		o, _ := json.Marshal(old) // strings, ids and captions always encode
		n, _ := json.Marshal(new)
		if !bytes.Equal(o, n) {
			changes = append(changes, changeRow{ID: uuid.NewString(), CourseID: c.ID, LessonID: l.ID, ActorID: actor,
				Field: field, OldValue: string(o), NewValue: string(n), ChangedAt: now})
		}
	}
	record("title", before.Title, after.Title)
	record("body", before.Body, after.Body)
	record("media_id", before.MediaID, after.MediaID)
	record("captions", byLanguage(before.Captions), byLanguage(after.Captions))
	if len(changes) == 0 {
		return before, nil
	}

	l.Title, l.Body, l.MediaID, l.UpdatedAt = after.Title, after.Body, after.MediaID, now
	var captions *[]Caption
	if captionsChanged {
		captions = &after.Captions
	}
	if err := s.store.saveLesson(ctx, l, captions); err != nil {
		return Lesson{}, err
	}
	if err := s.store.insertChanges(ctx, changes); err != nil {
		return Lesson{}, err
	}
	if err := s.store.touch(ctx, c.ID, now); err != nil {
		return Lesson{}, err
	}
	return toLesson(l, byLanguage(after.Captions)), nil
}

// History lists the corrections of a course, newest first, to those who
// edit it: its author and the team. Errors: ErrNotFound (also for a
// course the caller may not see), ErrForbidden, page.ErrBadCursor.
func (s *Service) History(ctx context.Context, caller accounts.Principal, courseID string, limit int, cursor string) ([]Change, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c, err := s.bare(ctx, courseID)
	if err != nil {
		return nil, "", err
	}
	if err := editorCheck(c, caller); err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	rows, err := s.store.changes(ctx, c.ID, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r changeRow) []string { return page.TimeKey(r.ChangedAt, r.ID) })
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = Change{ID: r.ID, CourseID: r.CourseID, LessonID: r.LessonID, ActorID: r.ActorID, Field: r.Field,
			Old: json.RawMessage(r.OldValue), New: json.RawMessage(r.NewValue), ChangedAt: r.ChangedAt.UTC()}
	}
	return out, next, nil
}

// bare reads a course without its outline, enough to decide access.
func (s *Service) bare(ctx context.Context, id string) (Course, error) {
	if uuid.Validate(id) != nil {
		return Course{}, ErrNotFound
	}
	row, err := s.store.course(ctx, id)
	if err != nil {
		return Course{}, err
	}
	return toCourse(row, nil, nil), nil
}

// byLanguage is captions in the order the store reads them back, so that
// the same set compares equal however a client ordered it.
func byLanguage(captions []Caption) []Caption {
	out := slices.Clone(captions)
	if out == nil {
		out = []Caption{}
	}
	slices.SortFunc(out, func(a, b Caption) int { return cmp.Compare(a.Language, b.Language) })
	return out
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
