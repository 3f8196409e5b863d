package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/cohorts"
)

// registerAnnouncements: how many people a cohort opening would reach.
func registerAnnouncements(r *registry, svc *cohorts.Service) {
	r.add(BasePath, op{method: "GET", path: "/courses/:id/announcement-audience",
		summary: "How many people a cohort opening of the course would be announced to now (the course's authors and the team)", tag: "cohorts",
		access: authors, reply: cohorts.AnnouncementCount{}},
		func(c *fiber.Ctx) error {
			n, err := svc.AnnouncementAudience(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(n)
		})
}
