package api

import (
	"errors"
	"strconv"
	"time"

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

	r.add(BasePath, op{method: "GET", path: "/cohorts/:id/enrolments", summary: "Every enrolment of a cohort with progress (JSON, or CSV with Accept: text/csv)", tag: "cohorts",
		access: team, reply: list[cohorts.Enrolment]{}},
		func(c *fiber.Ctx) error {
			if !wantsCSV(c) {
				items, err := svc.CohortEnrolments(c.UserContext(), c.Params("id"))
				if err != nil {
					return err
				}
				return c.JSON(list[cohorts.Enrolment]{Items: items})
			}
			items, err := svc.ExportEnrolments(c.UserContext(), c.Params("id"), "csv")
			if err != nil {
				return err
			}
			return enrolmentsCSV(c, people, items)
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

func enrolmentsCSV(c *fiber.Ctx, people *accounts.Service, items []cohorts.Enrolment) error {
	ids := make([]string, len(items))
	for i, e := range items {
		ids[i] = e.UserID
	}
	users, err := people.Users(c.UserContext(), ids)
	if err != nil {
		return err
	}
	header := []string{"enrolment_id", "user_id", "given_name", "family_name", "email", "municipality", "workplace", "position",
		"status", "waitlist_position", "enrolled_at", "lessons_completed", "lessons_total", "tests_passed", "percent", "certificate_eligible"}
	records := make([][]string, len(items))
	for i, e := range items {
		u := users[e.UserID]
		pos, enrolledAt := "", ""
		if e.WaitlistPosition != nil {
			pos = strconv.Itoa(*e.WaitlistPosition)
		}
		if e.EnrolledAt != nil {
			enrolledAt = e.EnrolledAt.Format(time.RFC3339)
		}
		p := e.Progress
		records[i] = []string{e.ID, e.UserID, u.GivenName, u.FamilyName, u.Email, u.Municipality, u.Workplace, u.Position,
			e.Status, pos, enrolledAt, strconv.Itoa(p.LessonsCompleted), strconv.Itoa(p.LessonsTotal), strconv.Itoa(p.TestsPassed),
			strconv.Itoa(p.Percent), strconv.FormatBool(p.CertificateEligible)}
	}
	return sendCSV(c, "enrolments.csv", header, records)
}
