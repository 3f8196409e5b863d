package api

import (
	"context"
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

	r.add("", op{method: "GET", path: "/readyz", summary: "The database and object storage answer (503 otherwise)", tag: "operations", reply: readiness{}},
		func(c *fiber.Ctx) error {
			out := ready(c.UserContext(), d.Ready)
			if out.Status != "ok" {
				c.Status(fiber.StatusServiceUnavailable)
			}
			return c.JSON(out)
		})

	metrics := adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	r.add("", op{method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "operations", raw: "text/plain"}, metrics)

	if d.Disk != nil {
		registerObjects(r, d.Disk, d.ObjectsPath)
	}
}

// ready runs every check in parallel, each with its own short deadline, so a
// hanging dependency makes /readyz answer 503 quickly rather than hang.
func ready(ctx context.Context, checks map[string]Check) readiness {
	out := readiness{Status: "ok", Checks: map[string]string{}}
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(checks))
	for name, check := range checks {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			results <- result{name, check(cctx)}
		}()
	}
	for range checks {
		res := <-results
		out.Checks[res.name] = "ok"
		if res.err != nil {
			out.Checks[res.name] = "unavailable"
			out.Status = "unavailable"
		}
	}
	return out
}
