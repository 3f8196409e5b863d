package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"mooc/api"
)

// Every reply the suite receives through server.do and server.try is held
// against the document the server serves at /openapi.json: the status must
// be one the operation lists, and the content type and body must match
// what the document says of that status. The request is checked too: one
// the document refuses must not succeed. A mismatch fails the test that
// made the request.

// contract is a served document, loaded and made ready for checking.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	contractsMu sync.Mutex
	// contracts by the SHA-256 of the document: the disk and the S3
	// backends serve two (the disk one has the signed-link routes).
	contracts = map[[32]byte]*contract{}
	// checkedReplies counts the replies held against a document.
	checkedReplies atomic.Int64
)

// contract fetches the server's document once and returns it, loaded.
func (s *server) contract() (*contract, error) {
	s.contractOnce.Do(func() {
		resp, err := s.app.Test(httptest.NewRequest("GET", "/openapi.json", nil), -1)
		if err != nil {
			s.contractErr = err
			return
		}
		defer func() { _ = resp.Body.Close() }()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			s.contractErr = err
			return
		}
		s.contractDoc, s.contractErr = loadContract(raw)
	})
	return s.contractDoc, s.contractErr
}

func loadContract(raw []byte) (*contract, error) {
	key := sha256.Sum256(raw)
	contractsMu.Lock()
	defer contractsMu.Unlock()
	if c, ok := contracts[key]; ok {
		return c, nil
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("loading /openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("/openapi.json is not a valid OpenAPI document: %w", err)
	}
	closeReplies(doc)
	router, err := gorillamux.NewRouter(routingCopy(doc))
	if err != nil {
		return nil, fmt.Errorf("routing /openapi.json: %w", err)
	}
	c := &contract{doc: doc, router: router}
	contracts[key] = c
	return c, nil
}

// routingCopy is doc with the paths whose last parameter takes the rest of
// the path (x-rest-of-path) spelt as gorilla/mux matches them, {path:.+}:
// path templating alone stops at a slash.
func routingCopy(doc *openapi3.T) *openapi3.T {
	copied := *doc
	copied.Paths = openapi3.NewPaths()
	for path, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			for _, p := range o.Parameters {
				if p.Value != nil && p.Value.In == "path" && p.Value.Extensions["x-rest-of-path"] == true {
					path = strings.Replace(path, "{"+p.Value.Name+"}", "{"+p.Value.Name+":.+}", 1)
				}
			}
		}
		copied.Paths.Set(path, item)
	}
	return &copied
}

// closeReplies forbids, in every reply schema, properties the document does
// not name: the document leaves replies open, as a client should expect new
// fields, but the suite holds the server to the fields it documents.
func closeReplies(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			for _, r := range o.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					if mt.Schema != nil {
						closeSchema(mt.Schema.Value, seen)
					}
				}
			}
		}
	}
}

func closeSchema(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if len(s.AllOf) > 0 {
		// The members of an allOf each see the whole value: closing one
		// would refuse the properties another adds. Their properties'
		// own schemas are closed all the same.
		for _, m := range s.AllOf {
			if m.Value != nil {
				seen[m.Value] = true
				for _, p := range m.Value.Properties {
					closeSchema(p.Value, seen)
				}
			}
		}
		return
	}
	if s.Properties != nil && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeSchema(p.Value, seen)
	}
	if s.Items != nil {
		closeSchema(s.Items.Value, seen)
	}
	if s.AdditionalProperties.Schema != nil {
		closeSchema(s.AdditionalProperties.Schema.Value, seen)
	}
	for _, m := range append(s.AnyOf, s.OneOf...) {
		closeSchema(m.Value, seen)
	}
}

// validation settings: formats kin-openapi leaves unchecked unless told.
var formats = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
	openapi3.WithStringFormatValidator("email", openapi3.NewCallbackValidator(func(v string) error {
		// The server reads an address with its surrounding spaces
		// trimmed, as the document says.
		return email.Validate(strings.TrimSpace(v))
	})),
}

var email = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)

// bearer checks that a request carries what its security scheme asks
// for; whether the token is good is the server's business.
func bearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	if in.SecuritySchemeName == "pageSession" {
		session, err := req.Cookie(api.SessionCookie)
		csrf, err2 := req.Cookie(api.CSRFCookie)
		if err != nil || err2 != nil || session.Value == "" || req.Header.Get(api.CSRFHeader) != csrf.Value {
			return errors.New("no page session with its CSRF header")
		}
		return nil
	}
	scheme, token, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// conform holds one exchange against the server's document and reports
// what does not match on s.t.
func (s *server) conform(method, target string, header http.Header, body []byte, rep reply) {
	if s.t == nil {
		return
	}
	c, err := s.contract()
	if err != nil {
		s.t.Errorf("%s %s: %v", method, target, err)
		return
	}
	checkedReplies.Add(1)
	for _, problem := range c.check(method, target, header, body, rep) {
		s.t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %s", method, target, rep.status, problem)
	}
}

// check lists the ways in which one exchange departs from the document.
func (c *contract) check(method, target string, header http.Header, body []byte, rep reply) []string {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header = header.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		// No operation: an unknown path or method. The reply must still
		// be a problem of the shared schema (a CORS preflight or HEAD
		// aside, which carry none).
		if rep.status < 400 {
			return nil
		}
		// A GET outside the API that no route takes is a person's wrong
		// address: the pages' HTML 404, not the API's business.
		if rep.status == http.StatusNotFound && method == http.MethodGet && !strings.HasPrefix(req.URL.Path, "/api/") &&
			strings.HasPrefix(rep.header.Get("Content-Type"), "text/html") {
			return nil
		}
		return c.checkProblem(method, rep)
	}
	var problems []string
	input := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearer, MultiError: true, SkipSettingDefaults: true,
			SchemaValidationOptions: formats},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil && rep.status < 400 {
		problems = append(problems, "the document refuses the request ("+short(err)+"), yet it succeeded")
	}
	key := strconv.Itoa(rep.status)
	documented := route.Operation.Responses.Value(key)
	if documented == nil && rep.status != http.StatusInternalServerError {
		// default is for what no operation can foresee (500); every
		// other status must be listed.
		return append(problems, fmt.Sprintf("status %d is not among the operation's responses (%s)", rep.status,
			strings.Join(slices.Sorted(func(yield func(string) bool) {
				for k := range route.Operation.Responses.Map() {
					if !yield(k) {
						return
					}
				}
			}), ", ")))
	}
	if documented != nil && documented.Value != nil && len(documented.Value.Content) == 0 && len(rep.body) > 0 && method != http.MethodHead {
		problems = append(problems, fmt.Sprintf("the document gives status %d no content, yet %d bytes came (%s)", rep.status, len(rep.body), rep.header.Get("Content-Type")))
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: rep.status, Header: rep.header,
		Body: io.NopCloser(bytes.NewReader(rep.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: formats},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		problems = append(problems, short(err))
	}
	return problems
}

// checkProblem holds a reply of no documented operation to the shared
// Problem schema.
func (c *contract) checkProblem(method string, rep reply) []string {
	if ct := rep.header.Get("Content-Type"); ct != "application/problem+json" {
		return []string{fmt.Sprintf("no operation answers this, and the reply is %q rather than application/problem+json", ct)}
	}
	if method == http.MethodHead {
		return nil // the body is left out
	}
	var value any
	if err := json.Unmarshal(rep.body, &value); err != nil {
		return []string{"the problem is not JSON: " + err.Error()}
	}
	if err := c.doc.Components.Schemas["Problem"].Value.VisitJSON(value, append(formats, openapi3.EnableJSONSchema2020())...); err != nil {
		return []string{"the problem does not match components/schemas/Problem: " + short(err)}
	}
	return nil
}

// short keeps the first lines of a validation error: kin-openapi appends the
// whole schema and value, which would bury the point.
func short(err error) string {
	lines := strings.Split(err.Error(), "\n")
	var kept []string
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Schema:") || strings.HasPrefix(strings.TrimSpace(l), "Value:") {
			break
		}
		if strings.TrimSpace(l) != "" {
			kept = append(kept, strings.TrimSpace(l))
		}
		if len(kept) == 6 {
			break
		}
	}
	return strings.Join(kept, " | ")
}
