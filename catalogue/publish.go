package catalogue

import (
	"context"
	"fmt"
	"strings"

	"mooc/accounts"
	"mooc/internal/validation"
	"mooc/media"
)

// effortTolerance is how far the planned work may stray from the
// advertised effort: ±10 %.
const effortTolerance = 0.10

// Publish makes a draft course visible to learners once it is complete.
// Publishing a published course again returns it unchanged. Errors:
// ErrNotFound, ErrForbidden, ErrCourseArchived, *IncompleteError listing
// every gap.
func (s *Service) Publish(ctx context.Context, caller accounts.Principal, courseID string) (Course, error) {
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
		case StatusPublished:
			out = c
			return nil
		case StatusArchived:
			return ErrCourseArchived
		}
		gaps, err := s.gaps(ctx, c)
		if err != nil {
			return err
		}
		if len(gaps) > 0 {
			return &IncompleteError{Gaps: gaps}
		}
		if err := s.store.publish(ctx, c.ID, s.now().UTC()); err != nil {
			return err
		}
		out, err = s.load(ctx, c.ID)
		return err
	})
	return out, err
}

// gaps lists everything that keeps c from being published.
func (s *Service) gaps(ctx context.Context, c Course) ([]validation.FieldError, error) {
	var gaps []validation.FieldError
	for _, w := range c.Weeks {
		if len(w.Lessons) == 0 {
			gaps = append(gaps, validation.Field(fmt.Sprintf("weeks[%d]", w.Number-1), fmt.Sprintf("week %d has no lesson", w.Number)))
		}
	}

	minutes := 0
	for _, l := range c.Lessons() {
		minutes += l.Minutes
		lessonGaps, err := s.lessonGaps(ctx, l)
		if err != nil {
			return nil, err
		}
		for _, g := range lessonGaps {
			g.Field = strings.TrimSuffix("lessons."+l.ID+"."+g.Field, ".")
			gaps = append(gaps, g)
		}
	}

	final := false
	for _, t := range c.Tests {
		minutes += t.TimeLimitMinutes
		final = final || t.Final
		if t.Problem != "" {
			gaps = append(gaps, validation.Field("tests."+t.ID, t.Problem))
		}
	}
	if !final {
		gaps = append(gaps, validation.Field("tests", "the course has no final test"))
	}

	target := c.EffortHours * 60
	low, high := float64(target)*(1-effortTolerance), float64(target)*(1+effortTolerance)
	if float64(minutes) < low || float64(minutes) > high {
		gaps = append(gaps, validation.Field("effort_hours", fmt.Sprintf(
			"lessons and test time limits add up to %s; a %d-hour course needs between %s and %s",
			hm(minutes), c.EffortHours, hm(int(low+0.999)), hm(int(high)))))
	}
	return gaps, nil
}

// lessonGaps lists what keeps one lesson from being published, each gap
// named by the lesson's field it concerns ("media_id"), or by "" when it
// is the lesson as a whole. Publishing asks it of every lesson, and a
// correction of a published course of the lesson it changes, so that no
// correction leaves a running course with a lesson it could not have been
// published with.
func (s *Service) lessonGaps(ctx context.Context, l Lesson) ([]validation.FieldError, error) {
	switch {
	case l.Kind == KindVideo && l.MediaID == nil:
		return []validation.FieldError{validation.Field("media_id", fmt.Sprintf("video lesson %q has no video", l.Title))}, nil
	case l.MediaID != nil:
		m, err := s.media.Lookup(ctx, *l.MediaID)
		if err != nil {
			return nil, err
		}
		switch {
		case m.Status != media.StatusReady:
			return []validation.FieldError{validation.Field("media_id", fmt.Sprintf("the media of lesson %q is not ready (its upload was not completed)", l.Title))}, nil
		case l.Kind == KindVideo && m.DurationSeconds == nil:
			// A video lesson is completed by watching, which needs the
			// video's length.
			return []validation.FieldError{validation.Field("media_id", fmt.Sprintf("the length of the video of lesson %q cannot be read from the file; upload it again as MP4 or WebM", l.Title))}, nil
		}
	case l.Body == "":
		return []validation.FieldError{validation.Field("", fmt.Sprintf("lesson %q has neither text nor a file", l.Title))}, nil
	}
	return nil, nil
}

func hm(minutes int) string { return fmt.Sprintf("%d h %02d min", minutes/60, minutes%60) }
