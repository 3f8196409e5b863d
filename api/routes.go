package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/idempotency"
)

// Who may call a route. The guard is added from this value, so what the
// OpenAPI document says about access is what the code enforces.
type access int

const (
	anyone access = iota
	signedIn
	authors // author or team
	team
)

// op describes one route for the router and the OpenAPI document alike.
type op struct {
	method  string
	path    string // Fiber pattern, e.g. /users/:id/roles
	summary string
	tag     string
	access  access
	body    any // zero value of the request body type, or nil
	reply   any // zero value of the success body type, or nil
	status  int // success status; 200 when zero
	query   []param
	// raw marks replies that are not JSON (pages, files, metrics).
	raw string
	// long marks routes that stream files, which may take far longer than
	// the request deadline.
	long bool
}

type param struct {
	name, description string
}

// registry registers routes and remembers them for the OpenAPI document.
type registry struct {
	app *fiber.App
	ops []op
	// deadline bounds every other request's work, so a database that
	// hangs yields a 503 instead of a request that never ends.
	deadline time.Duration
	// keys, handle and log serve the routes that take an Idempotency-Key
	// (idempotentRoutes); without keys the header is ignored.
	keys   *idempotency.Service
	handle fiber.ErrorHandler
	log    *slog.Logger
}

func (r *registry) add(base string, o op, handler fiber.Handler) {
	o.path = base + o.path
	if o.status == 0 {
		o.status = fiber.StatusOK
	}
	handlers := []fiber.Handler{}
	if !o.long && r.deadline > 0 {
		handlers = append(handlers, withDeadline(r.deadline))
	}
	switch o.access {
	case signedIn:
		handlers = append(handlers, requireUser)
	case authors:
		handlers = append(handlers, requireRole(accounts.RoleAuthor))
	case team:
		handlers = append(handlers, requireRole(accounts.RoleTeam))
	}
	if r.keys != nil && isIdempotent(o) {
		handlers = append(handlers, idempotent(r.keys, r.handle, r.log, r.lease(o)))
	}
	handlers = append(handlers, handler)
	r.app.Add(o.method, o.path, handlers...)
	r.ops = append(r.ops, o)
}

// withDeadline gives the request's context a deadline; the domains pass it
// to every query, and a query cut off by it maps to 503.
func withDeadline(d time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
