package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"

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

// hstsMaxAge is a year, in seconds.
const hstsMaxAge = 365 * 24 * 60 * 60

var inlineBlock = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// contentSecurityPolicy allows the inline scripts and styles of the pages
// this service serves (the docs page and the verify page) by their SHA-256
// hashes: any other inline script, one injected into a page included, is
// refused by the browser.
func contentSecurityPolicy() string {
	hashes := map[string][]string{}
	for _, page := range []string{string(docsPage)} {
		for _, m := range inlineBlock.FindAllStringSubmatch(page, -1) {
			sum := sha256.Sum256([]byte(m[2]))
			h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			if !slices.Contains(hashes[m[1]], h) {
				hashes[m[1]] = append(hashes[m[1]], h)
			}
		}
	}
	return "default-src 'self'; script-src 'self' " + strings.Join(hashes["script"], " ") +
		"; style-src 'self' " + strings.Join(hashes["style"], " ") +
		"; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
}
