package api

import (
	"cmp"

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

	r.add(BasePath, op{method: "GET", path: "/programmes/:id/applications", summary: "Applications in allocation order with the person (JSON; CSV with Accept: text/csv; an Excel workbook with Accept: " + xlsxType + ")", tag: "programmes",
		access: team, reply: list[programmes.ListedApplication]{}, query: []param{
			{"status", "only these statuses: accepted, applied, waitlisted, withdrawn (several separated by commas)"},
			{"municipality", "only applications naming this municipality (letter case aside)"},
			{"sort", "name: by family name, then given name, in Latvian alphabetical order; time: by application time; absent: allocation order"},
		}},
		func(c *fiber.Ctx) error {
			q := programmes.ListQuery{Status: listParam(c, "status"), Municipality: c.Query("municipality"), Sort: c.Query("sort")}
			c.Vary(fiber.HeaderAccept)
			f := negotiate(c)
			if f == asJSON {
				l, err := svc.Applications(c.UserContext(), c.Params("id"), q)
				if err != nil {
					return err
				}
				return c.JSON(list[programmes.ListedApplication]{Items: l.Items})
			}
			l, err := svc.ExportApplications(c.UserContext(), c.Params("id"), q, f.String())
			if err != nil {
				return err
			}
			return sendDownload(c, f, applicationsDownload(l))
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

// applicationsDownload is the team's list of a programme's applications as
// a file. The CSV gains the person's names, e-mail, workplace and position
// after user_id, as the enrolments' CSV has them.
func applicationsDownload(l programmes.ApplicationList) download {
	d := download{file: fileName("applications", l.Programme.Title), sheet: "Pieteikumi", columns: []column{
		{csv: "application_id", title: "Pieteikuma ID", width: 38, id: true},
		{csv: "user_id", title: "Lietotāja ID", width: 38, id: true},
		{csv: "given_name", title: "Vārds", width: 16},
		{csv: "family_name", title: "Uzvārds", width: 18},
		{csv: "email", title: "E-pasts", width: 30},
		{csv: "municipality", title: "Pašvaldība", width: 20},
		{csv: "workplace", title: "Darbavieta", width: 30},
		{csv: "position", title: "Amats", width: 20},
		{csv: "took_part_in_pilot", title: "Piedalījās pilotprojektā", width: 13},
		{csv: "status", title: "Statuss", width: 12},
		{csv: "waitlist_position", title: "Vieta rindā", width: 8},
		{csv: "attended_hours", title: "Apmeklētās stundas", width: 11},
		{csv: "applied_at", title: "Pieteikšanās laiks", width: 17},
	}}
	for _, a := range l.Items {
		u := a.User
		d.rows = append(d.rows, []any{a.ID, a.UserID, u.GivenName, u.FamilyName, u.Email, a.Municipality, u.Workplace, u.Position,
			a.TookPartInPilot, applicationStatus(a.Status), optInt(a.WaitlistPosition), a.AttendedHours, a.AppliedAt})
	}
	return d
}

// applicationStatus is an application's status with its Latvian word.
func applicationStatus(code string) term {
	words := map[string]string{programmes.Applied: "pieteicies", programmes.Accepted: "uzņemts",
		programmes.Waitlisted: "rindā", programmes.Withdrawn: "atteicies"}
	return term{code: code, lv: cmp.Or(words[code], code)}
}
