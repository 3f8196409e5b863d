package web

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/internal/validation"
)

// form keeps what a person typed, to show a refused form again (never a
// password).
type form map[string]string

func (f form) Get(name string) string { return f[name] }

// fields copies the named fields out of the request body.
func fields(c *fiber.Ctx, names ...string) form {
	f := form{}
	for _, n := range names {
		f[n] = strings.TrimSpace(c.FormValue(n))
	}
	return f
}

// formPage is an account form with its values and where to go after it.
type formPage struct {
	Form form
	Next string
	Done bool // the form was sent; the page says what happens next
}

var registrationFields = []string{"email", "given_name", "family_name", "municipality", "workplace", "position"}

func (p *pages) registerForm(c *fiber.Ctx, r *request) error {
	if r.user != nil {
		return c.Redirect("/learn", fiber.StatusSeeOther)
	}
	return p.render(c, r, fiber.StatusOK, "register", r.loc.T("register.title"), formPage{Form: form{}}, nil)
}

func (p *pages) register(c *fiber.Ctx, r *request) error {
	f := fields(c, registrationFields...)
	in := accounts.Registration{Email: f["email"], Password: c.FormValue("password"), GivenName: f["given_name"],
		FamilyName: f["family_name"], Municipality: f["municipality"], Workplace: f["workplace"], Position: f["position"]}
	if _, err := p.Accounts.Register(r.ctx, in, c.IP()); err != nil {
		return p.formRefusal(c, r, "register", r.loc.T("register.title"), formPage{Form: f}, err)
	}
	s, err := p.Accounts.Login(r.ctx, in.Email, in.Password, c.IP())
	if err != nil {
		return err
	}
	p.setCookie(c, r, sessionCookie, s.AccessToken, s.ExpiresIn)
	return p.redirect(c, r, "/learn", "flash.registered")
}

// formRefusal shows a form again with why it was refused; errors that are
// not the form's own (the database down) go to the error page.
func (p *pages) formRefusal(c *fiber.Ctx, r *request, name, title string, data any, err error) error {
	status, _ := statusOf(err)
	if status >= 500 {
		return err
	}
	return p.render(c, r, status, name, title, data, err)
}

func (p *pages) loginForm(c *fiber.Ctx, r *request) error {
	next := safeNext(c.Query("next"))
	if r.user != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return p.render(c, r, fiber.StatusOK, "login", r.loc.T("login.title"), formPage{Form: form{}, Next: next}, nil)
}

func (p *pages) login(c *fiber.Ctx, r *request) error {
	f := fields(c, "email")
	next := safeNext(c.FormValue("next"))
	s, err := p.Accounts.Login(r.ctx, f["email"], c.FormValue("password"), c.IP())
	if err != nil {
		return p.formRefusal(c, r, "login", r.loc.T("login.title"), formPage{Form: f, Next: next}, err)
	}
	p.setCookie(c, r, sessionCookie, s.AccessToken, s.ExpiresIn)
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (p *pages) logout(c *fiber.Ctx, r *request) error {
	if r.user != nil {
		if err := p.Accounts.Logout(r.ctx, r.principal); err != nil {
			return err
		}
	}
	p.clearCookie(c, r, sessionCookie)
	return p.redirect(c, r, "/", "flash.logged_out")
}

// verifyEmail is the page the verification e-mail links to: opening it
// verifies the address.
func (p *pages) verifyEmail(c *fiber.Ctx, r *request) error {
	err := p.Accounts.VerifyEmail(r.ctx, c.Query("token"))
	if err != nil && !errors.Is(err, accounts.ErrInvalidLink) {
		return err
	}
	status := fiber.StatusOK
	if err != nil {
		status = fiber.StatusUnprocessableEntity
	}
	return p.render(c, r, status, "verified", r.loc.T("verified.title"), formPage{Done: err == nil}, err)
}

func (p *pages) resendVerification(c *fiber.Ctx, r *request) error {
	if _, err := p.Accounts.ResendVerification(r.ctx, r.principal); err != nil {
		return err
	}
	return p.redirect(c, r, "/me", "flash.verification_sent")
}

func (p *pages) forgotForm(c *fiber.Ctx, r *request) error {
	return p.render(c, r, fiber.StatusOK, "forgot", r.loc.T("forgot.title"), formPage{Form: form{}}, nil)
}

func (p *pages) forgot(c *fiber.Ctx, r *request) error {
	f := fields(c, "email")
	if err := p.Accounts.RequestPasswordReset(r.ctx, f["email"], c.IP()); err != nil {
		return p.formRefusal(c, r, "forgot", r.loc.T("forgot.title"), formPage{Form: f}, err)
	}
	return p.render(c, r, fiber.StatusOK, "forgot", r.loc.T("forgot.title"), formPage{Form: f, Done: true}, nil)
}

func (p *pages) resetForm(c *fiber.Ctx, r *request) error {
	return p.render(c, r, fiber.StatusOK, "reset", r.loc.T("reset.title"), formPage{Form: form{"token": c.Query("token")}}, nil)
}

func (p *pages) reset(c *fiber.Ctx, r *request) error {
	f := form{"token": c.FormValue("token")}
	if err := p.Accounts.ResetPassword(r.ctx, f["token"], c.FormValue("password")); err != nil {
		return p.formRefusal(c, r, "reset", r.loc.T("reset.title"), formPage{Form: f}, err)
	}
	p.clearCookie(c, r, sessionCookie) // every session ended
	return p.redirect(c, r, "/login", "flash.password_reset")
}

// profilePage is /me: the person, and which of its forms was refused.
type profilePage struct {
	User    accounts.User
	Refused string // profile, password or close
}

func (p *pages) profile(c *fiber.Ctx, r *request) error {
	return p.render(c, r, fiber.StatusOK, "profile", r.loc.T("profile.title"), profilePage{User: *r.user}, nil)
}

func (p *pages) saveProfile(c *fiber.Ctx, r *request) error {
	f := fields(c, "given_name", "family_name", "municipality", "workplace", "position")
	announce := c.FormValue("announcements") == "yes"
	ch := accounts.ProfileChange{GivenName: ptr(f["given_name"]), FamilyName: ptr(f["family_name"]), Municipality: ptr(f["municipality"]),
		Workplace: ptr(f["workplace"]), Position: ptr(f["position"]), Announcements: &announce}
	u, err := p.Accounts.UpdateProfile(r.ctx, r.principal, ch)
	if err != nil {
		shown := *r.user
		shown.GivenName, shown.FamilyName, shown.Municipality, shown.Workplace, shown.Position = f["given_name"], f["family_name"], f["municipality"], f["workplace"], f["position"]
		return p.formRefusal(c, r, "profile", r.loc.T("profile.title"), profilePage{User: shown, Refused: "profile"}, err)
	}
	r.user = &u
	return p.redirect(c, r, "/me", "flash.profile_saved")
}

func (p *pages) changePassword(c *fiber.Ctx, r *request) error {
	in := accounts.PasswordChange{CurrentPassword: c.FormValue("current_password"), Password: c.FormValue("password")}
	if err := p.Accounts.ChangePassword(r.ctx, r.principal, in); err != nil {
		return p.formRefusal(c, r, "profile", r.loc.T("profile.title"), profilePage{User: *r.user, Refused: "password"}, err)
	}
	return p.redirect(c, r, "/me", "flash.password_changed")
}

// exportData downloads everything the platform holds about the person.
func (p *pages) exportData(c *fiber.Ctx, r *request) error {
	data, err := p.Privacy.Export(r.ctx, r.principal)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mooc-data.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

func (p *pages) closeAccount(c *fiber.Ctx, r *request) error {
	if c.FormValue("confirm") != "yes" {
		return p.render(c, r, fiber.StatusUnprocessableEntity, "profile", r.loc.T("profile.title"), profilePage{User: *r.user, Refused: "close"},
			validation.Fail(validation.Field("confirm", "must be ticked")))
	}
	if err := p.Privacy.CloseOwn(r.ctx, r.principal, c.FormValue("close_password")); err != nil {
		return p.formRefusal(c, r, "profile", r.loc.T("profile.title"), profilePage{User: *r.user, Refused: "close"}, err)
	}
	p.clearCookie(c, r, sessionCookie)
	return p.redirect(c, r, "/", "flash.account_closed")
}

func ptr(s string) *string { return &s }
