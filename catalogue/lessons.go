package catalogue

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/validation"
	"mooc/media"
)

// AddLesson appends a lesson to a week of a draft course. Errors:
// ErrNotFound, ErrForbidden, ErrCoursePublished, *validation.Error.
func (s *Service) AddLesson(ctx context.Context, caller accounts.Principal, courseID string, in NewLesson) (Lesson, error) {
	in.Title = strings.TrimSpace(in.Title)
	if err := validation.Struct(in); err != nil {
		return Lesson{}, err
	}
	defer s.forget(&courseID)
	var out Lesson
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.editable(ctx, caller, courseID)
		if err != nil {
			return err
		}
		if in.Week > c.WeekCount() {
			return validation.Fail(validation.Field("week", fmt.Sprintf("the course has %d weeks", c.WeekCount())))
		}
		mediaID := emptyToNil(in.MediaID)
		if errs := s.checkMedia(ctx, caller, in.Kind, mediaID, in.Captions); len(errs) > 0 {
			return validation.Fail(errs...)
		}
		pos, err := s.store.nextPosition(ctx, c.ID, in.Week)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		row := lessonRow{ID: uuid.NewString(), CourseID: c.ID, Week: in.Week, Position: pos, Title: in.Title, Kind: in.Kind,
			Minutes: in.Minutes, MediaID: mediaID, Body: in.Body, CreatedAt: now, UpdatedAt: now}
		captions := in.Captions
		if captions == nil {
			captions = []Caption{}
		}
		if err := s.store.saveLesson(ctx, row, &captions); err != nil {
			return err
		}
		out = toLesson(row, captions)
		return s.store.touch(ctx, c.ID, now)
	})
	return out, err
}

// UpdateLesson changes the given fields of a lesson of a draft course;
// moving it to another week puts it last there. A lesson of a published
// course takes corrections only (correct, in corrections.go). Errors as
// AddLesson, and ErrStructureFixed, ErrCourseArchived.
func (s *Service) UpdateLesson(ctx context.Context, caller accounts.Principal, lessonID string, ch LessonChange) (Lesson, error) {
	if err := validation.Struct(ch); err != nil {
		return Lesson{}, err
	}
	if ch.Title != nil {
		// The tag's min=1 counts the spaces that trimming removes.
		title := strings.TrimSpace(*ch.Title)
		if title == "" {
			return Lesson{}, validation.Fail(validation.Field("title", "is required"))
		}
		ch.Title = &title
	}
	var out Lesson
	var courseID string
	defer s.forget(&courseID)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		l, c, err := s.lockedLesson(ctx, caller, lessonID)
		if err != nil {
			return err
		}
		courseID = c.ID
		switch c.Status {
		case StatusPublished:
			out, err = s.correct(ctx, caller, c, l, ch)
			return err
		case StatusArchived:
			return ErrCourseArchived
		}
		if ch.Week != nil && *ch.Week != l.Week {
			if *ch.Week > c.WeekCount() {
				return validation.Fail(validation.Field("week", fmt.Sprintf("the course has %d weeks", c.WeekCount())))
			}
			if l.Position, err = s.store.nextPosition(ctx, c.ID, *ch.Week); err != nil {
				return err
			}
			l.Week = *ch.Week
		}
		if ch.Title != nil {
			l.Title = *ch.Title
		}
		if ch.Kind != nil {
			l.Kind = *ch.Kind
		}
		if ch.Minutes != nil {
			l.Minutes = *ch.Minutes
		}
		if ch.MediaID != nil {
			l.MediaID = emptyToNil(ch.MediaID)
		}
		if ch.Body != nil {
			l.Body = *ch.Body
		}
		current, err := s.store.captions(ctx, []string{l.ID})
		if err != nil {
			return err
		}
		captions := current[l.ID]
		if ch.Captions != nil {
			captions = *ch.Captions
		}
		if errs := s.checkMedia(ctx, caller, l.Kind, l.MediaID, captions); len(errs) > 0 {
			return validation.Fail(errs...)
		}
		l.UpdatedAt = s.now().UTC()
		if err := s.store.saveLesson(ctx, l, ch.Captions); err != nil {
			return err
		}
		if captions == nil {
			captions = []Caption{}
		}
		out = toLesson(l, captions)
		return s.store.touch(ctx, c.ID, l.UpdatedAt)
	})
	return out, err
}

// DeleteLesson removes a lesson of a draft course. Errors as AddLesson.
func (s *Service) DeleteLesson(ctx context.Context, caller accounts.Principal, lessonID string) error {
	var courseID string
	defer s.forget(&courseID)
	return s.db.InTx(ctx, func(ctx context.Context) error {
		l, c, err := s.editableLesson(ctx, caller, lessonID)
		courseID = c.ID
		if err != nil {
			return err
		}
		if err := s.store.deleteLesson(ctx, l.ID); err != nil {
			return err
		}
		return s.store.touch(ctx, c.ID, s.now().UTC())
	})
}

// ReorderWeek sets the order of a week's lessons; lessonIDs must name each
// lesson of that week exactly once. Errors as AddLesson.
func (s *Service) ReorderWeek(ctx context.Context, caller accounts.Principal, courseID string, week int, lessonIDs []string) (Course, error) {
	defer s.forget(&courseID)
	var out Course
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.editable(ctx, caller, courseID)
		if err != nil {
			return err
		}
		if week < 1 || week > c.WeekCount() {
			return ErrNotFound
		}
		var have []string
		for _, l := range c.Weeks[week-1].Lessons {
			have = append(have, l.ID)
		}
		want := slices.Clone(lessonIDs)
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			return validation.Fail(validation.Field("lesson_ids", fmt.Sprintf("must list each of week %d's %d lessons exactly once", week, len(have))))
		}
		for i, id := range lessonIDs {
			if err := s.store.setPosition(ctx, id, i+1); err != nil {
				return err
			}
		}
		if err := s.store.touch(ctx, c.ID, s.now().UTC()); err != nil {
			return err
		}
		out, err = s.load(ctx, c.ID)
		return err
	})
	return out, err
}

// editable loads a draft course, locked, for a change by caller.
func (s *Service) editable(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
	c, err := s.loadLocked(ctx, courseID)
	if err != nil {
		return Course{}, err
	}
	return c, draftCheck(c, caller)
}

// editableLesson loads a lesson of a draft course, the course locked, for
// a change by caller.
func (s *Service) editableLesson(ctx context.Context, caller accounts.Principal, lessonID string) (lessonRow, Course, error) {
	l, c, err := s.lockedLesson(ctx, caller, lessonID)
	if err != nil {
		return lessonRow{}, Course{}, err
	}
	return l, c, draftCheck(c, caller)
}

// lockedLesson loads a lesson of any course caller edits, the course
// locked (editorCheck's errors).
func (s *Service) lockedLesson(ctx context.Context, caller accounts.Principal, lessonID string) (lessonRow, Course, error) {
	if uuid.Validate(lessonID) != nil {
		return lessonRow{}, Course{}, ErrNotFound
	}
	l, err := s.store.lesson(ctx, lessonID)
	if err != nil {
		return lessonRow{}, Course{}, err
	}
	c, err := s.loadLocked(ctx, l.CourseID)
	if err != nil {
		return lessonRow{}, Course{}, err
	}
	return l, c, editorCheck(c, caller)
}

// mediaKinds are the file types each lesson kind can show.
var mediaKinds = map[string][]string{
	KindVideo:              {"video/mp4", "video/webm"},
	KindInterview:          {"video/mp4", "video/webm", "audio/mpeg"},
	KindClientConversation: {"video/mp4", "video/webm", "audio/mpeg"},
	KindReading:            {"application/pdf", "image/png", "image/jpeg"},
	KindCaseStory:          {"application/pdf", "image/png", "image/jpeg"},
}

// checkMedia checks that a lesson's files exist, are the caller's to use,
// are uploaded completely and fit the lesson's kind.
func (s *Service) checkMedia(ctx context.Context, caller accounts.Principal, kind string, mediaID *string, captions []Caption) []validation.FieldError {
	var errs []validation.FieldError
	usable := func(id string) (media.Media, bool) {
		m, err := s.media.Lookup(ctx, id)
		if err != nil || (m.OwnerID != caller.UserID && !caller.IsTeam()) {
			return media.Media{}, false
		}
		return m, true
	}
	if mediaID != nil {
		m, ok := usable(*mediaID)
		switch {
		case !ok:
			errs = append(errs, validation.Field("media_id", "no such media"))
		case m.Status != media.StatusReady:
			errs = append(errs, validation.Field("media_id", "the upload of this file is not completed"))
		case !slices.Contains(mediaKinds[kind], m.ContentType):
			errs = append(errs, validation.Field("media_id", fmt.Sprintf("a %s lesson cannot show %s; use one of %s", kind, m.ContentType, strings.Join(mediaKinds[kind], ", "))))
		}
	}
	if len(captions) > 0 && kind != KindVideo && kind != KindInterview && kind != KindClientConversation {
		errs = append(errs, validation.Field("captions", "only video and audio lessons have captions"))
		return errs
	}
	seen := map[string]bool{}
	for i, c := range captions {
		field := fmt.Sprintf("captions[%d]", i)
		if seen[c.Language] {
			errs = append(errs, validation.Field(field+".language", "one captions file per language"))
		}
		seen[c.Language] = true
		m, ok := usable(c.MediaID)
		switch {
		case !ok:
			errs = append(errs, validation.Field(field+".media_id", "no such media"))
		case m.Status != media.StatusReady:
			errs = append(errs, validation.Field(field+".media_id", "the upload of this file is not completed"))
		case m.ContentType != "text/vtt":
			errs = append(errs, validation.Field(field+".media_id", "captions must be a WebVTT file"))
		}
	}
	return errs
}

func emptyToNil(p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	v := *p
	return &v
}
