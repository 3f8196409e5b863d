package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/programmes"
)

func registerProgrammes(r *registry, svc *programmes.Service) {
	r.add(BasePath, op{method: "POST", path: "/programmes", summary: "Add an in-person programme (88..100 hours, group of 20 by default)", tag: "programmes",
		access: team, body: programmes.Fields{}, reply: programmes.Programme{}, status: 201},
		func(c *fiber.Ctx) error {
			var in programmes.Fields
			if err := bind(c, &in); err != nil {
				return err
			}
			p, err := svc.Create(c.UserContext(), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(p)
		})

	r.add(BasePath, op{method: "GET", path: "/programmes", summary: "List in-person programmes", tag: "programmes", access: signedIn,
		reply: list[programmes.Programme]{}, query: append([]param{{"methodology_id", "only this methodology's programmes"}}, pageParams...)},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.Programmes(c.UserContext(), c.Query("methodology_id"), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[programmes.Programme]{Items: items, NextCursor: next})
		})

	r.add(BasePath, op{method: "GET", path: "/programmes/:id", summary: "One in-person programme", tag: "programmes", access: signedIn, reply: programmes.Programme{}},
		func(c *fiber.Ctx) error {
			p, err := svc.Programme(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(p)
		})

	r.add(BasePath, op{method: "PATCH", path: "/programmes/:id", summary: "Change any field of a programme", tag: "programmes",
		access: team, body: programmes.Fields{}, reply: programmes.Programme{}},
		func(c *fiber.Ctx) error {
			var in programmes.Fields
			if err := bind(c, &in); err != nil {
				return err
			}
			p, err := svc.Update(c.UserContext(), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.JSON(p)
		})

	r.add(BasePath, op{method: "POST", path: "/programmes/:id/applications", summary: "Apply for a seat while applications are open", tag: "programmes",
		access: signedIn, body: programmes.ApplicationForm{}, reply: programmes.Application{}, status: 201},
		func(c *fiber.Ctx) error {
			var in programmes.ApplicationForm
			if err := bind(c, &in); err != nil {
				return err
			}
			a, err := svc.Apply(c.UserContext(), me(c), c.Params("id"), in)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(a)
		})

	r.add(BasePath, op{method: "DELETE", path: "/programmes/:id/applications/me", summary: "Withdraw your application or give up your seat", tag: "programmes", access: signedIn, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.Withdraw(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "GET", path: "/programmes/:id/applications", summary: "Applications in allocation order (JSON, or CSV with Accept: text/csv)", tag: "programmes",
		access: team, reply: list[programmes.Application]{}},
		func(c *fiber.Ctx) error {
			if !wantsCSV(c) {
				items, err := svc.Applications(c.UserContext(), c.Params("id"))
				if err != nil {
					return err
				}
				return c.JSON(list[programmes.Application]{Items: items})
			}
			items, err := svc.ExportApplications(c.UserContext(), c.Params("id"), "csv")
			if err != nil {
				return err
			}
			records := make([][]string, len(items))
			for i, a := range items {
				pos := ""
				if a.WaitlistPosition != nil {
					pos = strconv.Itoa(*a.WaitlistPosition)
				}
				records[i] = []string{a.ID, a.UserID, a.Municipality, strconv.FormatBool(a.TookPartInPilot), a.Status, pos,
					strconv.Itoa(a.AttendedHours), a.AppliedAt.Format("2006-01-02T15:04:05Z07:00")}
			}
			return sendCSV(c, "applications.csv", []string{"application_id", "user_id", "municipality", "took_part_in_pilot", "status",
				"waitlist_position", "attended_hours", "applied_at"}, records)
		})

	r.add(BasePath, op{method: "POST", path: "/programmes/:id/allocation", summary: "Give out the seats after applications close: non-pilot municipalities first, then by time", tag: "programmes",
		access: team, reply: programmes.Allocation{}},
		func(c *fiber.Ctx) error {
			a, err := svc.Allocate(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(a)
		})

	r.add(BasePath, op{method: "POST", path: "/programmes/:id/applications/:application_id/accept", summary: "Give a freed seat to a waitlisted applicant", tag: "programmes",
		access: team, reply: programmes.Application{}},
		func(c *fiber.Ctx) error {
			a, err := svc.Accept(c.UserContext(), c.Params("id"), c.Params("application_id"))
			if err != nil {
				return err
			}
			return c.JSON(a)
		})

	r.add(BasePath, op{method: "PUT", path: "/programmes/:id/attendance/:user_id", summary: "Record a participant's attended hours; enough of them issues the certificate", tag: "programmes",
		access: team, body: programmes.AttendanceUpdate{}, reply: programmes.Attendance{}},
		func(c *fiber.Ctx) error {
			var in programmes.AttendanceUpdate
			if err := bind(c, &in); err != nil {
				return err
			}
			a, err := svc.RecordAttendance(c.UserContext(), c.Params("id"), c.Params("user_id"), in)
			if err != nil {
				return err
			}
			return c.JSON(a)
		})
}
