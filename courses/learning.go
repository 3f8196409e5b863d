package courses

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/validation"
)

// playbackTTL is how long a playback link works: long enough to start a
// lesson, short enough that a shared link soon dies. The player asks again.
const playbackTTL = 10 * time.Minute

// TestResults says how learners did in their course's knowledge tests; the
// assessment domain provides it.
type TestResults interface {
	Results(ctx context.Context, enrolmentIDs []string) (map[string]TestResult, error)
}

// TestResult is one enrolment's standing in the knowledge tests.
type TestResult struct {
	Passed      int  // tests passed (best attempt each)
	FinalPassed bool // the final test among them
}

// UseResults connects the assessment domain's results (set once at start-up).
func (s *Service) UseResults(r TestResults) { s.results = r }

// LessonFor returns a lesson to the learner of an active enrolment once its
// week has started; lessons stay readable after the cohort ends. Errors:
// ErrNotFound, ErrEnrolmentInactive, ErrWeekLocked.
func (s *Service) LessonFor(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string) (Lesson, LessonProgress, error) {
	e, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID)
	if err != nil {
		return Lesson{}, LessonProgress{}, err
	}
	p, err := s.store.lessonProgress(ctx, e.ID, l.ID)
	if err != nil {
		return Lesson{}, LessonProgress{}, err
	}
	captions, err := s.store.captions(ctx, []string{l.ID})
	if err != nil {
		return Lesson{}, LessonProgress{}, err
	}
	return toLesson(l, captions[l.ID]), toLessonProgress(p), nil
}

// Playback hands the learner short-lived links to a lesson's file and its
// captions; the bytes come straight from storage. Errors as LessonFor, and
// ErrNoMedia.
func (s *Service) Playback(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string) (Playback, error) {
	_, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID)
	if err != nil {
		return Playback{}, err
	}
	if l.MediaID == nil {
		return Playback{}, ErrNoMedia
	}
	m, err := s.media.Lookup(ctx, *l.MediaID)
	if err != nil {
		return Playback{}, err
	}
	expires := s.now().UTC().Add(playbackTTL).Truncate(time.Second)
	url, err := s.media.SignedURL(ctx, m, playbackTTL)
	if err != nil {
		return Playback{}, err
	}
	out := Playback{URL: url, ExpiresAt: expires, ContentType: m.ContentType, Captions: []CaptionPlayback{}}
	captions, err := s.store.captions(ctx, []string{l.ID})
	if err != nil {
		return Playback{}, err
	}
	for _, c := range captions[l.ID] {
		cm, err := s.media.Lookup(ctx, c.MediaID)
		if err != nil {
			return Playback{}, err
		}
		curl, err := s.media.SignedURL(ctx, cm, playbackTTL)
		if err != nil {
			return Playback{}, err
		}
		out.Captions = append(out.Captions, CaptionPlayback{Language: c.Language, URL: curl})
	}
	return out, nil
}

// SaveProgress records where the learner is in a lesson. Completion sticks:
// a later report without it does not undo it. Errors as LessonFor.
func (s *Service) SaveProgress(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string, u ProgressUpdate) (LessonProgress, error) {
	if err := validation.Struct(u); err != nil {
		return LessonProgress{}, err
	}
	var out LessonProgress
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		e, l, err := s.unlockedLesson(ctx, caller, enrolmentID, lessonID)
		if err != nil {
			return err
		}
		p, err := s.store.lessonProgress(ctx, e.ID, l.ID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		p.PositionSeconds, p.UpdatedAt = u.PositionSeconds, now
		if u.Completed && !p.Completed {
			p.Completed, p.CompletedAt = true, &now
		}
		if err := s.store.saveProgress(ctx, p); err != nil {
			return err
		}
		out = toLessonProgress(p)
		return nil
	})
	return out, err
}

// unlockedLesson checks that the caller owns an active enrolment, that the
// lesson belongs to its course and that the lesson's week has begun.
func (s *Service) unlockedLesson(ctx context.Context, caller accounts.Principal, enrolmentID, lessonID string) (enrolmentRow, lessonRow, error) {
	if uuid.Validate(enrolmentID) != nil || uuid.Validate(lessonID) != nil {
		return enrolmentRow{}, lessonRow{}, ErrNotFound
	}
	e, err := s.store.enrolment(ctx, enrolmentID)
	if err != nil {
		return enrolmentRow{}, lessonRow{}, err
	}
	if e.UserID != caller.UserID { // the learner's own, not even the team's
		return enrolmentRow{}, lessonRow{}, ErrNotFound
	}
	if e.Status != Enrolled {
		return enrolmentRow{}, lessonRow{}, ErrEnrolmentInactive
	}
	l, err := s.store.lesson(ctx, lessonID)
	if err != nil {
		return enrolmentRow{}, lessonRow{}, err
	}
	if l.CourseID != e.CourseID {
		return enrolmentRow{}, lessonRow{}, ErrNotFound
	}
	c, err := s.store.cohort(ctx, e.CohortID, false)
	if err != nil {
		return enrolmentRow{}, lessonRow{}, err
	}
	if s.now().Before(weekOpens(c.StartsAt, l.Week)) {
		return enrolmentRow{}, lessonRow{}, ErrWeekLocked
	}
	return e, l, nil
}

// progressOf sums up progress for many enrolments in a fixed number of
// queries.
func (s *Service) progressOf(ctx context.Context, rows []enrolmentRow) (map[string]Progress, error) {
	out := map[string]Progress{}
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
	var totals []struct {
		CourseID string
		N        int
	}
	conn := s.db.Conn(ctx)
	if err := conn.Model(&lessonRow{}).Select("course_id, COUNT(*) AS n").Where("course_id IN ?", courseList).Group("course_id").Scan(&totals).Error; err != nil {
		return nil, database.Translate(err)
	}
	var done []struct {
		EnrolmentID string
		N           int
	}
	if err := conn.Model(&progressRow{}).Select("enrolment_id, COUNT(*) AS n").Where("enrolment_id IN ? AND completed = ?", ids, true).Group("enrolment_id").Scan(&done).Error; err != nil {
		return nil, database.Translate(err)
	}
	lessonsTotal := map[string]int{}
	for _, t := range totals {
		lessonsTotal[t.CourseID] = t.N
	}
	completed := map[string]int{}
	for _, d := range done {
		completed[d.EnrolmentID] = d.N
	}
	testsTotal := map[string]int{}
	results := map[string]TestResult{}
	if s.tests != nil && s.results != nil {
		tests, err := s.tests.ForCourses(ctx, courseList)
		if err != nil {
			return nil, err
		}
		for id, ts := range tests {
			testsTotal[id] = len(ts)
		}
		if results, err = s.results.Results(ctx, ids); err != nil {
			return nil, err
		}
	}
	for _, e := range rows {
		p := Progress{
			LessonsCompleted: completed[e.ID], LessonsTotal: lessonsTotal[e.CourseID], TestsPassed: results[e.ID].Passed,
		}
		if denom := p.LessonsTotal + testsTotal[e.CourseID]; denom > 0 {
			p.Percent = (p.LessonsCompleted + p.TestsPassed) * 100 / denom
		}
		p.CertificateEligible = p.LessonsTotal > 0 && p.LessonsCompleted == p.LessonsTotal && results[e.ID].FinalPassed
		out[e.ID] = p
	}
	return out, nil
}

func toLessonProgress(p progressRow) LessonProgress {
	return LessonProgress{LessonID: p.LessonID, PositionSeconds: p.PositionSeconds, Completed: p.Completed,
		CompletedAt: utcPtr(p.CompletedAt), UpdatedAt: p.UpdatedAt.UTC()}
}
