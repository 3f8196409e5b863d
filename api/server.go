package api

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/valyala/fasthttp"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/audit"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/credentials"
	"mooc/idempotency"
	"mooc/media"
	"mooc/mentoring"
	"mooc/privacy"
	"mooc/programmes"
	"mooc/reports"
	"mooc/surveys"
	"mooc/training"
)

// BasePath prefixes every route of the public contract.
const BasePath = "/api/v1"

// Check is a readiness probe of one dependency.
type Check func(ctx context.Context) error

// Deps is what the HTTP layer needs from the rest of the service.
type Deps struct {
	Log          *slog.Logger
	Accounts     *accounts.Service
	Media        *media.Service
	Catalogue    *catalogue.Service
	Cohorts      *cohorts.Service
	Assessment   *assessment.Service
	Certificates *certificates.Service
	Programmes   *programmes.Service
	Reports      *reports.Service
	Training     *training.Service
	Surveys      *surveys.Service
	Mentoring    *mentoring.Service
	Privacy      *privacy.Service
	Audit        *audit.Log
	// Idempotency keeps the replies of requests sent with an
	// Idempotency-Key; nil: the header is ignored.
	Idempotency *idempotency.Service
	// Ready names the dependencies without which no request can be served:
	// /readyz answers 503 when one fails. Degradable names those only some
	// routes need: their trouble is reported as "degraded" with 200, so a
	// load balancer keeps the replica, and the routes needing them answer
	// 503 unavailable with Retry-After.
	Ready      map[string]Check
	Degradable map[string]Check
	// LogRequestsPerSecond is how many request lines a second the log
	// takes at info before it summarises the rest (0: every request).
	LogRequestsPerSecond int
	// Now is the clock of the request log's seconds; time.Now when nil.
	Now func() time.Time
	// Disk is the disk object store, whose signed links the API serves
	// itself; nil when objects live in MinIO, which serves its own links.
	Disk *media.DiskStore
	// ObjectsPath is where Disk's links point, e.g. /objects.
	ObjectsPath    string
	MaxUploadBytes int64
	CORSOrigins    []string
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics requires;
	// without one /metrics is closed.
	MetricsToken string
	// Metrics is where the request metrics are registered (and the Go
	// runtime's, when New creates it); nil: a registry of New's own.
	Metrics *prometheus.Registry
	Version string
	// RequestTimeout bounds each request's work (file transfers aside).
	RequestTimeout time.Duration
	// VerifyPage renders GET /verify/{code}, the contract's page for
	// people, in the look of the web pages; nil leaves the route out.
	VerifyPage fiber.Handler
	// NotFoundPage answers a GET of a path no route takes outside /api/v1
	// (package web's page); nil: problem+json like every other 404.
	NotFoundPage fiber.Handler
	// Credentials serves the certificates as verifiable credentials, the
	// DID document and the status lists; nil leaves those routes out.
	Credentials *credentials.Service
}

// New builds the Fiber application with every route of the service.
func New(d Deps) (*fiber.App, error) {
	handle := errorHandler(d.Log, d.NotFoundPage)
	app := fiber.New(fiber.Config{
		AppName:      "mooc",
		ErrorHandler: handle,
		// Copies every string Fiber hands out: values from c.Params,
		// c.Query and headers stay valid after the handler returns.
		Immutable: true,
		// Uploads are read as a stream; the limit covers the largest
		// upload plus its multipart framing.
		StreamRequestBody: true,
		// fasthttp would otherwise parse multipart bodies itself before
		// the handler runs, into memory and temporary files.
		DisablePreParseMultipartForm: true,
		BodyLimit:                    int(d.MaxUploadBytes + 1<<20),
		// A client trickling its headers in is cut off after this; the
		// routes that stream files get longer once their headers are in
		// (see transferTimeouts).
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            15 * time.Minute,
		IdleTimeout:             2 * time.Minute,
		ReadBufferSize:          16 << 10, // request line and headers
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
		EnableIPValidation:      true,
		DisableStartupMessage:   true,
	})

	app.Server().HeaderReceived = transferTimeouts(d.ObjectsPath)

	reg := d.Metrics
	if reg == nil {
		reg = NewMetricsRegistry()
	}

	app.Use(assignRequestID)
	app.Use(clientAddress(newProxies(d.TrustedProxies)))
	app.Use(observe(newAccessLog(d.Log, d.LogRequestsPerSecond, d.Now), newMetrics(reg), handle))
	app.Use(recover.New())
	app.Use(helmet.New(helmet.Config{
		// The docs and verify pages carry their own inline script and
		// style; the policy allows exactly those blocks, by their hashes,
		// and no other inline code.
		ContentSecurityPolicy: contentSecurityPolicy(),
		// Sent only to requests that came over https (directly, or by
		// X-Forwarded-Proto from a trusted proxy): a browser ignores it over
		// plain http, and an instance answering on http inside a network
		// must not tell browsers to insist on https. Subdomains are left
		// alone: they may be other services this one cannot speak for.
		HSTSMaxAge:            hstsMaxAge,
		HSTSExcludeSubdomains: true,
		// Helmet's default, same-origin, would stop a page of another
		// origin (the web pages behind their own host name, an embedding
		// site) from playing a video or loading captions through a signed
		// /objects/... link of the disk store, as it may from MinIO. Every
		// response gets cross-origin, not only those links, so there is one
		// rule: the signed link is what guards a file, and the JSON and HTML
		// replies stay out of other origins' reach without the header (a
		// script needs CORS, MOOC_CORS_ORIGINS; the browser blocks JSON and
		// HTML fetched by an <img> or <video> of another origin by itself).
		CrossOriginResourcePolicy: "cross-origin",
	}))
	if len(d.CORSOrigins) > 0 {
		app.Use(cors.New(cors.Config{
			AllowOrigins: strings.Join(d.CORSOrigins, ","),
			AllowHeaders: "Authorization, Content-Type, " + idempotency.Header,
			AllowMethods: "GET,POST,PUT,PATCH,DELETE",
			// Browsers uploading parts must read each part's ETag, and a
			// retry's script whether its reply was the one kept.
			ExposeHeaders: "ETag, " + idempotency.Replayed,
		}))
	}
	app.Use(checkQuery)
	app.Use(guardMetrics(d.MetricsToken))
	app.Use(authenticate(d.Accounts, d.RequestTimeout))

	r := &registry{app: app, deadline: d.RequestTimeout, keys: d.Idempotency, handle: handle, log: d.Log}
	registerOperations(r, d, reg)
	registerAccounts(r, d.Accounts)
	registerPrivacy(r, d.Accounts, d.Privacy, d.Audit)
	registerMedia(r, d.Media)
	registerCourses(r, d.Catalogue)
	registerInterest(r, d.Cohorts)
	registerAnnouncements(r, d.Cohorts)
	registerCohorts(r, d.Cohorts, d.Accounts)
	registerAssessment(r, d.Assessment)
	registerCertificates(r, d.Certificates, d.VerifyPage)
	registerCredentials(r, d.Credentials)
	registerProgrammes(r, d.Programmes)
	registerReports(r, d.Reports)
	registerTraining(r, d.Training)
	registerReportTargets(r, d.Reports)
	registerSurveys(r, d.Surveys)
	registerMentoring(r, d.Mentoring)

	if err := r.checkIdempotent(); err != nil {
		return nil, err
	}

	// The document describes itself and the docs page too.
	spec := registerDocs(r)
	doc, err := openAPI(r.ops, d.Version)
	if err != nil {
		return nil, err
	}
	*spec = doc
	// Unmatched routes fall through to Fiber's 404, which errorHandler
	// renders as problem+json.
	return app, nil
}

// transferTimeouts gives the requests that upload files a read deadline
// long enough for gigabytes on a slow link, once their headers have
// arrived; every other request keeps the short one.
func transferTimeouts(objectsPath string) func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
	return func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		path, method := string(h.RequestURI()), string(h.Method())
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		upload := method == fiber.MethodPost && path == BasePath+"/media"
		part := method == fiber.MethodPut && objectsPath != "" && strings.HasPrefix(path, objectsPath+"/")
		if upload || part {
			return fasthttp.RequestConfig{ReadTimeout: 15 * time.Minute}
		}
		return fasthttp.RequestConfig{}
	}
}

// NewMetricsRegistry is a registry with the Go runtime's and the
// process's collectors, for Deps.Metrics.
func NewMetricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
