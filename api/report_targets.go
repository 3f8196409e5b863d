package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/reports"
)

func registerReportTargets(r *registry, svc *reports.Service) {
	r.add(BasePath, op{method: "PUT", path: "/reports/targets/:key", summary: "Set a funders' target (creating or replacing it): so many distinct people who completed training of the given kinds in a cohort or programme that ended by the end of the date by, Riga time", tag: "reports",
		access: team, body: reports.TargetFields{}, reply: reports.TargetProgress{}},
		func(c *fiber.Ctx) error {
			var in reports.TargetFields
			if err := bind(c, &in); err != nil {
				return err
			}
			t, err := svc.SetTarget(c.UserContext(), c.Params("key"), in)
			if err != nil {
				return err
			}
			return c.JSON(t)
		})

	r.add(BasePath, op{method: "GET", path: "/reports/targets", summary: "The funders' targets by date with the distinct people achieved and the percent of the target (rounded down)", tag: "reports",
		access: team, reply: list[reports.TargetProgress]{}, query: pageParams},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.Targets(c.UserContext(), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[reports.TargetProgress]{Items: items, NextCursor: next})
		})
}
