package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/api"
	"mooc/audit"
)

// The cookies of the pages.
const (
	sessionCookie = api.SessionCookie // an access token of a revocable session
	csrfCookie    = api.CSRFCookie    // the double-submit CSRF token
	langCookie    = "mooc_lang"       // the chosen language, lv or en
	flashCookie   = "mooc_flash"      // a message key to show once after a redirect
)

// request is one page request's own state, copied out of Fiber's buffers.
type request struct {
	ctx       context.Context
	loc       *locale
	principal accounts.Principal
	user      *accounts.User
	csrf      string
	flash     string // a message key
	path      string // the path and query, for the language switch and next=
	secure    bool
}

// begin reads the language, the session and the CSRF token of a request.
func (p *pages) begin(c *fiber.Ctx, ctx context.Context) (*request, error) {
	r := &request{ctx: ctx, secure: c.Protocol() == "https", path: string(c.Request().URI().RequestURI())}
	r.loc = p.messages.locale(p.language(c, r))
	r.csrf = c.Cookies(csrfCookie)
	if len(r.csrf) < 32 {
		r.csrf = newToken()
		p.setCookie(c, r, csrfCookie, r.csrf, 0)
	}
	if f := c.Cookies(flashCookie); f != "" {
		if p.messages.has(f) {
			r.flash = f
		}
		p.clearCookie(c, r, flashCookie)
	}
	token := c.Cookies(sessionCookie)
	if token == "" {
		return r, nil
	}
	pr, err := p.Accounts.Authenticate(ctx, token)
	if errors.Is(err, accounts.ErrInvalidToken) {
		p.clearCookie(c, r, sessionCookie) // ended or expired: carry on signed out
		return r, nil
	}
	if err != nil {
		return r, err
	}
	u, err := p.Accounts.Get(ctx, pr.UserID)
	if errors.Is(err, accounts.ErrNotFound) {
		p.clearCookie(c, r, sessionCookie)
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.principal, r.user = pr, &u
	// The domains log the team's actions with the actor they find here.
	r.ctx = audit.WithActor(r.ctx, u.ID)
	return r, nil
}

// language is ?lang= when given (and then remembered), else the cookie,
// else the best match of Accept-Language, else Latvian.
func (p *pages) language(c *fiber.Ctx, r *request) string {
	if q := c.Query("lang"); q == "lv" || q == "en" {
		p.setCookie(c, r, langCookie, q, 365*24*time.Hour)
		return q
	}
	if l := c.Cookies(langCookie); l == "lv" || l == "en" {
		return l
	}
	return matchLanguage(c.Get(fiber.HeaderAcceptLanguage))
}

// csrfValid compares the form's (or a script's header's) token with the
// cookie's in constant time.
func (r *request) csrfValid(c *fiber.Ctx) bool {
	sent := c.FormValue("csrf")
	if sent == "" {
		sent = c.Get(api.CSRFHeader)
	}
	cookie := c.Cookies(csrfCookie)
	return len(cookie) >= 32 && subtle.ConstantTimeCompare([]byte(sent), []byte(cookie)) == 1
}

func (p *pages) setCookie(c *fiber.Ctx, r *request, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: r.secure}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

func (p *pages) clearCookie(c *fiber.Ctx, r *request, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: r.secure, Expires: time.Unix(0, 0), MaxAge: -1})
}

// redirect answers a form with 303 to target, with a message to show there.
func (p *pages) redirect(c *fiber.Ctx, r *request, target, flash string) error {
	if flash != "" {
		p.setCookie(c, r, flashCookie, flash, time.Minute)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// safeNext keeps a next= target on this site: a path, never another host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/learn"
	}
	return next
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
