package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/training"
)

func registerTraining(r *registry, svc *training.Service) {
	yearParam := []param{{"year", "the calendar year (Riga time), " + strconv.Itoa(training.FirstYear) + " to next year; the current year when absent"}}
	r.add(BasePath, op{method: "GET", path: "/me/training-hours", summary: "Your training hours of a year against the yearly requirement (JSON; a Latvian transcript with Accept: application/pdf)", tag: "training",
		access: signedIn, reply: training.Record{}, query: yearParam},
		func(c *fiber.Ctx) error {
			rec, err := svc.Mine(c.UserContext(), me(c), c.Query("year"))
			if err != nil {
				return err
			}
			return sendRecord(c, svc, rec)
		})

	r.add(BasePath, op{method: "GET", path: "/users/:id/training-hours", summary: "One person's training hours of a year (JSON; a Latvian transcript with Accept: application/pdf)", tag: "training",
		access: team, reply: training.Record{}, query: yearParam},
		func(c *fiber.Ctx) error {
			rec, err := svc.Of(c.UserContext(), c.Params("id"), c.Query("year"))
			if err != nil {
				return err
			}
			return sendRecord(c, svc, rec)
		})
}

// sendRecord answers JSON, or the transcript PDF when the client asks
// for it.
func sendRecord(c *fiber.Ctx, svc *training.Service, rec training.Record) error {
	c.Vary(fiber.HeaderAccept)
	if c.Accepts(fiber.MIMEApplicationJSON, "application/pdf") != "application/pdf" {
		return c.JSON(rec)
	}
	pdf, err := svc.PDF(rec)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="izzina-`+strconv.Itoa(rec.Year)+`.pdf"`)
	return c.Send(pdf)
}
