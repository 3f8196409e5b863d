package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"maps"
	"mime"
	"path"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/api"
	"mooc/internal/validation"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/*
var staticFiles embed.FS

// views are the parsed pages, each the layout with its own content.
type views struct {
	pages   map[string]*template.Template
	version string // a digest of the static files, in their paths
	static  map[string][]byte
}

func loadViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}, static: map[string][]byte{}}
	sum := sha256.New()
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, err
		}
		v.static[e.Name()] = b
		sum.Write([]byte(e.Name()))
		sum.Write(b)
	}
	v.version = hex.EncodeToString(sum.Sum(nil))[:12]
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		v.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return v, nil
}

// view is what every page's template gets; Data is the page's own struct.
type view struct {
	L      *locale
	User   *accounts.User
	CSRF   string
	Title  string
	Path   string // for the language switch
	Static string // the prefix of the static files
	Flash  string // a message key
	// Problem is a refusal worded for the reader; Fields are the form's
	// fields in error (the key of Fields is the field's name).
	Problem string
	Fields  map[string]string
	Summary []summaryLine
	Data    any
}

// summaryLine is one field of the error summary: its label and message,
// linking to the control.
type summaryLine struct{ ID, Text string }

// IsAuthor and IsTeam tell the layout which areas to link to.
func (v view) IsAuthor() bool {
	return v.User != nil && slices.ContainsFunc(v.User.Roles, isAuthorRole)
}
func (v view) IsTeam() bool { return v.User != nil && slices.Contains(v.User.Roles, accounts.RoleTeam) }

func isAuthorRole(r string) bool { return r == accounts.RoleAuthor || r == accounts.RoleTeam }

// FieldError is the message of one field, for the templates.
func (v view) FieldError(name string) string { return v.Fields[name] }

// SwitchPath is the current page in the other language.
func (v view) SwitchPath() string {
	p, q, _ := strings.Cut(v.Path, "?")
	var keep []string
	for _, kv := range strings.Split(q, "&") {
		if kv != "" && !strings.HasPrefix(kv, "lang=") {
			keep = append(keep, kv)
		}
	}
	keep = append(keep, "lang="+v.L.Other())
	return p + "?" + strings.Join(keep, "&")
}

// render writes a page with status.
func (p *pages) render(c *fiber.Ctx, r *request, status int, name, title string, data any, problem error) error {
	b, err := p.execute(r, r.csrf, name, title, data, problem)
	if err != nil {
		return err
	}
	return p.send(c, status, b)
}

// renderShared writes a page that is the same for every visitor who is not
// signed in (microcache.go), kept for a second by language and path; for
// someone signed in, or with a message to show, it is render.
func (p *pages) renderShared(c *fiber.Ctx, r *request, name string, page func() (title string, data any, err error)) error {
	if r.user != nil || r.flash != "" {
		title, data, err := page()
		if err != nil {
			return err
		}
		return p.render(c, r, fiber.StatusOK, name, title, data, nil)
	}
	key, now := r.loc.Lang+" "+r.path, p.Now()
	if kept, ok := p.anon.get(key, now); ok {
		return p.send(c, kept.status, withToken(kept.body, r.csrf))
	}
	title, data, err := page()
	if err != nil {
		return err
	}
	b, err := p.execute(r, csrfSlot, name, title, data, nil)
	if err != nil {
		return err
	}
	p.anon.put(key, anonPage{body: b, status: fiber.StatusOK, expires: now.Add(anonTTL)}, now)
	return p.send(c, fiber.StatusOK, withToken(b, r.csrf))
}

func (p *pages) send(c *fiber.Ctx, status int, body []byte) error {
	p.pageHeaders(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}

// execute renders a page with the given CSRF token.
func (p *pages) execute(r *request, csrf, name, title string, data any, problem error) ([]byte, error) {
	t, ok := p.views.pages[name]
	if !ok {
		return nil, errors.New("web: no page " + name)
	}
	v := view{L: r.loc, User: r.user, CSRF: csrf, Title: title, Path: r.path,
		Static: "/static/" + p.views.version, Flash: r.flash, Data: data}
	if problem != nil {
		v.Problem, v.Fields = p.explain(r, problem)
		for _, name := range slices.Sorted(maps.Keys(v.Fields)) {
			label := name
			if p.messages.has("field." + name) {
				label = r.loc.T("field." + name)
			}
			v.Summary = append(v.Summary, summaryLine{ID: "f-" + name, Text: label + ": " + v.Fields[name]})
		}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pageHeaders are every page's: its CSP (replacing the API's, which allows
// the docs page's inline blocks; media and the authors' uploads of parts
// go to the object store's origin too), no caching of personal pages, and
// the language the page is in.
func (p *pages) pageHeaders(c *fiber.Ctx) {
	media := "'self'"
	for _, o := range p.MediaOrigins {
		media += " " + o
	}
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"media-src "+media+"; connect-src "+media+"; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, "Cookie, Accept-Language")
}

// explain words an error for the reader: the contract's code picks the
// message, and a validation error names each field.
func (p *pages) explain(r *request, err error) (string, map[string]string) {
	_, code := api.Classify(err)
	msg := r.loc.T("problem.generic")
	if p.messages.has("problem." + code) {
		msg = r.loc.T("problem." + code)
	}
	var verr *validation.Error
	if !errors.As(err, &verr) {
		return msg, nil
	}
	fields := map[string]string{}
	for _, f := range verr.Fields {
		fields[f.Field] = p.fieldMessage(r, f)
	}
	return msg, fields
}

// fieldMessage is a field's message in the reader's language: the domain's
// messages are English, so known ones have a translation and others are
// shown as they are.
func (p *pages) fieldMessage(r *request, f validation.FieldError) string {
	key := "field." + f.Message
	if p.messages.has(key) {
		return r.loc.T(key)
	}
	return f.Message
}

// fail renders an error page for err: the contract's status with the
// message, or a bare 500 that is logged.
func (p *pages) fail(c *fiber.Ctx, r *request, err error) error {
	status, code := api.Classify(err)
	if r == nil {
		r = &request{loc: p.messages.locale("lv"), path: "/"}
	}
	if status == 500 {
		p.Log.Error("page failed", "method", c.Method(), "path", c.Path(), "error", err)
	}
	if code == "unauthorized" {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return p.render(c, r, status, "error", r.loc.T("error.title"), nil, err)
}

// refuse renders an error page with a message key of the pages' own.
func (p *pages) refuse(c *fiber.Ctx, r *request, status int, key string) error {
	return p.render(c, r, status, "error", r.loc.T("error.title"), map[string]string{"Message": key}, nil)
}

// static serves the embedded styles and scripts; their path names their
// version, so they are cached for a year.
func (p *pages) static(c *fiber.Ctx) error {
	b, ok := p.views.static[c.Params("name")]
	if !ok || c.Params("version") != p.views.version {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(c.Params("name"))))
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(b)
}

// statusOf is the contract's status and code for err.
func statusOf(err error) (int, string) { return api.Classify(err) }

// funcs are the few helpers the templates need beyond the view's methods.
var funcs = template.FuncMap{
	// pair hands a sub-template the page and one value.
	"pair": func(a, b any) struct{ A, B any } { return struct{ A, B any }{a, b} },
	"add":  func(a, b int) int { return a + b },
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"hasPrefix":  strings.HasPrefix,
	"paragraphs": paragraphs,
	// input describes one labelled form control for the "input" template.
	"input": func(v view, name, typ, labelKey, autocomplete, value string, required bool) inputView {
		return inputView{ID: "f-" + name, Name: name, Type: typ, Label: v.L.T(labelKey), Autocomplete: autocomplete,
			Value: value, Required: required, Error: v.Fields[name], L: v.L}
	},
}

// inputView is one labelled form control with its error.
type inputView struct {
	ID, Name, Type, Label, Autocomplete, Value, Error string
	Required                                          bool
	L                                                 *locale
}

// paragraphs writes a lesson's text, paragraphs separated by blank lines,
// as escaped <p> elements: authors write plain text, never HTML.
func paragraphs(text string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + strings.ReplaceAll(template.HTMLEscapeString(para), "\n", "<br>") + "</p>\n")
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every part was escaped above
}

// notFound is the page of a path no route takes.
func (p *pages) notFound(c *fiber.Ctx, r *request) error {
	return p.refuse(c, r, fiber.StatusNotFound, "error.not_found")
}
