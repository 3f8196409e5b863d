package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"mooc/certificates"
)

func registerCertificates(r *registry, svc *certificates.Service, verifyPage fiber.Handler) {
	r.add(BasePath, op{method: "POST", path: "/enrolments/:id/certificate", summary: "Get the certificate of your completed enrolment (201 first time, 200 after; 422 not_eligible lists what is missing)", tag: "certificates",
		access: signedIn, reply: certificates.Certificate{}, status: 201},
		func(c *fiber.Ctx) error {
			cert, created, err := svc.IssueForEnrolment(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			if created {
				c.Status(fiber.StatusCreated)
			}
			return c.JSON(cert)
		})

	r.add(BasePath, op{method: "GET", path: "/me/certificates", summary: "Your certificates, online and in-person", tag: "certificates",
		access: signedIn, reply: list[certificates.Certificate]{}},
		func(c *fiber.Ctx) error {
			items, err := svc.Mine(c.UserContext(), me(c))
			if err != nil {
				return err
			}
			return c.JSON(list[certificates.Certificate]{Items: items})
		})

	r.add(BasePath, op{method: "GET", path: "/certificates/:code/pdf", summary: "The certificate as PDF (its holder or the team)", tag: "certificates",
		access: signedIn, raw: "application/pdf", long: true},
		func(c *fiber.Ctx) error {
			body, size, err := svc.PDF(c.UserContext(), me(c), codeParam(c))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "application/pdf")
			c.Set(fiber.HeaderContentDisposition, `inline; filename="apliecinajums-`+certificates.NormalizeCode(codeParam(c))+`.pdf"`)
			return c.SendStream(body, int(size))
		})

	r.add(BasePath, op{method: "GET", path: "/certificates/:code/verify", summary: "Is this certificate valid? (anyone; 404 for an unknown code)", tag: "certificates",
		reply: certificates.Verification{}},
		func(c *fiber.Ctx) error {
			v, err := svc.Verify(c.UserContext(), codeParam(c))
			if err != nil {
				return err
			}
			return c.JSON(v)
		})

	// The page itself is the web adapter's (Deps.VerifyPage), in the look
	// of the other pages; the contract lists it, so the document does too.
	if verifyPage != nil {
		r.add("", op{method: "GET", path: "/verify/:code", summary: "Certificate verification page for people (Latvian, or English by Accept-Language or ?lang=en)", tag: "certificates", raw: "text/html"},
			verifyPage)
	}

	r.add(BasePath, op{method: "POST", path: "/certificates/:code/revoke", summary: "Revoke a certificate with a reason", tag: "certificates",
		access: team, body: certificates.Revocation{}, reply: certificates.Verification{}},
		func(c *fiber.Ctx) error {
			var in certificates.Revocation
			if err := bind(c, &in); err != nil {
				return err
			}
			v, err := svc.Revoke(c.UserContext(), codeParam(c), in)
			if err != nil {
				return err
			}
			return c.JSON(v)
		})

	r.add(BasePath, op{method: "POST", path: "/cohorts/:id/certificates", summary: "Issue every eligible certificate of a cohort in the background; follow the job", tag: "certificates",
		access: team, reply: certificates.Job{}, status: 202},
		func(c *fiber.Ctx) error {
			j, err := svc.StartBulk(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			c.Location(BasePath + "/certificate-jobs/" + j.ID)
			return c.Status(fiber.StatusAccepted).JSON(j)
		})

	r.add(BasePath, op{method: "GET", path: "/certificate-jobs/:id", summary: "Progress of a bulk certificate issue", tag: "certificates", access: team, reply: certificates.Job{}},
		func(c *fiber.Ctx) error {
			j, err := svc.Job(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(j)
		})
}

// verifyDate writes the day of an issue or revocation on the calendar of
// Riga, as the certificate does: "2026. gada 2. marts"; nothing for a nil
// time.
// codeParam is the certificate code of the path as the person typed it:
// the router leaves escapes in place, and a code read aloud is typed with
// spaces ("abcd efgh jklm" arrives as abcd%20efgh%20jklm). The domain
// normalises what is left.
func codeParam(c *fiber.Ctx) string {
	raw := c.Params("code")
	if code, err := url.PathUnescape(raw); err == nil {
		return code
	}
	return raw
}
