package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/surveys"
)

func registerSurveys(r *registry, svc *surveys.Service) {
	r.add(BasePath, op{method: "PUT", path: "/courses/:id/survey", summary: "Set the course's feedback survey (while it has no responses)", tag: "surveys",
		access: authors, body: surveys.Definition{}, reply: surveys.Survey{}},
		func(c *fiber.Ctx) error {
			var in surveys.Definition
			if err := bind(c, &in); err != nil {
				return err
			}
			out, err := svc.SetCourseSurvey(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(out)
		})

	r.add(BasePath, op{method: "PUT", path: "/programmes/:id/survey", summary: "Set the programme's feedback survey (while it has no responses)", tag: "surveys",
		access: team, body: surveys.Definition{}, reply: surveys.Survey{}},
		func(c *fiber.Ctx) error {
			var in surveys.Definition
			if err := bind(c, &in); err != nil {
				return err
			}
			out, err := svc.SetProgrammeSurvey(c.UserContext(), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(out)
		})

	r.add(BasePath, op{method: "POST", path: "/enrolments/:id/survey", summary: "Answer the course's feedback survey, once, after earning the certificate", tag: "surveys",
		access: signedIn, body: surveys.Answers{}, reply: surveys.Receipt{}, status: 201},
		func(c *fiber.Ctx) error {
			var in surveys.Answers
			if err := bind(c, &in); err != nil {
				return err
			}
			out, err := svc.AnswerEnrolment(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(out)
		})

	r.add(BasePath, op{method: "POST", path: "/programmes/:id/survey/answers", summary: "Answer the programme's feedback survey, once, after earning the certificate", tag: "surveys",
		access: signedIn, body: surveys.Answers{}, reply: surveys.Receipt{}, status: 201},
		func(c *fiber.Ctx) error {
			var in surveys.Answers
			if err := bind(c, &in); err != nil {
				return err
			}
			out, err := svc.AnswerProgramme(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(out)
		})

	r.add(BasePath, op{method: "GET", path: "/courses/:id/survey/results", summary: "The course's survey results, no answer tied to a person; under 5 responses the count alone", tag: "surveys",
		access: authors, reply: surveys.Results{}, query: []param{{"cohort_id", "only this cohort's responses (the count alone under 5 of them)"}}},
		func(c *fiber.Ctx) error {
			out, err := svc.CourseResults(c.UserContext(), me(c), c.Params("id"), c.Query("cohort_id"))
			if err != nil {
				return err
			}
			return c.JSON(out)
		})

	r.add(BasePath, op{method: "GET", path: "/programmes/:id/survey/results", summary: "The programme's survey results, no answer tied to a person; under 5 responses the count alone", tag: "surveys",
		access: team, reply: surveys.Results{}},
		func(c *fiber.Ctx) error {
			out, err := svc.ProgrammeResults(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(out)
		})
}
