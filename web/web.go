package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/credentials"
	"mooc/media"
	"mooc/mentoring"
	"mooc/privacy"
	"mooc/programmes"
	"mooc/reports"
	"mooc/surveys"
	"mooc/training"
)

// Deps is what the pages need: the domain services and a few settings.
type Deps struct {
	Log          *slog.Logger
	Accounts     *accounts.Service
	Catalogue    *catalogue.Service
	Cohorts      *cohorts.Service
	Assessment   *assessment.Service
	Certificates *certificates.Service
	Credentials  *credentials.Service
	Programmes   *programmes.Service
	Privacy      *privacy.Service
	Reports      *reports.Service
	Training     *training.Service
	Surveys      *surveys.Service
	Mentoring    *mentoring.Service
	// Media is the uploaded files, for the authors' pages.
	Media *media.Service
	// MediaOrigins are the origins videos and captions are played from
	// besides this one (the object store's public origin), for the CSP.
	MediaOrigins []string
	// RequestTimeout bounds each page's work.
	RequestTimeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// pages is the web adapter.
type pages struct {
	Deps
	views    *views
	messages catalogues
	anon     anonPages // rendered pages of visitors not signed in
}

// Pages are the built pages, to be added to the API's Fiber app.
type Pages struct{ p *pages }

// New prepares the pages: the templates and catalogues are parsed once.
func New(d Deps) (*Pages, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 30 * time.Second
	}
	msgs, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	return &Pages{p: &pages{Deps: d, views: v, messages: msgs}}, nil
}

// Register adds every page to app, after the API's routes, which it
// leaves alone: the pages live outside /api/v1.
func (w *Pages) Register(app *fiber.App) { w.p.routes(app) }

// NotFound is the page of a GET no route takes (the API's error handler
// calls it for paths outside the API).
func (w *Pages) NotFound() fiber.Handler { return w.p.route(w.p.notFound) }

// Verify is the public verification page, GET /verify/{code}: a route of
// the API's contract, which the API registers with this handler.
func (w *Pages) Verify() fiber.Handler { return w.p.route(w.p.verify) }

// handler is a page's handler: it gets the request's own state, never the
// Fiber context's buffers to keep.
type handler func(c *fiber.Ctx, r *request) error

// route wraps a handler with what every page needs: the language, the
// signed-in person, the CSRF check of a form, a deadline, and the headers
// of an HTML page.
func (p *pages) route(h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), p.RequestTimeout)
		defer cancel()
		r, err := p.begin(c, ctx)
		if err != nil {
			return p.fail(c, r, err)
		}
		if c.Method() == fiber.MethodPost && !r.csrfValid(c) {
			return p.refuse(c, r, fiber.StatusForbidden, "error.csrf")
		}
		if err := h(c, r); err != nil {
			return p.fail(c, r, err)
		}
		return nil
	}
}

// signedIn is route for pages that need a person: others are sent to the
// login page, which brings them back.
func (p *pages) signedIn(h handler) fiber.Handler {
	return p.route(func(c *fiber.Ctx, r *request) error {
		if r.user == nil {
			if c.Method() != fiber.MethodGet { // a form's target is no page to come back to
				return c.Redirect("/login", fiber.StatusSeeOther)
			}
			return c.Redirect("/login?next="+urlQueryEscape(r.path), fiber.StatusSeeOther)
		}
		return h(c, r)
	})
}

// withRole is signedIn for the pages of one role (authors', the team's):
// to anyone without it they do not exist (the 404 page), as another
// author's draft does not.
func (p *pages) withRole(role string, h handler) fiber.Handler {
	return p.signedIn(func(c *fiber.Ctx, r *request) error {
		if !r.principal.Has(role) {
			return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
		}
		return h(c, r)
	})
}

// route registers a page's route; each area's file adds its own routes
// with them (authorRoutes, teamRoutes, reportRoutes).
type routeFunc func(path string, h fiber.Handler)

func (p *pages) routes(app *fiber.App) {
	// Each page's route is named "web …", which tells them from the API's
	// routes (whose OpenAPI document must list every one of its own).
	var get, post routeFunc = func(path string, h fiber.Handler) { app.Get(path, h).Name("web " + path) },
		func(path string, h fiber.Handler) { app.Post(path, h).Name("web " + path) }
	get("/static/:version/:name", p.static)

	get("/", p.route(p.catalogue))
	get("/courses/:id", p.route(p.course))
	post("/courses/:id/interest", p.signedIn(p.addInterest))
	post("/cohorts/:id/enrol", p.signedIn(p.enrol))
	post("/cohorts/:id/withdraw", p.signedIn(p.withdraw))

	get("/register", p.route(p.registerForm))
	post("/register", p.route(p.register))
	get("/login", p.route(p.loginForm))
	post("/login", p.route(p.login))
	post("/logout", p.route(p.logout))
	get("/verify-email", p.route(p.verifyEmail))
	post("/verify-email/resend", p.signedIn(p.resendVerification))
	get("/forgot-password", p.route(p.forgotForm))
	post("/forgot-password", p.route(p.forgot))
	get("/reset-password", p.route(p.resetForm))
	post("/reset-password", p.route(p.reset))
	get("/me", p.signedIn(p.profile))
	post("/me", p.signedIn(p.saveProfile))
	post("/me/password", p.signedIn(p.changePassword))
	get("/me/data", p.signedIn(p.exportData))
	post("/me/close", p.signedIn(p.closeAccount))
	get("/profile", func(c *fiber.Ctx) error { return c.Redirect("/me", fiber.StatusMovedPermanently) })

	get("/learn", p.signedIn(p.myCourses))
	get("/learn/:enrolment", p.signedIn(p.learnerCourse))
	get("/learn/:enrolment/lessons/:lesson", p.signedIn(p.lesson))
	post("/learn/:enrolment/lessons/:lesson/done", p.signedIn(p.lessonDone))
	post("/learn/:enrolment/lessons/:lesson/progress", p.signedIn(p.lessonProgress))
	get("/learn/:enrolment/lessons/:lesson/playback", p.signedIn(p.playback))
	get("/learn/:enrolment/tests/:test", p.signedIn(p.testIntro))
	post("/learn/:enrolment/tests/:test/attempts", p.signedIn(p.startAttempt))
	get("/attempts/:id", p.signedIn(p.attempt))
	post("/attempts/:id", p.signedIn(p.submitAttempt))
	post("/learn/:enrolment/certificate", p.signedIn(p.issueCertificate))

	get("/certificates", p.signedIn(p.myCertificates))
	get("/certificates/:code", p.signedIn(p.certificate))
	get("/certificates/:code/pdf", p.signedIn(p.certificatePDF))

	get("/programmes/:id", p.route(p.programme))
	post("/programmes/:id/apply", p.signedIn(p.apply))
	post("/programmes/:id/withdraw", p.signedIn(p.withdrawApplication))

	p.authorRoutes(get, post)
	p.teamRoutes(get, post)
	p.reportRoutes(get, post)
	p.trainingRoutes(get, post)
	p.surveyRoutes(get, post)
	p.mentorRoutes(get, post)
	p.credentialRoutes(get, post)
}
