package web

import (
	"github.com/gofiber/fiber/v2"

	"mooc/credentials"
)

func (p *pages) credentialRoutes(get, post routeFunc) {
	get("/certificates/:code/credential", p.signedIn(p.certificateCredential))
	get("/verify", p.route(p.credentialForm))
	post("/verify", p.route(p.checkCredential))
}

// certificateCredential is the holder's download of the certificate as a
// verifiable credential, a file to add to a wallet.
func (p *pages) certificateCredential(c *fiber.Ctx, r *request) error {
	d, err := p.Credentials.Credential(r.ctx, r.principal, pathParam(c, "code"))
	if err != nil {
		return err
	}
	return sendAttachment(c, credentials.MediaCredential, d.Name, d.Body)
}

// sendAttachment sends a file of the person's own to be saved, never
// kept by a cache on the way.
func sendAttachment(c *fiber.Ctx, mediaType, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, mediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(body)
}

// credentialCheck is the page that checks a pasted credential: the form,
// and once sent, the verdict with the text as it was pasted.
type credentialCheck struct {
	Pasted  string
	Verdict *credentials.Verdict
	// Reason says in the page's language why the credential is not valid.
	Reason string
}

// reasonMessages are the page's words for each reason a credential is not
// valid.
var reasonMessages = map[string]string{
	credentials.ReasonTooLarge:      "credential.reason.too_large",
	credentials.ReasonNotJSON:       "credential.reason.not_json",
	credentials.ReasonNotCredential: "credential.reason.not_a_credential",
	credentials.ReasonOtherIssuer:   "credential.reason.other_issuer",
	credentials.ReasonBadProof:      "credential.reason.bad_proof",
	credentials.ReasonUnknownStatus: "credential.reason.unknown_status",
	credentials.ReasonRevoked:       "credential.reason.revoked",
}

func (p *pages) credentialForm(c *fiber.Ctx, r *request) error {
	return p.render(c, r, fiber.StatusOK, "verify_credential", r.loc.T("credential.verify.title"), credentialCheck{}, nil)
}

// checkCredential answers a pasted credential as the JSON route does: the
// page always shows a verdict, whatever was pasted.
func (p *pages) checkCredential(c *fiber.Ctx, r *request) error {
	pasted := c.FormValue("credential")
	v, err := p.Credentials.Verify(r.ctx, []byte(pasted))
	if err != nil {
		return err
	}
	page := credentialCheck{Verdict: &v}
	if len(pasted) <= credentials.MaxPasted {
		page.Pasted = pasted
	}
	if !v.Valid {
		page.Reason = r.loc.T(reasonMessages[v.Reason])
	}
	return p.render(c, r, fiber.StatusOK, "verify_credential", r.loc.T("credential.verify.title"), page, nil)
}
