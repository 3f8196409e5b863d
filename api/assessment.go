package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/assessment"
)

func registerAssessment(r *registry, svc *assessment.Service) {
	r.add(BasePath, op{method: "POST", path: "/courses/:id/questions", summary: "Add a question to a draft course's bank", tag: "assessment",
		access: authors, body: assessment.NewQuestion{}, reply: assessment.Question{}, status: 201},
		func(c *fiber.Ctx) error {
			var in assessment.NewQuestion
			if err := bind(c, &in); err != nil {
				return err
			}
			q, err := svc.AddQuestion(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(q)
		})

	r.add(BasePath, op{method: "GET", path: "/courses/:id/questions", summary: "A course's question bank with the correct answers", tag: "assessment",
		access: authors, reply: list[assessment.Question]{}},
		func(c *fiber.Ctx) error {
			items, err := svc.Questions(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(list[assessment.Question]{Items: items})
		})

	r.add(BasePath, op{method: "POST", path: "/courses/:id/tests", summary: "Create a weekly test or the final test of a draft course", tag: "assessment",
		access: authors, body: assessment.NewTest{}, reply: assessment.Test{}, status: 201},
		func(c *fiber.Ctx) error {
			var in assessment.NewTest
			if err := bind(c, &in); err != nil {
				return err
			}
			t, err := svc.CreateTest(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(t)
		})

	r.add(BasePath, op{method: "GET", path: "/courses/:id/tests/:test_id/stats", summary: "Pass rate of a test and how often each question was answered right", tag: "assessment",
		access: authors, reply: assessment.TestStats{}},
		func(c *fiber.Ctx) error {
			st, err := svc.Stats(c.UserContext(), me(c), c.Params("id"), c.Params("test_id"))
			if err != nil {
				return err
			}
			return c.JSON(st)
		})

	r.add(BasePath, op{method: "POST", path: "/enrolments/:id/tests/:test_id/attempts", summary: "Start an attempt: questions drawn and fixed, the clock starts; one open attempt per test", tag: "assessment",
		access: signedIn, reply: assessment.StartedAttempt{}, status: 201},
		func(c *fiber.Ctx) error {
			a, err := svc.StartAttempt(c.UserContext(), me(c), c.Params("id"), c.Params("test_id"))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Status(fiber.StatusCreated).JSON(a)
		})

	r.add(BasePath, op{method: "POST", path: "/attempts/:id/submit", summary: "Submit the answers; graded once, on the server", tag: "assessment",
		access: signedIn, body: assessment.Submission{}, reply: assessment.Result{}},
		func(c *fiber.Ctx) error {
			var in assessment.Submission
			if err := bind(c, &in); err != nil {
				return err
			}
			res, err := svc.Submit(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(res)
		})

	r.add(BasePath, op{method: "GET", path: "/attempts/:id", summary: "An attempt; once submitted its score and which questions scored, the correct answers and explanations once no attempt is left", tag: "assessment",
		access: signedIn, reply: assessment.AttemptView{}},
		func(c *fiber.Ctx) error {
			a, err := svc.Attempt(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.JSON(a)
		})
}
