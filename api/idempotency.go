package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/idempotency"
)

// idempotentRoutes take an Idempotency-Key: the requests whose reply a
// client must not lose (a seat, a certificate, a finished upload), so that
// it can send them again after a timeout or a dropped connection.
var idempotentRoutes = map[string]bool{
	"POST " + BasePath + "/cohorts/:id/enrolments":      true,
	"POST " + BasePath + "/programmes/:id/applications": true,
	"POST " + BasePath + "/enrolments/:id/certificate":  true,
	"POST " + BasePath + "/media/:id/complete":          true,
}

func isIdempotent(o op) bool { return idempotentRoutes[o.method+" "+o.path] }

// Leases: how long a request holds its key before a retry may take it for
// dead. Twice the request deadline, past which the request's queries have
// been cut off; a route without a deadline (a finished upload is put
// together in storage) gets the longest a reply may take to be written.
const (
	leaseWithoutDeadline = time.Minute
	leaseOfLongRoutes    = 15 * time.Minute
)

func (r *registry) lease(o op) time.Duration {
	switch {
	case o.long:
		return leaseOfLongRoutes
	case r.deadline > 0:
		return 2 * r.deadline
	}
	return leaseWithoutDeadline
}

// keepTimeout bounds keeping or releasing a key once the handler is done:
// the request's own deadline may have passed by then (that is when a key
// must be released most of all).
const keepTimeout = 5 * time.Second

// idempotent runs a route's handler at most once per key and caller,
// behind the guard that found the caller: a request with the key the
// caller used before gets the reply kept for it. The handler's error is
// rendered here rather than by the application's error handler, so that
// the problem is kept like any other reply.
func idempotent(keys *idempotency.Service, handle fiber.ErrorHandler, log *slog.Logger, lease time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		value := c.Request().Header.Peek(idempotency.Header)
		if value == nil {
			return c.Next()
		}
		key, err := idempotency.ParseKey(string(value))
		if err != nil {
			return err
		}
		// The body is read here to be fingerprinted, and handed back to
		// the handler as a buffer of its own (a streamed body can be read
		// only once; Fiber reuses its buffers).
		body, err := readBody(c, maxJSONBody)
		if err != nil {
			return err
		}
		body = bytes.Clone(body)
		c.Request().SetBody(body)

		caller := me(c).UserID
		claim, kept, err := keys.Begin(c.UserContext(), caller, key, idempotency.Fingerprint(c.Method(), c.Path(), body), lease)
		if errors.Is(err, idempotency.ErrInFlight) {
			// Most requests are answered within a second or two.
			c.Set(fiber.HeaderRetryAfter, "1")
		}
		if err != nil {
			return err
		}
		if kept != nil {
			return replay(c, kept)
		}

		ctx := context.WithoutCancel(c.UserContext())
		done := false
		defer func() {
			if !done { // the handler panicked: the key is free for a retry
				release(ctx, keys, claim, log)
			}
		}()
		if err := c.Next(); err != nil {
			if herr := handle(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		done = true
		res := &c.Response().Header
		reply := idempotency.Reply{Status: c.Response().StatusCode(), ContentType: string(res.ContentType()),
			Location: string(res.Peek(fiber.HeaderLocation)), Body: bytes.Clone(c.Response().Body())}
		kctx, cancel := context.WithTimeout(ctx, keepTimeout)
		defer cancel()
		if err := keys.Finish(kctx, claim, reply); err != nil {
			// The reply still goes out; a retry is processed again, and
			// the domain's own rules (one enrolment per course) hold.
			log.Warn("idempotency key not kept", "request_id", requestID(c), "error", err)
		}
		return nil
	}
}

func release(ctx context.Context, keys *idempotency.Service, claim *idempotency.Claim, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, keepTimeout)
	defer cancel()
	if err := keys.Release(ctx, claim); err != nil {
		log.Warn("idempotency key not released", "error", err)
	}
}

// replay answers the kept reply again, marked as such.
func replay(c *fiber.Ctx, r *idempotency.Reply) error {
	c.Status(r.Status)
	if r.ContentType != "" {
		c.Set(fiber.HeaderContentType, r.ContentType)
	}
	if r.Location != "" {
		c.Set(fiber.HeaderLocation, r.Location)
	}
	c.Set(idempotency.Replayed, "true")
	return c.Send(r.Body)
}

// What the OpenAPI document says of the header, its refusals and the
// replayed replies.
var (
	idempotencyErrors = []error{idempotency.ErrInvalidKey, idempotency.ErrKeyReused, idempotency.ErrInFlight}

	idempotencyParam = map[string]any{
		"name": idempotency.Header, "in": "header", "required": false,
		"description": fmt.Sprintf("a key of the client's choosing (a UUID, say), bare or as a Structured Field string; "+
			"1 to %d printable ASCII characters. The first request with a key is processed and its reply kept for 24 hours: "+
			"sending the same request (method, path, body) with the same key again answers that reply again, with %s: true, "+
			"and does nothing more. Replies of 5xx are not kept. The key is the caller's own; with another request it is "+
			"refused (422 idempotency_key_reused), and while its first request is still being processed a retry is told so "+
			"(409 idempotency_key_in_flight).", idempotency.MaxKeyLength, idempotency.Replayed),
		"schema": map[string]any{"type": "string", "minLength": 1},
	}

	replayedHeader = header("true when this reply is the one kept for the request's Idempotency-Key, answered again", false)
)

// withHeader is headers with one more header on a status, in new maps:
// the notes' maps are shared by every build of the document.
func withHeader(headers map[int]map[string]any, status int, name string, h map[string]any) map[int]map[string]any {
	out := make(map[int]map[string]any, len(headers)+1)
	maps.Copy(out, headers)
	of := make(map[string]any, len(out[status])+1)
	maps.Copy(of, out[status])
	of[name] = h
	out[status] = of
	return out
}

// checkIdempotent makes sure every route named in idempotentRoutes exists,
// so a route renamed cannot quietly lose its safe retries.
func (r *registry) checkIdempotent() error {
	for route := range idempotentRoutes {
		found := false
		for _, o := range r.ops {
			found = found || o.method+" "+o.path == route
		}
		if !found {
			return fmt.Errorf("api: %s takes an Idempotency-Key but is not registered", route)
		}
	}
	return nil
}
