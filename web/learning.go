package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/assessment"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/validation"
)

// enrolmentCard is one of the learner's courses on /learn.
type enrolmentCard struct {
	cohorts.Enrolment
	CourseTitle string
	CohortTitle string
}

func (p *pages) myCourses(c *fiber.Ctx, r *request) error {
	mine, err := p.Cohorts.MyEnrolments(r.ctx, r.user.ID)
	if err != nil {
		return err
	}
	var out []enrolmentCard
	for _, e := range mine {
		if e.Status == cohorts.Withdrawn {
			continue
		}
		h, err := p.Catalogue.Header(r.ctx, e.CourseID)
		if err != nil {
			return err
		}
		co, err := p.Cohorts.Cohort(r.ctx, e.CohortID)
		if err != nil {
			return err
		}
		out = append(out, enrolmentCard{Enrolment: e, CourseTitle: h.Title, CohortTitle: co.Title})
	}
	return p.render(c, r, fiber.StatusOK, "learn", r.loc.T("learn.title"), out, nil)
}

// weekView is a week of the learner's course: open or locked until a day.
type weekView struct {
	Number  int
	Opens   time.Time
	Locked  bool
	Lessons []lessonLine
	Tests   []catalogue.TestSummary
}

type lessonLine struct {
	catalogue.Lesson
	Done bool
}

// learnerPage is the learner's course week by week.
type learnerPage struct {
	Enrolment cohorts.Enrolment
	Course    catalogue.Course
	Cohort    cohorts.Cohort
	Weeks     []weekView
	Final     []catalogue.TestSummary
}

// learning reads an enrolment of the caller with its course and cohort.
func (p *pages) learning(r *request, enrolmentID string) (learnerPage, error) {
	e, err := p.Cohorts.Enrolment(r.ctx, r.principal, enrolmentID)
	if err != nil {
		return learnerPage{}, err
	}
	if e.UserID != r.user.ID { // the team may read others' enrolments; these pages are the learner's own
		return learnerPage{}, cohorts.ErrNotFound
	}
	course, err := p.Catalogue.Course(r.ctx, r.principal, e.CourseID)
	if err != nil {
		return learnerPage{}, err
	}
	co, err := p.Cohorts.Cohort(r.ctx, e.CohortID)
	if err != nil {
		return learnerPage{}, err
	}
	return learnerPage{Enrolment: e, Course: course, Cohort: co}, nil
}

func (p *pages) learnerCourse(c *fiber.Ctx, r *request) error {
	pg, err := p.learning(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	done, err := p.Cohorts.CompletedLessons(r.ctx, r.principal, pg.Enrolment.ID)
	if err != nil {
		return err
	}
	now := p.Now()
	for _, w := range pg.Course.Weeks {
		opens := cohorts.WeekOpens(pg.Cohort.StartsAt, w.Number)
		wv := weekView{Number: w.Number, Opens: opens, Locked: now.Before(opens)}
		for _, l := range w.Lessons {
			wv.Lessons = append(wv.Lessons, lessonLine{Lesson: l, Done: done[l.ID]})
		}
		for _, t := range pg.Course.Tests {
			if t.Week != nil && *t.Week == w.Number {
				wv.Tests = append(wv.Tests, t)
			}
		}
		pg.Weeks = append(pg.Weeks, wv)
	}
	for _, t := range pg.Course.Tests {
		if t.Week == nil {
			pg.Final = append(pg.Final, t)
		}
	}
	return p.render(c, r, fiber.StatusOK, "learner_course", pg.Course.Title, pg, nil)
}

// lessonPage is one lesson with the learner's progress and, for a video,
// its playback links.
type lessonPage struct {
	learnerPage
	Lesson   catalogue.Lesson
	Progress cohorts.LessonProgress
	Playback *cohorts.Playback
	Next     *catalogue.Lesson
}

func (p *pages) lesson(c *fiber.Ctx, r *request) error {
	pg, err := p.learning(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	l, prog, err := p.Cohorts.LessonFor(r.ctx, r.principal, pg.Enrolment.ID, c.Params("lesson"))
	if err != nil {
		return err
	}
	lp := lessonPage{learnerPage: pg, Lesson: l, Progress: prog}
	if l.MediaID != nil {
		pb, err := p.Cohorts.Playback(r.ctx, r.principal, pg.Enrolment.ID, l.ID)
		if err != nil {
			return err
		}
		lp.Playback = &pb
	}
	lessons := pg.Course.Lessons()
	for i := range lessons {
		if lessons[i].ID == l.ID && i+1 < len(lessons) {
			lp.Next = &lessons[i+1]
		}
	}
	return p.render(c, r, fiber.StatusOK, "lesson", l.Title, lp, nil)
}

// lessonDone marks a lesson read (a form; videos complete by watching).
func (p *pages) lessonDone(c *fiber.Ctx, r *request) error {
	e, l := c.Params("enrolment"), c.Params("lesson")
	if _, err := p.Cohorts.SaveProgress(r.ctx, r.principal, e, l, cohorts.ProgressUpdate{Completed: true}); err != nil {
		if status, _ := statusOf(err); status < 500 {
			return p.lessonRefusal(c, r, e, l, err)
		}
		return err
	}
	return p.redirect(c, r, "/learn/"+e+"#lesson-"+l, "flash.lesson_done")
}

func (p *pages) lessonRefusal(c *fiber.Ctx, r *request, enrolmentID, lessonID string, cause error) error {
	pg, err := p.learning(r, enrolmentID)
	if err != nil {
		return err
	}
	l, prog, err := p.Cohorts.LessonFor(r.ctx, r.principal, enrolmentID, lessonID)
	if err != nil {
		return err
	}
	status, _ := statusOf(cause)
	return p.render(c, r, status, "lesson", l.Title, lessonPage{learnerPage: pg, Lesson: l, Progress: prog}, cause)
}

// progressReport is what player.js sends.
type progressReport struct {
	PositionSeconds float64 `json:"position_seconds"`
	Completed       bool    `json:"completed"`
}

// lessonProgress takes the player's reports (JSON, CSRF token in a
// header) and answers like the API: the progress, or a problem code.
func (p *pages) lessonProgress(c *fiber.Ctx, r *request) error {
	var in progressReport
	if err := c.BodyParser(&in); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"code": "malformed_body"})
	}
	out, err := p.Cohorts.SaveProgress(r.ctx, r.principal, c.Params("enrolment"), c.Params("lesson"),
		cohorts.ProgressUpdate{PositionSeconds: in.PositionSeconds, Completed: in.Completed})
	if err != nil {
		status, code := statusOf(err)
		if status >= 500 {
			return err
		}
		return c.Status(status).JSON(fiber.Map{"code": code})
	}
	return c.JSON(out)
}

// playback hands player.js fresh links when the old ones expired.
func (p *pages) playback(c *fiber.Ctx, r *request) error {
	pb, err := p.Cohorts.Playback(r.ctx, r.principal, c.Params("enrolment"), c.Params("lesson"))
	if err != nil {
		status, code := statusOf(err)
		if status >= 500 {
			return err
		}
		return c.Status(status).JSON(fiber.Map{"code": code})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(pb)
}

// testPage is a test's introduction before an attempt.
type testPage struct {
	learnerPage
	Test catalogue.TestSummary
}

func (p *pages) testOf(r *request, enrolmentID, testID string) (testPage, error) {
	pg, err := p.learning(r, enrolmentID)
	if err != nil {
		return testPage{}, err
	}
	for _, t := range pg.Course.Tests {
		if t.ID == testID {
			return testPage{learnerPage: pg, Test: t}, nil
		}
	}
	return testPage{}, catalogue.ErrNotFound
}

func (p *pages) testIntro(c *fiber.Ctx, r *request) error {
	tp, err := p.testOf(r, c.Params("enrolment"), c.Params("test"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "test", tp.Test.Title, tp, nil)
}

func (p *pages) startAttempt(c *fiber.Ctx, r *request) error {
	tp, err := p.testOf(r, c.Params("enrolment"), c.Params("test"))
	if err != nil {
		return err
	}
	a, err := p.Assessment.StartAttempt(r.ctx, r.principal, tp.Enrolment.ID, tp.Test.ID)
	var open *assessment.AttemptInProgressError
	if errors.As(err, &open) {
		return c.Redirect("/attempts/"+open.Open.ID, fiber.StatusSeeOther)
	}
	if err != nil {
		if status, _ := statusOf(err); status < 500 {
			return p.render(c, r, status, "test", tp.Test.Title, tp, err)
		}
		return err
	}
	return c.Redirect("/attempts/"+a.ID, fiber.StatusSeeOther)
}

func (p *pages) issueCertificate(c *fiber.Ctx, r *request) error {
	pg, err := p.learning(r, c.Params("enrolment"))
	if err != nil {
		return err
	}
	cert, _, err := p.Certificates.IssueForEnrolment(r.ctx, r.principal, pg.Enrolment.ID)
	if err != nil {
		var verr *validation.Error
		if status, _ := statusOf(err); status < 500 && !errors.As(err, &verr) {
			return p.render(c, r, status, "error", r.loc.T("error.title"), nil, err)
		}
		return err
	}
	return p.redirect(c, r, "/certificates/"+cert.Code, "flash.certificate")
}

// LockedWeek is whether week n has not opened yet.
func (p learnerPage) LockedWeek(n int) bool {
	for _, w := range p.Weeks {
		if w.Number == n {
			return w.Locked
		}
	}
	return false
}
