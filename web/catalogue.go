package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/page"
	"mooc/programmes"
)

// methodologyView is one methodology of the catalogue page.
type methodologyView struct {
	catalogue.Methodology
	Courses    []courseCard
	Programmes []programmes.Programme
}

// courseCard is a course with its cohorts still to come or open.
type courseCard struct {
	catalogue.Course
	Cohorts []cohortView
	Minutes int
}

// cohortView is a cohort as a learner weighs it.
type cohortView struct {
	cohorts.Cohort
	SeatsLeft int
	Coming    bool // enrolment opens later
}

func (p *pages) catalogue(c *fiber.Ctx, r *request) error {
	return p.renderShared(c, r, "catalogue", func() (string, any, error) {
		out, err := p.catalogueData(r)
		return r.loc.T("catalogue.title"), out, err
	})
}

func (p *pages) catalogueData(r *request) ([]methodologyView, error) {
	ms, _, err := p.Catalogue.Methodologies(r.ctx, page.MaxLimit, "")
	if err != nil {
		return nil, err
	}
	var out []methodologyView
	for _, m := range ms {
		courses, err := p.Catalogue.PublishedCourses(r.ctx, r.principal, m.ID)
		if err != nil {
			return nil, err
		}
		mv := methodologyView{Methodology: m}
		for _, course := range courses {
			card, err := p.courseCard(r, course)
			if err != nil {
				return nil, err
			}
			mv.Courses = append(mv.Courses, card)
		}
		progs, _, err := p.Programmes.Programmes(r.ctx, m.ID, page.MaxLimit, "")
		if err != nil {
			return nil, err
		}
		now := p.Now()
		for _, pr := range progs {
			if pr.EndsAt.After(now) {
				mv.Programmes = append(mv.Programmes, pr)
			}
		}
		if len(mv.Courses) > 0 || len(mv.Programmes) > 0 {
			out = append(out, mv)
		}
	}
	return out, nil
}

// courseCard is a course with the cohorts a learner may still join.
func (p *pages) courseCard(r *request, course catalogue.Course) (courseCard, error) {
	card := courseCard{Course: course}
	for _, l := range course.Lessons() {
		card.Minutes += l.Minutes
	}
	cs, _, err := p.Cohorts.Cohorts(r.ctx, cohorts.CohortFilter{CourseID: course.ID}, page.MaxLimit, "")
	if err != nil {
		return card, err
	}
	now := p.Now()
	for _, co := range cs {
		if !co.EnrolmentClosesAt.After(now) {
			continue
		}
		card.Cohorts = append(card.Cohorts, cohortView{Cohort: co, SeatsLeft: max(co.Capacity-co.EnrolledCount, 0), Coming: co.EnrolmentOpensAt.After(now)})
	}
	return card, nil
}

// coursePage is a course's outline with its cohorts and the reader's place.
type coursePage struct {
	courseCard
	Mine   *cohorts.Enrolment // the reader's enrolment in this course, when any
	Closed bool               // no cohort open or coming: offer the interest list
}

func (p *pages) course(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	return p.renderShared(c, r, "course", func() (string, any, error) {
		pg, err := p.coursePage(r, id)
		return pg.Title, pg, err
	})
}

func (p *pages) coursePage(r *request, id string) (coursePage, error) {
	course, err := p.Catalogue.Course(r.ctx, r.principal, id)
	if err != nil {
		return coursePage{}, err
	}
	card, err := p.courseCard(r, course)
	if err != nil {
		return coursePage{}, err
	}
	pg := coursePage{courseCard: card, Closed: len(card.Cohorts) == 0}
	if r.user != nil {
		mine, err := p.Cohorts.MyEnrolments(r.ctx, r.user.ID)
		if err != nil {
			return coursePage{}, err
		}
		for i := range mine {
			if mine[i].CourseID == course.ID && mine[i].Status != cohorts.Withdrawn {
				pg.Mine = &mine[i]
				break
			}
		}
	}
	return pg, nil
}

func (p *pages) addInterest(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	if err := p.Cohorts.AddInterest(r.ctx, r.principal, id); err != nil {
		return err
	}
	return p.redirect(c, r, "/courses/"+id, "flash.interest")
}

func (p *pages) enrol(c *fiber.Ctx, r *request) error {
	co, err := p.Cohorts.Cohort(r.ctx, c.Params("id"))
	if err != nil {
		return err
	}
	e, err := p.Cohorts.Enrol(r.ctx, co.ID, r.user.ID)
	var already *cohorts.AlreadyEnrolledError
	if errors.As(err, &already) {
		return p.redirect(c, r, "/courses/"+co.CourseID, "flash.already_enrolled")
	}
	if err != nil {
		return p.courseRefusal(c, r, co.CourseID, err)
	}
	if e.Status == cohorts.Waitlisted {
		return p.redirect(c, r, "/courses/"+co.CourseID, "flash.waitlisted")
	}
	return p.redirect(c, r, "/learn/"+e.ID, "flash.enrolled")
}

func (p *pages) withdraw(c *fiber.Ctx, r *request) error {
	co, err := p.Cohorts.Cohort(r.ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if err := p.Cohorts.Withdraw(r.ctx, co.ID, r.user.ID); err != nil {
		return p.courseRefusal(c, r, co.CourseID, err)
	}
	return p.redirect(c, r, "/courses/"+co.CourseID, "flash.withdrawn")
}

// courseRefusal shows the course page again with why an action failed.
func (p *pages) courseRefusal(c *fiber.Ctx, r *request, courseID string, cause error) error {
	course, err := p.Catalogue.Course(r.ctx, r.principal, courseID)
	if err != nil {
		return err
	}
	card, err := p.courseCard(r, course)
	if err != nil {
		return err
	}
	status, _ := statusOf(cause)
	return p.render(c, r, status, "course", course.Title, coursePage{courseCard: card, Closed: len(card.Cohorts) == 0}, cause)
}
