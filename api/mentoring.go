package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/mentoring"
)

func registerMentoring(r *registry, svc *mentoring.Service) {
	r.add(BasePath, op{method: "PUT", path: "/programmes/:id/mentoring/:participant_id", summary: "Give a participant a mentor, individually or in the mentor's group (at most 1:1+1:1, or 1:3+1:1)", tag: "mentoring",
		access: team, body: mentoring.Assignment{}, reply: mentoring.Mentoring{}},
		func(c *fiber.Ctx) error {
			var in mentoring.Assignment
			if err := bind(c, &in); err != nil {
				return err
			}
			m, err := svc.Assign(c.UserContext(), c.Params("id"), c.Params("participant_id"), in)
			if err != nil {
				return err
			}
			return c.JSON(m)
		})

	r.add(BasePath, op{method: "POST", path: "/programmes/:id/mentoring/sessions", summary: "Log a session a mentor held with their participants (the mentor, team)", tag: "mentoring",
		access: signedIn, body: mentoring.SessionForm{}, reply: mentoring.Session{}, status: 201},
		func(c *fiber.Ctx) error {
			var in mentoring.SessionForm
			if err := bind(c, &in); err != nil {
				return err
			}
			s, err := svc.LogSession(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(s)
		})

	r.add(BasePath, op{method: "GET", path: "/programmes/:id/mentoring", summary: "Each participant's mentor, mode and minutes per calendar month in Riga, months under two hours short (team; a mentor: their own participants)", tag: "mentoring",
		access: signedIn, reply: mentoring.Overview{}},
		func(c *fiber.Ctx) error {
			o, err := svc.Overview(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(o)
		})
}
