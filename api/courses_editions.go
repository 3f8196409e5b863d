package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/catalogue"
)

// registerEditions adds the routes of a course's life after publishing:
// its history of corrections, copies as next editions, deleting drafts,
// archiving, and a methodology's run history.
func registerEditions(r *registry, svc *catalogue.Service) {
	r.add(BasePath, op{method: "GET", path: "/courses/:id/history", summary: "The corrections of a published course, newest first: who changed which field of which lesson when, both values", tag: "catalogue",
		access: authors, reply: list[catalogue.Change]{}, query: pageParams},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.History(c.UserContext(), me(c), c.Params("id"), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[catalogue.Change]{Items: items, NextCursor: next})
		})

	r.add(BasePath, op{method: "POST", path: "/courses/:id/copy", summary: "Start the next edition: a draft copy of the course (lessons with their files and captions, questions, tests) owned by its author, with copied_from set", tag: "catalogue",
		access: authors, reply: catalogue.Course{}, status: 201},
		func(c *fiber.Ctx) error {
			course, err := svc.Copy(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(course)
		})

	r.add(BasePath, op{method: "DELETE", path: "/courses/:id", summary: "Delete a draft course with its lessons, questions and tests (422 course_published or course_archived otherwise; 409 course_in_use while people wait to hear of its cohorts)", tag: "catalogue",
		access: authors, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.DeleteCourse(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "POST", path: "/courses/:id/archive", summary: "Archive a published course whose cohorts have all ended (422 cohort_running otherwise): hidden from the course lists, no new cohorts, history and cohorts kept", tag: "catalogue",
		access: authors, reply: catalogue.Course{}},
		func(c *fiber.Ctx) error {
			course, err := svc.Archive(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(course)
		})

	r.add(BasePath, op{method: "GET", path: "/methodologies/:id/courses", summary: "A methodology's run history: its courses and their editions, newest first, each with copied_from and its cohorts", tag: "catalogue",
		access: authors, reply: list[catalogue.Edition]{}, query: pageParams},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.Editions(c.UserContext(), me(c), c.Params("id"), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[catalogue.Edition]{Items: items, NextCursor: next})
		})
}
