package api

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func registerOperations(r *registry, d Deps, reg *prometheus.Registry) {
	r.add("", op{method: "GET", path: "/healthz", summary: "The process is alive", tag: "operations", reply: readiness{}},
		func(c *fiber.Ctx) error { return c.JSON(readiness{Status: "ok"}) })

	r.add("", op{method: "GET", path: "/readyz", summary: "The replica can serve: 503 only when the database does not answer; object storage trouble is \"degraded\" with 200", tag: "operations", reply: readiness{}},
		func(c *fiber.Ctx) error {
			out := ready(c.UserContext(), d.Ready, d.Degradable)
			if out.Status == statusUnavailable {
				c.Set(fiber.HeaderRetryAfter, retryAfterUnavailable)
				c.Status(fiber.StatusServiceUnavailable)
			}
			return c.JSON(out)
		})

	metrics := adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	r.add("", op{method: "GET", path: metricsPath, summary: "Prometheus metrics: MOOC_METRICS_TOKEN as a bearer token (404 when none is configured)", tag: "operations", raw: "text/plain"}, metrics)

	if d.Disk != nil {
		registerObjects(r, d.Disk, d.ObjectsPath)
	}
}

// The readiness statuses: of the whole reply and of each check.
const (
	statusOK          = "ok"
	statusDegraded    = "degraded"    // a degradable dependency failed: some routes answer 503
	statusUnavailable = "unavailable" // a required one failed: the replica cannot serve
)

// ready runs every check in parallel, each with its own short deadline, so a
// hanging dependency makes /readyz answer quickly rather than hang.
func ready(ctx context.Context, required, degradable map[string]Check) readiness {
	out := readiness{Status: statusOK, Checks: map[string]string{}}
	type result struct {
		name     string
		required bool
		err      error
	}
	results := make(chan result, len(required)+len(degradable))
	run := func(name string, check Check, req bool) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		results <- result{name, req, check(cctx)}
	}
	for name, check := range required {
		go run(name, check, true)
	}
	for name, check := range degradable {
		go run(name, check, false)
	}
	for range len(required) + len(degradable) {
		res := <-results
		switch {
		case res.err == nil:
			out.Checks[res.name] = statusOK
		case res.required:
			out.Checks[res.name] = statusUnavailable
			out.Status = statusUnavailable
		default:
			out.Checks[res.name] = statusDegraded
			if out.Status == statusOK {
				out.Status = statusDegraded
			}
		}
	}
	return out
}

// metricsPath is where Prometheus scrapes.
const metricsPath = "/metrics"

// guardMetrics keeps /metrics to the holder of token, sent as
// "Authorization: Bearer <token>" (Prometheus' authorization setting). The
// metrics tell how busy each route is and what fails, which is nobody
// else's business. It runs before authenticate, which would take the token
// for an access token: the header is removed once it has been checked.
// With no token configured, /metrics is closed on this address (404, as
// if it did not exist): a deployment that forgot the token publishes
// nothing. MOOC_METRICS_ADDR serves the metrics on an address of their own
// instead, for a scraper on an inside network.
func guardMetrics(token string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Path() != metricsPath {
			return c.Next()
		}
		if token == "" {
			return errNotFound
		}
		scheme, got, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return errUnauthenticated
		}
		c.Request().Header.Del(fiber.HeaderAuthorization)
		return c.Next()
	}
}
