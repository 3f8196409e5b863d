package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// sendVersioned answers JSON that the domain has encoded and versioned
// (a course outline, catalogue.Outline) with the version as a strong
// entity tag, and 304 Not Modified without a body when the request's
// If-None-Match names it. Cache-Control: no-cache lets a browser or proxy
// keep the reply but makes it ask again each time, so a correction is
// seen as soon as the server serves it; an unchanged outline costs the
// client a 304 of a few bytes.
func sendVersioned(c *fiber.Ctx, body []byte, version string) error {
	tag := `"` + version + `"`
	c.Set(fiber.HeaderETag, tag)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	if noneMatch(c.Get(fiber.HeaderIfNoneMatch), tag) {
		c.Status(fiber.StatusNotModified)
		c.Response().ResetBody()
		return nil
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// noneMatch reports whether an If-None-Match header names tag, by the weak
// comparison RFC 9110 (13.1.2) asks of it: W/ is ignored, and * names
// whatever the server holds.
func noneMatch(header, tag string) bool {
	for candidate := range strings.SplitSeq(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == tag {
			return true
		}
	}
	return false
}
