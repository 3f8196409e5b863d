package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// quietRoutes are asked every few seconds by balancers and scrapers: their
// lines go to debug, or an info log would be mostly health checks.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, metricsPath: true}

// localProblemCode is where writeProblem leaves the code of the problem it
// sent, for the request's log line.
const localProblemCode = "problem_code"

// accessLog writes one line per request at info, keeping to perSecond
// lines in each second of the clock: beyond them, requests are counted,
// not logged, and the count goes out as one summary line when the second
// is over (at the next request). Server errors are always logged, being
// what an operator looks for. perSecond 0 logs every request.
type accessLog struct {
	log       *slog.Logger
	perSecond int
	now       func() time.Time

	mu         sync.Mutex
	second     time.Time // the second being counted
	logged     int
	suppressed int
	byStatus   map[int]int // the suppressed, by status class (200, 300, 400)
}

func newAccessLog(log *slog.Logger, perSecond int, now func() time.Time) *accessLog {
	if now == nil {
		now = time.Now
	}
	return &accessLog{log: log, perSecond: perSecond, now: now, byStatus: map[int]int{}}
}

// admit tells whether this request's line is written, and writes the
// summary of the second before when that second is over.
func (a *accessLog) admit(ctx context.Context, status int) bool {
	if a.perSecond <= 0 || status >= 500 {
		return true
	}
	second := a.now().Truncate(time.Second)
	a.mu.Lock()
	var summary []slog.Attr
	if !second.Equal(a.second) {
		if a.suppressed > 0 {
			summary = []slog.Attr{slog.Time("second", a.second), slog.Int("logged", a.logged), slog.Int("not_logged", a.suppressed),
				slog.Int("not_logged_2xx", a.byStatus[200]), slog.Int("not_logged_3xx", a.byStatus[300]), slog.Int("not_logged_4xx", a.byStatus[400])}
		}
		a.second, a.logged, a.suppressed = second, 0, 0
		clear(a.byStatus)
	}
	ok := a.logged < a.perSecond
	if ok {
		a.logged++
	} else {
		a.suppressed++
		a.byStatus[status/100*100]++
	}
	a.mu.Unlock()
	if summary != nil {
		a.log.LogAttrs(ctx, slog.LevelInfo, "requests summarised", summary...)
	}
	return ok
}

// line logs the request c answered.
func (a *accessLog) line(c *fiber.Ctx, route string, status int, elapsed time.Duration) {
	ctx := c.UserContext()
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case quietRoutes[route]:
		level = slog.LevelDebug
	}
	if !a.log.Enabled(ctx, level) || level == slog.LevelInfo && !a.admit(ctx, status) {
		return
	}
	code, _ := c.Locals(localProblemCode).(string)
	a.log.LogAttrs(ctx, level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Method()),
		slog.String("route", route),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("client", c.IP()),
		// Who made the request, by id only: e-mail addresses and names
		// stay out of the request log.
		slog.String("user_id", me(c).UserID),
		slog.String("problem", code),
	)
}
