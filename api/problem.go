package api

import (
	"fmt"

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
	// Enrolment is the learner's existing enrolment with 409 already_enrolled.
	Enrolment any `json:"enrolment,omitempty"`
	// Attempt is the learner's open attempt with 409 attempt_in_progress.
	Attempt any `json:"attempt,omitempty"`
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

// maxProblemErrors bounds a reply's errors list: a body of a megabyte can
// hold tens of thousands of bad values, and a reply naming each of them
// would be several megabytes for a client that reads the first few.
const maxProblemErrors = 100

// capErrors keeps the first maxProblemErrors entries and says in a last one
// how many more there were.
func capErrors(errs []validation.FieldError) []validation.FieldError {
	if len(errs) <= maxProblemErrors {
		return errs
	}
	more := len(errs) - maxProblemErrors
	out := append(errs[:maxProblemErrors:maxProblemErrors], validation.FieldError{
		Field: "", Message: fmt.Sprintf("and %d more errors not listed", more),
	})
	return out
}

func writeProblem(c *fiber.Ctx, p problem) error {
	p.Errors = capErrors(p.Errors)
	// Errors fasthttp raises itself (431, 408) never pass the security
	// middleware; give every problem its headers here.
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if len(c.Response().Header.Peek(k)) == 0 {
			c.Set(k, v)
		}
	}
	c.Status(p.Status)
	c.Locals(localProblemCode, p.Code)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	body, err := c.App().Config().JSONEncoder(p)
	if err != nil {
		return err
	}
	return c.Send(body)
}
