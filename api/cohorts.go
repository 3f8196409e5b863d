package api

import (
	"cmp"
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/validation"
)

type enrolRequest struct {
	UserID string `json:"user_id"`
}

type lessonForLearner struct {
	catalogue.Lesson
	Progress cohorts.LessonProgress `json:"progress"`
}

func registerCohorts(r *registry, svc *cohorts.Service, people *accounts.Service) {
	r.add(BasePath, op{method: "POST", path: "/courses/:id/cohorts", summary: "Open a cohort of a published course (capacity 1..200, default 200)", tag: "cohorts",
		access: team, body: cohorts.NewCohort{}, reply: cohorts.Cohort{}, status: 201},
		func(c *fiber.Ctx) error {
			var in cohorts.NewCohort
			if err := bind(c, &in); err != nil {
				return err
			}
			cohort, err := svc.CreateCohort(c.UserContext(), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(cohort)
		})

	r.add(BasePath, op{method: "GET", path: "/cohorts", summary: "List cohorts with their counts", tag: "cohorts", access: signedIn,
		reply: list[cohorts.Cohort]{}, query: append([]param{{"course_id", "only this course's cohorts"}, {"open", "true: only cohorts whose enrolment window is open now"}}, pageParams...)},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.Cohorts(c.UserContext(), cohorts.CohortFilter{CourseID: c.Query("course_id"), OpenOnly: c.QueryBool("open")}, limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[cohorts.Cohort]{Items: items, NextCursor: next})
		})

	r.add(BasePath, op{method: "GET", path: "/cohorts/:id", summary: "One cohort with its counts", tag: "cohorts", access: signedIn, reply: cohorts.Cohort{}},
		func(c *fiber.Ctx) error {
			cohort, err := svc.Cohort(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(cohort)
		})

	r.add(BasePath, op{method: "PATCH", path: "/cohorts/:id", summary: "Change a cohort's title, window or capacity (raising it promotes waitlisted learners)", tag: "cohorts",
		access: team, body: cohorts.CohortChange{}, reply: cohorts.Cohort{}},
		func(c *fiber.Ctx) error {
			var in cohorts.CohortChange
			if err := bind(c, &in); err != nil {
				return err
			}
			cohort, err := svc.UpdateCohort(c.UserContext(), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(cohort)
		})

	r.add(BasePath, op{method: "POST", path: "/cohorts/:id/enrolments", summary: "Enrol yourself; the team may enrol a named user with {user_id}. Past capacity: waitlisted", tag: "cohorts",
		access: signedIn, body: enrolRequest{}, reply: cohorts.Enrolment{}, status: 201},
		func(c *fiber.Ctx) error {
			var in enrolRequest
			if len(c.Request().Header.ContentType()) > 0 || c.Request().Header.ContentLength() > 0 {
				if err := bind(c, &in); err != nil {
					return err
				}
			}
			userID := me(c).UserID
			if in.UserID != "" && in.UserID != userID {
				if !me(c).IsTeam() {
					return errForbidden
				}
				if _, err := people.Get(c.UserContext(), in.UserID); err != nil {
					if errors.Is(err, accounts.ErrNotFound) {
						return validation.Fail(validation.Field("user_id", "no such user"))
					}
					return err
				}
				userID = in.UserID
			}
			e, err := svc.Enrol(c.UserContext(), c.Params("id"), userID)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(e)
		})

	r.add(BasePath, op{method: "DELETE", path: "/cohorts/:id/enrolments/me", summary: "Withdraw; the first waitlisted learner gets the seat", tag: "cohorts", access: signedIn, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.Withdraw(c.UserContext(), c.Params("id"), me(c).UserID); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "GET", path: "/cohorts/:id/enrolments", summary: "Every enrolment of a cohort with progress and the person (JSON; CSV with Accept: text/csv; an Excel workbook with Accept: " + xlsxType + ")", tag: "cohorts",
		access: team, reply: list[cohorts.ListedEnrolment]{}, query: []param{
			{"status", "only these statuses: enrolled, waitlisted, withdrawn (several separated by commas)"},
			{"municipality", "only people of this municipality (letter case aside)"},
			{"sort", "name: by family name, then given name, in Latvian alphabetical order; time: by enrolment time; absent: seated by enrolment time, then the waitlist in order, then withdrawals"},
		}},
		func(c *fiber.Ctx) error {
			q := cohorts.ListQuery{Status: listParam(c, "status"), Municipality: c.Query("municipality"), Sort: c.Query("sort")}
			c.Vary(fiber.HeaderAccept)
			f := negotiate(c)
			if f == asJSON {
				l, err := svc.CohortEnrolments(c.UserContext(), c.Params("id"), q)
				if err != nil {
					return err
				}
				return c.JSON(list[cohorts.ListedEnrolment]{Items: l.Items})
			}
			l, err := svc.ExportEnrolments(c.UserContext(), c.Params("id"), q, f.String())
			if err != nil {
				return err
			}
			return sendDownload(c, f, enrolmentsDownload(l))
		})

	r.add(BasePath, op{method: "GET", path: "/me/enrolments", summary: "Your enrolments with progress", tag: "learning", access: signedIn, reply: list[cohorts.Enrolment]{}},
		func(c *fiber.Ctx) error {
			items, err := svc.MyEnrolments(c.UserContext(), me(c).UserID)
			if err != nil {
				return err
			}
			return c.JSON(list[cohorts.Enrolment]{Items: items})
		})

	r.add(BasePath, op{method: "GET", path: "/enrolments/:id", summary: "An enrolment with progress (its learner or the team)", tag: "learning", access: signedIn, reply: cohorts.Enrolment{}},
		func(c *fiber.Ctx) error {
			e, err := svc.Enrolment(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(e)
		})

	r.add(BasePath, op{method: "GET", path: "/enrolments/:id/lessons/:lesson_id", summary: "A lesson of your course once its week has started, with your progress", tag: "learning",
		access: signedIn, reply: lessonForLearner{}},
		func(c *fiber.Ctx) error {
			l, p, err := svc.LessonFor(c.UserContext(), me(c), c.Params("id"), c.Params("lesson_id"))
			if err != nil {
				return err
			}
			return c.JSON(lessonForLearner{Lesson: l, Progress: p})
		})

	r.add(BasePath, op{method: "GET", path: "/enrolments/:id/lessons/:lesson_id/playback", summary: "Short-lived links to a lesson's video and captions (Range supported)", tag: "learning",
		access: signedIn, reply: cohorts.Playback{}},
		func(c *fiber.Ctx) error {
			p, err := svc.Playback(c.UserContext(), me(c), c.Params("id"), c.Params("lesson_id"))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.JSON(p)
		})

	r.add(BasePath, op{method: "PUT", path: "/enrolments/:id/lessons/:lesson_id/progress", summary: "Report where you are in a lesson; completion sticks", tag: "learning",
		access: signedIn, body: cohorts.ProgressUpdate{}, reply: cohorts.LessonProgress{}},
		func(c *fiber.Ctx) error {
			var in cohorts.ProgressUpdate
			if err := bind(c, &in); err != nil {
				return err
			}
			p, err := svc.SaveProgress(c.UserContext(), me(c), c.Params("id"), c.Params("lesson_id"), in)
			if err != nil {
				return err
			}
			return c.JSON(p)
		})
}

// enrolmentsDownload is the team's list of a cohort as a file. The CSV
// keeps the columns it always had, the enrolment time added at the end.
func enrolmentsDownload(l cohorts.EnrolmentList) download {
	d := download{file: fileName("enrolments", l.Cohort.Title), sheet: "Pieteikšanās", columns: []column{
		{csv: "enrolment_id", title: "Pieteikšanās ID", width: 38, id: true},
		{csv: "user_id", title: "Lietotāja ID", width: 38, id: true},
		{csv: "given_name", title: "Vārds", width: 16},
		{csv: "family_name", title: "Uzvārds", width: 18},
		{csv: "email", title: "E-pasts", width: 30},
		{csv: "municipality", title: "Pašvaldība", width: 20},
		{csv: "workplace", title: "Darbavieta", width: 30},
		{csv: "position", title: "Amats", width: 20},
		{csv: "status", title: "Statuss", width: 12},
		{csv: "waitlist_position", title: "Vieta rindā", width: 8},
		{csv: "enrolled_at", title: "Uzņemts kursā", width: 17},
		{csv: "lessons_completed", title: "Apgūtās nodarbības", width: 11},
		{csv: "lessons_total", title: "Nodarbības kopā", width: 11},
		{csv: "tests_passed", title: "Nokārtotie testi", width: 11},
		{csv: "percent", title: "Apgūts, %", width: 9},
		{csv: "certificate_eligible", title: "Var saņemt apliecinājumu", width: 13},
		{csv: "created_at", title: "Pieteikšanās laiks", width: 17},
	}}
	for _, e := range l.Items {
		var p cohorts.Progress
		if e.Progress != nil {
			p = *e.Progress
		}
		u := e.User
		d.rows = append(d.rows, []any{e.ID, e.UserID, u.GivenName, u.FamilyName, u.Email, u.Municipality, u.Workplace, u.Position,
			enrolmentStatus(e.Status), optInt(e.WaitlistPosition), optTime(e.EnrolledAt), p.LessonsCompleted, p.LessonsTotal, p.TestsPassed,
			p.Percent, p.CertificateEligible, e.CreatedAt})
	}
	return d
}

// enrolmentStatus is an enrolment's status with its Latvian word.
func enrolmentStatus(code string) term {
	words := map[string]string{cohorts.Enrolled: "uzņemts", cohorts.Waitlisted: "rindā", cohorts.Withdrawn: "atteicies"}
	return term{code: code, lv: cmp.Or(words[code], code)}
}
