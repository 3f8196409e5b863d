package web

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/privacy"
	"mooc/programmes"
)

// Deps is what the pages need: the domain services and a few settings.
type Deps struct {
	Log          *slog.Logger
	Accounts     *accounts.Service
	Catalogue    *catalogue.Service
	Cohorts      *cohorts.Service
	Assessment   *assessment.Service
	Certificates *certificates.Service
	Programmes   *programmes.Service
	Privacy      *privacy.Service
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
// leaves alone: the pages live outside /api/v1. Requests no route takes
// get an HTML 404 page, except under /api/, whose 404 stays problem+json.
func (w *Pages) Register(app *fiber.App) {
	w.p.routes(app)
	page := w.p.route(w.p.notFound)
	app.Use(func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api/") || c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return fiber.ErrNotFound
		}
		return page(c)
	})
}

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
			return c.Redirect("/login?next="+urlQueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
		}
		return h(c, r)
	})
}

func (p *pages) routes(app *fiber.App) {
	app.Get("/static/:version/:name", p.static)

	app.Get("/", p.route(p.catalogue))
	app.Get("/courses/:id", p.route(p.course))
	app.Post("/courses/:id/interest", p.signedIn(p.addInterest))
	app.Post("/cohorts/:id/enrol", p.signedIn(p.enrol))
	app.Post("/cohorts/:id/withdraw", p.signedIn(p.withdraw))

	app.Get("/register", p.route(p.registerForm))
	app.Post("/register", p.route(p.register))
	app.Get("/login", p.route(p.loginForm))
	app.Post("/login", p.route(p.login))
	app.Post("/logout", p.route(p.logout))
	app.Get("/verify-email", p.route(p.verifyEmail))
	app.Post("/verify-email/resend", p.signedIn(p.resendVerification))
	app.Get("/forgot-password", p.route(p.forgotForm))
	app.Post("/forgot-password", p.route(p.forgot))
	app.Get("/reset-password", p.route(p.resetForm))
	app.Post("/reset-password", p.route(p.reset))
	app.Get("/me", p.signedIn(p.profile))
	app.Post("/me", p.signedIn(p.saveProfile))
	app.Post("/me/password", p.signedIn(p.changePassword))
	app.Get("/me/data", p.signedIn(p.exportData))
	app.Post("/me/close", p.signedIn(p.closeAccount))
	app.Get("/profile", func(c *fiber.Ctx) error { return c.Redirect("/me", fiber.StatusMovedPermanently) })

	app.Get("/learn", p.signedIn(p.myCourses))
	app.Get("/learn/:enrolment", p.signedIn(p.learnerCourse))
	app.Get("/learn/:enrolment/lessons/:lesson", p.signedIn(p.lesson))
	app.Post("/learn/:enrolment/lessons/:lesson/done", p.signedIn(p.lessonDone))
	app.Post("/learn/:enrolment/lessons/:lesson/progress", p.signedIn(p.lessonProgress))
	app.Get("/learn/:enrolment/lessons/:lesson/playback", p.signedIn(p.playback))
	app.Get("/learn/:enrolment/tests/:test", p.signedIn(p.testIntro))
	app.Post("/learn/:enrolment/tests/:test/attempts", p.signedIn(p.startAttempt))
	app.Get("/attempts/:id", p.signedIn(p.attempt))
	app.Post("/attempts/:id", p.signedIn(p.submitAttempt))
	app.Post("/learn/:enrolment/certificate", p.signedIn(p.issueCertificate))

	app.Get("/certificates", p.signedIn(p.myCertificates))
	app.Get("/certificates/:code", p.signedIn(p.certificate))
	app.Get("/certificates/:code/pdf", p.signedIn(p.certificatePDF))

	app.Get("/programmes/:id", p.route(p.programme))
	app.Post("/programmes/:id/apply", p.signedIn(p.apply))
	app.Post("/programmes/:id/withdraw", p.signedIn(p.withdrawApplication))
}
