package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/catalogue"
	"mooc/cohorts"
)

type orderRequest struct {
	LessonIDs []string `json:"lesson_ids" validate:"required"`
}

func registerCourses(r *registry, svc *catalogue.Service) {
	r.add(BasePath, op{method: "POST", path: "/methodologies", summary: "Add a methodology", tag: "catalogue", access: team,
		body: catalogue.NewMethodology{}, reply: catalogue.Methodology{}, status: 201},
		func(c *fiber.Ctx) error {
			var in catalogue.NewMethodology
			if err := bind(c, &in); err != nil {
				return err
			}
			m, err := svc.CreateMethodology(c.UserContext(), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(m)
		})

	r.add(BasePath, op{method: "GET", path: "/methodologies", summary: "List methodologies by title", tag: "catalogue",
		reply: list[catalogue.Methodology]{}, query: pageParams},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.Methodologies(c.UserContext(), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[catalogue.Methodology]{Items: items, NextCursor: next})
		})

	r.add(BasePath, op{method: "GET", path: "/methodologies/:id", summary: "One methodology", tag: "catalogue", reply: catalogue.Methodology{}},
		func(c *fiber.Ctx) error {
			m, err := svc.Methodology(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(m)
		})

	r.add(BasePath, op{method: "POST", path: "/courses", summary: "Start a draft course (defaults: lv, 5 weeks, 12 hours, 70 % to pass)", tag: "catalogue",
		access: authors, body: catalogue.NewCourse{}, reply: catalogue.Course{}, status: 201},
		func(c *fiber.Ctx) error {
			var in catalogue.NewCourse
			if err := bind(c, &in); err != nil {
				return err
			}
			course, err := svc.CreateCourse(c.UserContext(), me(c), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(course)
		})

	r.add(BasePath, op{method: "GET", path: "/courses", summary: "List courses with their outlines: published ones, plus drafts to their author and the team", tag: "catalogue",
		reply: list[catalogue.Course]{}, query: append([]param{{"methodology_id", "only this methodology's courses"}, {"status", "draft, published or archived (archived courses are listed only to their editors)"}}, pageParams...)},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			caller, _ := principal(c)
			items, next, err := svc.Courses(c.UserContext(), caller,
				catalogue.CourseFilter{MethodologyID: c.Query("methodology_id"), Status: c.Query("status")}, limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[catalogue.Course]{Items: items, NextCursor: next})
		})

	r.add(BasePath, op{method: "GET", path: "/courses/:id", summary: "A course with its weeks, lessons and tests; If-None-Match with its ETag answers 304 while it is unchanged", tag: "catalogue", reply: catalogue.Course{}},
		func(c *fiber.Ctx) error {
			caller, _ := principal(c)
			outline, err := svc.Outline(c.UserContext(), caller, c.Params("id"))
			if err != nil {
				return err
			}
			return sendVersioned(c, outline.JSON, outline.Version)
		})

	r.add(BasePath, op{method: "POST", path: "/courses/:id/lessons", summary: "Add a lesson to a week of a draft course", tag: "catalogue",
		access: authors, body: catalogue.NewLesson{}, reply: catalogue.Lesson{}, status: 201},
		func(c *fiber.Ctx) error {
			var in catalogue.NewLesson
			if err := bind(c, &in); err != nil {
				return err
			}
			l, err := svc.AddLesson(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(l)
		})

	r.add(BasePath, op{method: "PATCH", path: "/lessons/:id", summary: "Change a lesson of a draft course; of a published course, correct its title, body, media_id or captions (422 course_published for week, kind or minutes), each correction kept in the course's history", tag: "catalogue",
		access: authors, body: catalogue.LessonChange{}, reply: catalogue.Lesson{}},
		func(c *fiber.Ctx) error {
			var in catalogue.LessonChange
			if err := bind(c, &in); err != nil {
				return err
			}
			l, err := svc.UpdateLesson(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(l)
		})

	r.add(BasePath, op{method: "DELETE", path: "/lessons/:id", summary: "Remove a lesson of a draft course", tag: "catalogue", access: authors, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.DeleteLesson(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "PUT", path: "/courses/:id/weeks/:week/order", summary: "Reorder the lessons of a week", tag: "catalogue",
		access: authors, body: orderRequest{}, reply: catalogue.Course{}},
		func(c *fiber.Ctx) error {
			var in orderRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			week, err := c.ParamsInt("week")
			if err != nil {
				return errNotFound
			}
			course, err := svc.ReorderWeek(c.UserContext(), me(c), c.Params("id"), week, in.LessonIDs)
			if err != nil {
				return err
			}
			return c.JSON(course)
		})

	registerEditions(r, svc)

	r.add(BasePath, op{method: "POST", path: "/courses/:id/publish", summary: "Publish a complete course (422 course_incomplete lists every gap)", tag: "catalogue",
		access: authors, reply: catalogue.Course{}},
		func(c *fiber.Ctx) error {
			course, err := svc.Publish(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(course)
		})
}

func registerInterest(r *registry, svc *cohorts.Service) {
	r.add(BasePath, op{method: "POST", path: "/courses/:id/interest", summary: "Ask to be told by e-mail when the course's next cohort opens", tag: "catalogue", access: signedIn, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.AddInterest(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})
	r.add(BasePath, op{method: "DELETE", path: "/courses/:id/interest", summary: "Leave the course's interest list", tag: "catalogue", access: signedIn, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.RemoveInterest(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})
}

var pageParams = []param{{"limit", "page size, 1..200 (default 50)"}, {"cursor", "from next_cursor"}}
