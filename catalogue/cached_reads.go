package catalogue

import (
	"context"
	"slices"

	"mooc/internal/database"
)

// Reads for the learners' hot path (playback links, progress, a learner's
// enrolments) that answer from the outline cache (outline_cache.go) where
// the course is published or archived, so that they cost no query: the
// same outline, and the same second of staleness on other replicas, as
// GET /courses/{id}. Inside a transaction, or for a draft, they read the
// database as Lesson and LessonCounts do: a transaction may see its own
// uncommitted writes, and drafts are never cached.

// CourseLesson is the lesson lessonID of the course courseID, with its
// captions but never its text (Body is empty: LessonFor's callers that
// show the text use Lesson). A lesson of another course is ErrNotFound.
func (s *Service) CourseLesson(ctx context.Context, courseID, lessonID string) (Lesson, error) {
	key, ok := cacheKey(courseID)
	if !ok {
		return Lesson{}, ErrNotFound
	}
	if !database.InTransaction(ctx) {
		e, err := s.cache.get(ctx, key, s.publicOutline)
		if err != nil {
			return Lesson{}, err
		}
		if e != nil {
			for _, w := range e.course.Weeks {
				for _, l := range w.Lessons {
					if l.ID == lessonID {
						l.Captions = slices.Clone(l.Captions) // the entry is shared
						return l, nil
					}
				}
			}
			return Lesson{}, ErrNotFound
		}
	}
	l, err := s.Lesson(ctx, lessonID)
	if err != nil {
		return Lesson{}, err
	}
	if l.CourseID != key {
		return Lesson{}, ErrNotFound
	}
	l.Body = ""
	return l, nil
}

// cachedCounts counts something of each course the cache holds a fresh
// outline of, without loading any, and returns the ids it could not count.
func (s *Service) cachedCounts(ctx context.Context, courseIDs []string, count func(*Course) int) (map[string]int, []string) {
	out := map[string]int{}
	if database.InTransaction(ctx) {
		return out, courseIDs
	}
	var rest []string
	for _, id := range courseIDs {
		key, ok := cacheKey(id)
		var e *outlineEntry
		if ok {
			e = s.cache.peek(key)
		}
		if e == nil {
			rest = append(rest, id)
			continue
		}
		out[id] = count(&e.course)
	}
	return out, rest
}

func lessonCount(c *Course) int {
	n := 0
	for _, w := range c.Weeks {
		n += len(w.Lessons)
	}
	return n
}

func testCount(c *Course) int { return len(c.Tests) }

// TestCounts counts the tests of each course, as the outline lists them:
// from the outline cache for the courses it holds, from the tests' owner
// (TestCatalogue) for the rest.
func (s *Service) TestCounts(ctx context.Context, courseIDs []string) (map[string]int, error) {
	return s.counts(ctx, courseIDs, testCount, func(ctx context.Context, rest []string) (map[string]int, error) {
		tests, err := s.tests.ForCourses(ctx, rest)
		out := make(map[string]int, len(rest))
		for _, id := range rest {
			out[id] = len(tests[id])
		}
		return out, err
	})
}

// counts counts something of each course: from the outline cache for the
// courses it holds (count), with one read of the rest (read).
func (s *Service) counts(ctx context.Context, courseIDs []string, count func(*Course) int,
	read func(ctx context.Context, rest []string) (map[string]int, error)) (map[string]int, error) {
	out, rest := s.cachedCounts(ctx, courseIDs, count)
	if len(rest) == 0 {
		return out, nil
	}
	counted, err := read(ctx, rest)
	if err != nil {
		return nil, err
	}
	for id, n := range counted {
		out[id] = n
	}
	return out, nil
}
