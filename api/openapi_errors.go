package api

import (
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"mooc/assessment"
	"mooc/cohorts"
	"mooc/internal/database"
	"mooc/internal/page"
	"mooc/internal/validation"
)

// The problems every route of a kind may answer, as the middleware, the
// guards and the request decoding raise them. Those a route's own domain
// raises are in routeNotes.
var (
	// checkQuery refuses a NUL or bytes that are not UTF-8 in the query,
	// on every route.
	errQueryRefused = badRequest(400, "bad_request", "the query holds the NUL character or is not valid UTF-8")
	// bind, for routes with a JSON body.
	errNotJSON      = badRequest(415, "unsupported_media_type", "send the body as application/json")
	errBodyTooLarge = badRequest(413, "too_large", "the body may be at most 1 MiB")
	errBadJSON      = badRequest(400, "malformed_json", "the body is not a JSON object of the right shape")
	errBodyBroken   = badRequest(400, "malformed_body", "the body could not be read")
	errInvalid      = validation.Fail()
	// limitOf, for routes with ?limit=.
	errBadLimit = badRequest(400, "invalid_limit", "limit must be a whole number from 1 to 200")
)

// problemOf is the problem the error handler renders for err: the document
// asks toProblem itself, so a status or code changed in the error table
// changes in the document too.
func problemOf(err error) problem {
	app := problemApp()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	return toProblem(c, slog.New(slog.DiscardHandler), err)
}

var problemApp = sync.OnceValue(func() *fiber.App { return fiber.New(fiber.Config{DisableStartupMessage: true}) })

// possibleErrors lists what o may answer besides success: what every route
// may meet (a refused query, a bad token, the database down), what its
// access, path, body and query bring, and then its own domain's problems.
// The first general of them are those of its kind, whose details are
// general too.
func possibleErrors(o op, n routeNotes) (errs []error, general int) {
	errs = []error{errQueryRefused, errUnauthenticated, database.ErrUnavailable}
	if o.access == authors || o.access == team {
		errs = append(errs, errForbidden)
	}
	if fiberParam.MatchString(o.path) {
		errs = append(errs, errNotFound)
	}
	if o.body != nil {
		errs = append(errs, errNotJSON, errBodyTooLarge, errBadJSON, errBodyBroken, errInvalid)
	}
	for _, q := range o.query {
		switch q.name {
		case "limit":
			errs = append(errs, errBadLimit)
		case "cursor":
			errs = append(errs, page.ErrBadCursor)
		}
	}
	if isIdempotent(o) {
		errs = append(errs, idempotencyErrors...)
	}
	return append(errs, n.errs...), len(errs)
}

// statusProblems is what one status of a route can carry: its codes in
// order, each with what it means.
type statusProblems struct {
	codes   []string
	details map[string][]string
}

// problemsByStatus groups the problems of errs by status. A code's general
// detail ("no such resource") gives way to the route's own ("no such
// cohort or enrolment").
func problemsByStatus(errs []error, general int) map[int]*statusProblems {
	out := map[int]*statusProblems{}
	fallback := map[string]string{}
	for i, err := range errs {
		p := problemOf(err)
		sp := out[p.Status]
		if sp == nil {
			sp = &statusProblems{details: map[string][]string{}}
			out[p.Status] = sp
		}
		if !slices.Contains(sp.codes, p.Code) {
			sp.codes = append(sp.codes, p.Code)
		}
		switch {
		case p.Detail == "":
		case i < general:
			fallback[p.Code] = p.Detail
		case !slices.Contains(sp.details[p.Code], p.Detail):
			sp.details[p.Code] = append(sp.details[p.Code], p.Detail)
		}
	}
	for _, sp := range out {
		for _, code := range sp.codes {
			if len(sp.details[code]) == 0 && fallback[code] != "" {
				sp.details[code] = []string{fallback[code]}
			}
		}
	}
	return out
}

// problemResponse is the response object of one error status: the shared
// Problem narrowed to this status and its codes.
func problemResponse(status int, sp *statusProblems) map[string]any {
	codes := make([]any, len(sp.codes))
	lines := make([]string, len(sp.codes))
	for i, code := range sp.codes {
		codes[i] = code
		lines[i] = "`" + code + "`"
		if d := sp.details[code]; len(d) > 0 {
			lines[i] += ": " + strings.Join(d, "; ")
		}
	}
	schema := map[string]any{"allOf": []any{
		map[string]any{"$ref": "#/components/schemas/Problem"},
		map[string]any{"properties": map[string]any{
			"status": map[string]any{"const": status},
			"code":   map[string]any{"enum": codes},
		}},
	}}
	r := map[string]any{
		"description": titleOf(status) + ". " + strings.Join(lines, ". ") + ".",
		"content":     map[string]any{"application/problem+json": map[string]any{"schema": schema}},
	}
	switch status {
	case fiber.StatusTooManyRequests:
		r["headers"] = map[string]any{fiber.HeaderRetryAfter: map[string]any{
			"description": "seconds until the limit lets another attempt through",
			"required":    true,
			"schema":      map[string]any{"type": "integer", "minimum": 0},
		}}
	case fiber.StatusServiceUnavailable:
		r["headers"] = map[string]any{fiber.HeaderRetryAfter: map[string]any{
			"description": "seconds after which the dependency that is away (the database, object storage) is worth asking again",
			"required":    true,
			"schema":      map[string]any{"type": "integer", "minimum": 0},
		}}
	}
	return r
}

// sharedResponse refers to the response of status with sp's codes in
// components/responses, adding it the first time: its name is the status
// and the codes, e.g. 404-not_found.
// Routes whose codes mean something else in detail get one each, the
// name numbered.
func (b *schemas) sharedResponse(status int, sp *statusProblems) map[string]any {
	base := strings.Join(append([]string{statusKey(status)}, sp.codes...), "-")
	r := problemResponse(status, sp)
	name := base
	for i := 2; ; i++ {
		old, taken := b.problems[name]
		if !taken {
			b.problems[name] = r
			break
		}
		if old.(map[string]any)["description"] == r["description"] {
			break
		}
		name = base + "." + strconv.Itoa(i)
	}
	return map[string]any{"$ref": "#/components/responses/" + name}
}

// problemSchema is components/schemas/Problem: an RFC 9457 problem detail
// as writeProblem sends it.
func (b *schemas) problemSchema() map[string]any {
	s := b.structSchema(reflect.TypeFor[problem](), toClient)
	props := s["properties"].(map[string]any)
	props["type"].(map[string]any)["description"] = "urn:mooc:problem: followed by the code"
	props["status"] = map[string]any{"type": "integer", "minimum": 400, "maximum": 599, "description": "the HTTP status"}
	props["code"] = map[string]any{"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "a stable word for the problem; the codes each status of an operation carries are listed with it"}
	props["errors"].(map[string]any)["description"] = "each field that is not valid (validation_failed), gap (course_incomplete) or requirement missing (not_eligible); an empty field names the request as a whole"
	props["enrolment"] = withDescription(b.of(reflect.TypeFor[cohorts.Enrolment](), toClient), "with already_enrolled: the learner's place in the course")
	props["attempt"] = withDescription(b.of(reflect.TypeFor[assessment.OpenAttempt](), toClient), "with attempt_in_progress: the attempt still open")
	s["description"] = "A problem detail (RFC 9457). Errors are application/problem+json with a stable code."
	return s
}

func withDescription(s map[string]any, d string) map[string]any {
	s["description"] = d
	return s
}

// statusKey is a status as a key of a responses object.
func statusKey(status int) string { return strconv.Itoa(status) }
