package cohorts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/internal/validation"
)

// playbackTTL is how long a playback link works: long enough to start a
// lesson, short enough that a shared link, or the link of a learner who
// has withdrawn since, soon dies. A signed link cannot be called back, so
// its life is the longest a withdrawn learner keeps watching. The player
// asks again when a link stops working (reply's expires_at says when).
const playbackTTL = 2 * time.Minute

// LessonFor returns a lesson to the learner of an active enrolment once its
// week has started; lessons stay readable after the cohort ends. Errors:
// ErrNotFound, ErrEnrolmentInactive, ErrWeekLocked.
func (s *Service) LessonFor(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string) (catalogue.Lesson, LessonProgress, error) {
	e, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID, true)
	if err != nil {
		return catalogue.Lesson{}, LessonProgress{}, err
	}
	p, err := s.store.lessonProgress(ctx, e.ID, l.ID)
	if err != nil {
		return catalogue.Lesson{}, LessonProgress{}, err
	}
	duration, err := s.videoDuration(ctx, l)
	if err != nil {
		return catalogue.Lesson{}, LessonProgress{}, err
	}
	return l, toLessonProgress(p, duration), nil
}

// Playback hands the learner short-lived links to a lesson's file and its
// captions; the bytes come straight from storage. Errors as LessonFor, and
// ErrNoMedia.
func (s *Service) Playback(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string) (Playback, error) {
	_, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID, false)
	if err != nil {
		return Playback{}, err
	}
	if l.MediaID == nil {
		return Playback{}, ErrNoMedia
	}
	m, err := s.files.Lookup(ctx, *l.MediaID)
	if err != nil {
		return Playback{}, err
	}
	expires := s.now().UTC().Add(playbackTTL).Truncate(time.Second)
	url, err := s.files.SignedURL(ctx, m, playbackTTL)
	if err != nil {
		return Playback{}, err
	}
	out := Playback{URL: url, ExpiresAt: expires, ContentType: m.ContentType, Captions: []CaptionPlayback{}}
	for _, c := range l.Captions {
		cm, err := s.files.Lookup(ctx, c.MediaID)
		if err != nil {
			return Playback{}, err
		}
		curl, err := s.files.SignedURL(ctx, cm, playbackTTL)
		if err != nil {
			return Playback{}, err
		}
		out.Captions = append(out.Captions, CaptionPlayback{Language: c.Language, URL: curl})
	}
	return out, nil
}

// SaveProgress records where the learner is in a lesson. Completion sticks:
// a later report without it does not undo it. A video lesson is completed
// by watching (watching.go): completed:true below the coverage required is
// refused and nothing of the report is kept. Errors as LessonFor, and
// ErrNotWatched, ErrLengthUnknown, *validation.Error.
func (s *Service) SaveProgress(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string, u ProgressUpdate) (LessonProgress, error) {
	if err := validation.Struct(u); err != nil {
		return LessonProgress{}, err
	}
	var out LessonProgress
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		e, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID, false)
		if err != nil {
			return err
		}
		duration, err := s.videoDuration(ctx, l)
		if err != nil {
			return err
		}
		if duration != nil && u.PositionSeconds > *duration+positionSlack {
			return validation.Fail(validation.Field("position_seconds", fmt.Sprintf("the video is %.1f seconds long", *duration)))
		}
		p, err := s.store.lessonProgress(ctx, e.ID, l.ID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		w := Watched(Watch{Ranges: decodeRanges(p.Watched), Position: p.PositionSeconds, ReportedAt: p.UpdatedAt}, u.PositionSeconds, now)
		if u.Completed && !p.Completed && l.Kind == catalogue.KindVideo {
			if err := mayComplete(w.Ranges, duration); err != nil {
				return err
			}
		}
		p.PositionSeconds, p.UpdatedAt, p.Watched = u.PositionSeconds, now, encodeRanges(w.Ranges)
		if u.Completed && !p.Completed {
			p.Completed, p.CompletedAt = true, &now
		}
		if err := s.store.saveProgress(ctx, p); err != nil {
			return err
		}
		out = toLessonProgress(p, duration)
		return nil
	})
	return out, err
}

// videoDuration is the length of a video lesson's video; nil for other
// lessons and for videos whose length is unknown.
func (s *Service) videoDuration(ctx context.Context, l catalogue.Lesson) (*float64, error) {
	if l.Kind != catalogue.KindVideo || l.MediaID == nil {
		return nil, nil
	}
	m, err := s.files.Lookup(ctx, *l.MediaID)
	if err != nil {
		return nil, err
	}
	return m.DurationSeconds, nil
}

// unlockedLesson checks that the caller owns an active enrolment, that the
// lesson belongs to its course and that the lesson's week has begun.
//
// With text the lesson is read with its text; without, from the course's
// cached outline where there is one (catalogue.CourseLesson), which costs
// no query: playback links and progress reports need no text.
func (s *Service) unlockedLesson(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string, text bool) (enrolmentRow, catalogue.Lesson, error) {
	if uuid.Validate(enrolmentID) != nil || uuid.Validate(lessonID) != nil {
		return enrolmentRow{}, catalogue.Lesson{}, ErrNotFound
	}
	e, startsAt, err := s.store.enrolmentStarting(ctx, enrolmentID)
	if err != nil {
		return enrolmentRow{}, catalogue.Lesson{}, err
	}
	if e.UserID != caller.UserID { // the learner's own, not even the team's
		return enrolmentRow{}, catalogue.Lesson{}, ErrNotFound
	}
	if e.Status != Enrolled {
		return enrolmentRow{}, catalogue.Lesson{}, ErrEnrolmentInactive
	}
	var l catalogue.Lesson
	if text {
		l, err = s.courses.Lesson(ctx, lessonID)
	} else {
		l, err = s.courses.CourseLesson(ctx, e.CourseID, lessonID)
	}
	if errors.Is(err, catalogue.ErrNotFound) || (err == nil && l.CourseID != e.CourseID) {
		return enrolmentRow{}, catalogue.Lesson{}, ErrNotFound
	}
	if err != nil {
		return enrolmentRow{}, catalogue.Lesson{}, err
	}
	if s.now().Before(WeekOpens(startsAt, l.Week)) {
		return enrolmentRow{}, catalogue.Lesson{}, ErrWeekLocked
	}
	return e, l, nil
}

// standing is an enrolment's Standing with the progress shown to people.
type standing struct {
	Standing
	progress Progress
}

// standings sums up progress and eligibility for many enrolments in a
// fixed number of queries.
func (s *Service) standings(ctx context.Context, rows []enrolmentRow) (map[string]standing, error) {
	out := map[string]standing{}
	if len(rows) == 0 {
		return out, nil
	}
	ids, courseIDs := make([]string, len(rows)), map[string]bool{}
	for i, e := range rows {
		ids[i] = e.ID
		courseIDs[e.CourseID] = true
	}
	courseList := make([]string, 0, len(courseIDs))
	for id := range courseIDs {
		courseList = append(courseList, id)
	}
	lessonsTotal, err := s.courses.LessonCounts(ctx, courseList)
	if err != nil {
		return nil, err
	}
	completed, err := s.store.completedLessons(ctx, ids)
	if err != nil {
		return nil, err
	}
	tests, err := s.courses.TestCounts(ctx, courseList)
	if err != nil {
		return nil, err
	}
	results, err := s.tests.Results(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, e := range rows {
		st := Standing{Status: e.Status, LessonsCompleted: completed[e.ID], LessonsTotal: lessonsTotal[e.CourseID],
			FinalPassed: results[e.ID].FinalPassed}
		p := Progress{LessonsCompleted: st.LessonsCompleted, LessonsTotal: st.LessonsTotal, TestsPassed: results[e.ID].Passed,
			CertificateEligible: len(Missing(st)) == 0}
		if denom := p.LessonsTotal + tests[e.CourseID]; denom > 0 {
			p.Percent = (p.LessonsCompleted + p.TestsPassed) * 100 / denom
		}
		out[e.ID] = standing{st, p}
	}
	return out, nil
}

// toLessonProgress shows a progress row; with a video's duration, the
// share of it watched.
func toLessonProgress(p progressRow, duration *float64) LessonProgress {
	out := LessonProgress{LessonID: p.LessonID, PositionSeconds: p.PositionSeconds, Completed: p.Completed,
		CompletedAt: utcPtr(p.CompletedAt)}
	if !p.UpdatedAt.IsZero() { // a row read from the table, not the empty one of a lesson never reported
		at := p.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	if duration != nil {
		percent := int(math.Floor(Coverage(decodeRanges(p.Watched), *duration)*100 + 1e-7))
		out.WatchedPercent = &percent
	}
	return out
}
