package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

//go:embed docs.html
var docsPage []byte

// registerDocs adds /openapi.json and /docs; the caller fills in the
// document once every route, these two included, is registered.
func registerDocs(r *registry) *[]byte {
	spec := new([]byte)
	r.add("", op{method: "GET", path: "/openapi.json", summary: "OpenAPI 3.1 document of every route", tag: "operations", raw: "application/json"},
		func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
			return c.Send(*spec)
		})
	r.add("", op{method: "GET", path: "/docs", summary: "Readable API reference", tag: "operations", raw: "text/html"},
		func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.Send(docsPage)
		})
	return spec
}
