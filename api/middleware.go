package api

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"mooc/accounts"
)

const (
	localRequestID = "requestid"
	localPrincipal = "principal"
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// metrics are the request counters and latencies by route and status.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mooc_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mooc_http_request_duration_seconds", Help: "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe is the outermost middleware: it renders errors (so the status it
// logs and counts is the one sent), logs one JSON line per request, and
// records metrics under the route pattern, never the raw path, so that ids
// do not explode the label set.
func observe(log *slog.Logger, m *metrics, handle fiber.ErrorHandler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := handle(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		elapsed := time.Since(start)
		status := c.Response().StatusCode()
		if status >= 400 && c.Request().Header.ContentLength() != 0 {
			// A refused request's body may be partly unread (bodies are
			// streamed), so the connection cannot safely carry another
			// request: close it once this reply is out.
			c.Context().SetConnectionClose()
		}
		route := c.Route().Path
		if status == fiber.StatusNotFound && (route == "/" || route == "") {
			route = "unmatched"
		}
		statusText := strconv.Itoa(status)
		m.requests.WithLabelValues(c.Method(), route, statusText).Inc()
		m.latency.WithLabelValues(c.Method(), route, statusText).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.UserContext(), level, "request",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Method()),
			slog.String("route", route),
			slog.String("path", c.Path()),
			slog.Int("status", status),
			slog.Duration("duration", elapsed),
			slog.String("client", c.IP()),
		)
		return nil
	}
}

// refuseNUL turns away query strings carrying the NUL character, which no
// parameter needs and PostgreSQL cannot compare text with.
func refuseNUL(c *fiber.Ctx) error {
	q := c.Request().URI().QueryString()
	if bytes.IndexByte(q, 0) >= 0 || bytes.Contains(bytes.ToUpper(q), []byte("%00")) {
		return badRequest(400, "bad_request", "the query may not contain the NUL character")
	}
	return c.Next()
}

// authenticate reads the bearer token when there is one. A request without
// a token goes on anonymous (routes decide whether that is enough); a bad
// token is refused at once rather than silently treated as anonymous.
func authenticate(svc *accounts.Service, deadline time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		if h == "" {
			return c.Next()
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return errUnauthenticated
		}
		// Routes set their own deadline later; the look-up of the caller
		// gets one here, or a hung database would hang every request.
		ctx := c.UserContext()
		if deadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, deadline)
			defer cancel()
		}
		p, err := svc.Authenticate(ctx, strings.TrimSpace(token))
		if err != nil {
			return err
		}
		c.Locals(localPrincipal, p)
		return c.Next()
	}
}

func principal(c *fiber.Ctx) (accounts.Principal, bool) {
	p, ok := c.Locals(localPrincipal).(accounts.Principal)
	return p, ok
}

// requireUser admits any signed-in user.
func requireUser(c *fiber.Ctx) error {
	if _, ok := principal(c); !ok {
		return errUnauthenticated
	}
	return c.Next()
}

// requireRole admits users holding role (team holds every role).
func requireRole(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, ok := principal(c)
		if !ok {
			return errUnauthenticated
		}
		if !p.Has(role) {
			return errForbidden
		}
		return c.Next()
	}
}

// me returns the caller; only valid behind requireUser or requireRole.
func me(c *fiber.Ctx) accounts.Principal {
	p, _ := principal(c)
	return p
}
