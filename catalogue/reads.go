package catalogue

import (
	"context"

	"github.com/google/uuid"
)

// The reads in this file are for the domains that run courses (cohorts,
// certificates, programmes); they check no caller, so their callers do.

// Header is a course without its outline, with its methodology's title.
type Header struct {
	ID               string
	MethodologyID    string
	MethodologyTitle string
	Title            string
	Weeks            int
	EffortHours      int
	Status           string
}

// Headers reads the given courses without their outlines; unknown ids are
// left out.
func (s *Service) Headers(ctx context.Context, ids []string) (map[string]Header, error) {
	out := map[string]Header{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.store.headers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := r.Course
		out[c.ID] = Header{ID: c.ID, MethodologyID: c.MethodologyID, MethodologyTitle: r.MethodologyTitle,
			Title: c.Title, Weeks: c.Weeks, EffortHours: c.EffortHours, Status: c.Status}
	}
	return out, nil
}

// Header reads one course without its outline. Errors: ErrNotFound.
func (s *Service) Header(ctx context.Context, id string) (Header, error) {
	if uuid.Validate(id) != nil {
		return Header{}, ErrNotFound
	}
	h, err := s.Headers(ctx, []string{id})
	if err != nil {
		return Header{}, err
	}
	if _, ok := h[id]; !ok {
		return Header{}, ErrNotFound
	}
	return h[id], nil
}

// Lesson reads one lesson with its captions. Errors: ErrNotFound.
func (s *Service) Lesson(ctx context.Context, id string) (Lesson, error) {
	if uuid.Validate(id) != nil {
		return Lesson{}, ErrNotFound
	}
	l, err := s.store.lesson(ctx, id)
	if err != nil {
		return Lesson{}, err
	}
	captions, err := s.store.captions(ctx, []string{l.ID})
	if err != nil {
		return Lesson{}, err
	}
	return toLesson(l, captions[l.ID]), nil
}

// LessonCounts counts the lessons of each course: from the outline cache
// for the courses it holds (cached_reads.go), with one query for the rest.
func (s *Service) LessonCounts(ctx context.Context, courseIDs []string) (map[string]int, error) {
	return s.counts(ctx, courseIDs, lessonCount, s.store.lessonCounts)
}
