package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"mooc/internal/validation"
)

// problem is an RFC 9457 problem detail.
type problem struct {
	Type   string                  `json:"type"`
	Title  string                  `json:"title"`
	Status int                     `json:"status"`
	Detail string                  `json:"detail,omitempty"`
	Code   string                  `json:"code"`
	Errors []validation.FieldError `json:"errors,omitempty"`
	// Existing carries the conflicting resource where the contract asks for
	// it (409 already_enrolled).
	Existing any `json:"existing,omitempty"`
}

func newProblem(status int, code, detail string) problem {
	return problem{
		Type:   "urn:mooc:problem:" + code,
		Title:  titleOf(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

func titleOf(status int) string {
	if t := utils.StatusMessage(status); t != "" {
		return t
	}
	return "Error"
}

func writeProblem(c *fiber.Ctx, p problem) error {
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	body, err := c.App().Config().JSONEncoder(p)
	if err != nil {
		return err
	}
	return c.Send(body)
}
