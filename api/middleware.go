package api

import (
	"bytes"
	"context"
	"crypto/subtle"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"mooc/accounts"
	"mooc/audit"
)

const (
	localRequestID = "requestid"
	localPrincipal = "principal"
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// maxRequestIDLen bounds a client's X-Request-Id: long enough for a UUID or
// a tracing id, too short to stuff the logs.
const maxRequestIDLen = 64

// assignRequestID keeps the client's X-Request-Id when it is short and made
// of [A-Za-z0-9._-] (so it can be matched up with the client's own logs),
// and otherwise makes one: whatever a client writes there ends up in every
// log line of the request.
func assignRequestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !wellFormedRequestID(id) {
		id = uuid.NewString()
	}
	c.Set(fiber.HeaderXRequestID, id)
	c.Locals(localRequestID, id)
	return c.Next()
}

func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// proxies tells the addresses of trusted proxies, as Fiber's
// TrustedProxies names them: single addresses or CIDR ranges.
type proxies struct {
	addrs  map[string]bool
	ranges []*net.IPNet
}

func newProxies(list []string) proxies {
	p := proxies{addrs: map[string]bool{}}
	for _, entry := range list {
		if _, n, err := net.ParseCIDR(entry); err == nil {
			p.ranges = append(p.ranges, n)
		} else if ip := net.ParseIP(entry); ip != nil {
			p.addrs[ip.String()] = true
		}
	}
	return p
}

func (p proxies) trusted(ip net.IP) bool {
	if p.addrs[ip.String()] {
		return true
	}
	for _, n := range p.ranges {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// clientAddress settles who the client is before anything asks c.IP().
// Each proxy appends the address it was reached from to X-Forwarded-For,
// so only the entries on the right, written by trusted proxies, are true;
// anything further left is what the client wrote itself. The client is the
// rightmost address that is not a trusted proxy (the leftmost entry when
// every one is a trusted proxy). Fiber's own reading takes the leftmost
// entry, so the header is rewritten to hold the settled address alone, and
// c.IP() (throttles, logs) then gives it. Requests not from a trusted proxy
// lose the header: their client is the connection's peer.
func clientAddress(p proxies) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Request().Header
		if !c.IsProxyTrusted() {
			h.Del(fiber.HeaderXForwardedFor)
			return c.Next()
		}
		var entries []string
		h.VisitAll(func(k, v []byte) {
			if strings.EqualFold(string(k), fiber.HeaderXForwardedFor) {
				entries = append(entries, strings.Split(string(v), ",")...)
			}
		})
		client := ""
		for i := len(entries) - 1; i >= 0; i-- {
			entry := strings.TrimSpace(entries[i])
			ip := net.ParseIP(entry)
			if host, _, err := net.SplitHostPort(entry); ip == nil && err == nil {
				ip = net.ParseIP(host) // some proxies add the port
			}
			if ip == nil {
				// No trusted proxy writes this; the client did.
				break
			}
			client = ip.String()
			if !p.trusted(ip) {
				break
			}
		}
		h.Del(fiber.HeaderXForwardedFor)
		if client != "" {
			h.Set(fiber.HeaderXForwardedFor, client)
		}
		return c.Next()
	}
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
// logs and counts is the one sent), logs the request (access_log.go), and
// records metrics under the route pattern, never the raw path, so that ids
// do not explode the label set.
func observe(access *accessLog, m *metrics, handle fiber.ErrorHandler) fiber.Handler {
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
		access.line(c, route, status, elapsed)
		return nil
	}
}

// checkQuery turns away query strings carrying the NUL character, which no
// parameter needs and PostgreSQL cannot compare text with, and names or
// values that are not valid UTF-8 once decoded, which PostgreSQL refuses
// to compare with text as well (the contract: 400).
func checkQuery(c *fiber.Ctx) error {
	q := c.Request().URI().QueryString()
	if bytes.IndexByte(q, 0) >= 0 || bytes.Contains(bytes.ToUpper(q), []byte("%00")) {
		return badRequest(400, "bad_request", "the query may not contain the NUL character")
	}
	valid := true
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		valid = valid && utf8.Valid(k) && utf8.Valid(v)
	})
	if !valid {
		return badRequest(400, "bad_request", "query parameters must be valid UTF-8")
	}
	return c.Next()
}

// The cookies of the web pages' sign-in (package web sets them): the
// session's access token, and the CSRF token every form and script sends
// back.
const (
	SessionCookie = "mooc_session"
	CSRFCookie    = "mooc_csrf"
	// CSRFHeader carries the CSRF token of a page's script.
	CSRFHeader = "X-CSRF-Token"
)

// authenticate reads the bearer token when there is one. A request without
// a token goes on anonymous (routes decide whether that is enough); a bad
// token is refused at once rather than silently treated as anonymous.
//
// The pages' scripts (uploads with a progress bar, say) call the API with
// the page's session cookie instead: that counts only with the CSRF header
// equal to the CSRF cookie, which another site can neither read nor set,
// so a cross-site request never acts as the person signed in.
func authenticate(svc *accounts.Service, deadline time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		var token string
		switch h {
		case "":
			if token = pageSession(c); token == "" {
				return c.Next()
			}
		default:
			scheme, t, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || t == "" {
				return errUnauthenticated
			}
			token = t
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
		// The domains log team actions with the actor they find here.
		c.SetUserContext(audit.WithActor(c.UserContext(), p.UserID))
		return c.Next()
	}
}

// pageSession is the session cookie's token of a page's script: only with
// a CSRF header equal to the CSRF cookie.
func pageSession(c *fiber.Ctx) string {
	if !strings.HasPrefix(c.Path(), BasePath+"/") { // the pages read their cookie themselves
		return ""
	}
	token, csrf := c.Cookies(SessionCookie), c.Cookies(CSRFCookie)
	sent := c.Get(CSRFHeader)
	if token == "" || len(csrf) < 32 || subtle.ConstantTimeCompare([]byte(sent), []byte(csrf)) != 1 {
		return ""
	}
	return token
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
