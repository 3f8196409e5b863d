package web

import (
	"io"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"mooc/certificates"
)

func (p *pages) myCertificates(c *fiber.Ctx, r *request) error {
	mine, err := p.Certificates.Mine(r.ctx, r.principal)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "certificates", r.loc.T("certificates.title"), mine, nil)
}

// certificatePage is one of the holder's certificates with its links.
type certificatePage struct {
	certificates.Certificate
	PDF string // this site's download of the PDF
	// Credential is this site's download of the verifiable credential.
	Credential string
}

func (p *pages) certificate(c *fiber.Ctx, r *request) error {
	code := pathParam(c, "code")
	mine, err := p.Certificates.Mine(r.ctx, r.principal)
	if err != nil {
		return err
	}
	for _, cert := range mine {
		if cert.Code == code {
			return p.render(c, r, fiber.StatusOK, "certificate", cert.CourseTitle,
				certificatePage{Certificate: cert, PDF: "/certificates/" + url.PathEscape(cert.Code) + "/pdf",
					Credential: "/certificates/" + url.PathEscape(cert.Code) + "/credential"}, nil)
		}
	}
	return certificates.ErrNotFound
}

func (p *pages) certificatePDF(c *fiber.Ctx, r *request) error {
	body, size, err := p.Certificates.PDF(r.ctx, r.principal, pathParam(c, "code"))
	if err != nil {
		return err
	}
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="sertifikats.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// verify is the public page an employer opens from the certificate's QR
// code or link.
func (p *pages) verify(c *fiber.Ctx, r *request) error {
	v, err := p.Certificates.Verify(r.ctx, pathParam(c, "code"))
	if err != nil {
		if status, _ := statusOf(err); status == fiber.StatusNotFound {
			return p.render(c, r, fiber.StatusNotFound, "verify", r.loc.T("verify.title"), nil, nil)
		}
		return err
	}
	return p.render(c, r, fiber.StatusOK, "verify", r.loc.T("verify.title"), v, nil)
}

// pathParam is a path parameter with its escapes undone: the router
// leaves %20 in (a code typed with spaces).
func pathParam(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}
