package api

import (
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"mooc/credentials"
)

// statusListMaxAge is how long a status list may be cached: a revocation
// shows in the list at once, and in a verifier's copy within this time.
const statusListMaxAge = "public, max-age=300"

func registerCredentials(r *registry, svc *credentials.Service) {
	if svc == nil {
		return
	}
	r.add(BasePath, op{method: "GET", path: "/certificates/:code/credential", summary: "The certificate as an Open Badges 3.0 verifiable credential, signed eddsa-rdfc-2022 (its holder or the team), to keep in a wallet", tag: "credentials",
		access: signedIn, raw: credentials.MediaCredential},
		func(c *fiber.Ctx) error {
			d, err := svc.Credential(c.UserContext(), me(c), codeParam(c))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, credentials.MediaCredential)
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.Name+`"`)
			c.Set(fiber.HeaderCacheControl, "private, no-store")
			return c.Send(d.Body)
		})

	r.add(BasePath, op{method: "POST", path: "/credentials/verify", summary: "Is this pasted credential a valid certificate of this platform? Always 200 with valid and, when not, the reason (anyone; at most 64 KiB)", tag: "credentials",
		reply: credentials.Verdict{}},
		func(c *fiber.Ctx) error {
			raw, err := pasted(c)
			if err != nil {
				return err
			}
			v, err := svc.Verify(c.UserContext(), raw)
			if err != nil {
				return err
			}
			return c.JSON(v)
		})

	// did:web puts the document at the host's root, outside the API.
	r.add("", op{method: "GET", path: "/.well-known/did.json", summary: "The issuer's DID document (did:web, or the did:key when the platform is not served over https) with its public key", tag: "credentials",
		reply: credentials.DIDDocument{}},
		func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
			return c.JSON(svc.DIDDocument())
		})

	r.add("", op{method: "GET", path: "/credentials/status/:list", summary: "A Bitstring Status List credential: bit N is set when the credential with statusListIndex N is revoked (anyone; 404 for an unknown list)", tag: "credentials",
		raw: credentials.MediaCredential},
		func(c *fiber.Ctx) error {
			n, err := strconv.ParseInt(c.Params("list"), 10, 64)
			if err != nil {
				return credentials.ErrUnknownList
			}
			b, err := svc.StatusList(c.UserContext(), n)
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, credentials.MediaCredential)
			c.Set(fiber.HeaderCacheControl, statusListMaxAge)
			return c.Send(b)
		})
}

// pasted reads at most one byte more of the body than a credential may
// have, whatever its media type: the domain tells a pasted text that is
// too large, or not JSON, apart.
func pasted(c *fiber.Ctx) ([]byte, error) {
	limit := int64(credentials.MaxPasted + 1)
	if stream := c.Context().RequestBodyStream(); stream != nil {
		b, err := io.ReadAll(io.LimitReader(stream, limit))
		if err != nil {
			return nil, badRequest(400, "malformed_body", "the body could not be read")
		}
		return b, nil
	}
	b := c.Body()
	if int64(len(b)) > limit {
		b = b[:limit]
	}
	return b, nil
}
