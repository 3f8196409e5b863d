package api_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"mooc/internal/database"
)

// document is the served /openapi.json as plain JSON, with a way to follow
// its references.
type document map[string]any

func servedDocument(t *testing.T, o options) document {
	t.Helper()
	s := newServer(t, database.SQLite, o)
	var doc document
	s.do(request{method: "GET", path: "/openapi.json"}).expect(t, 200).json(t, &doc)
	return doc
}

// at walks keys from v; a reference on the way is followed.
func (d document) at(v any, keys ...string) any {
	for _, k := range keys {
		v = d.deref(v)
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return d.deref(v)
}

func (d document) deref(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return v
	}
	var at any = map[string]any(d)
	for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		at = at.(map[string]any)[k]
	}
	return at
}

func (d document) operation(method, path string) map[string]any {
	op, _ := d.at(d["paths"], path, strings.ToLower(method)).(map[string]any)
	return op
}

// operations calls fn for every operation.
func (d document) operations(fn func(method, path string, op map[string]any)) {
	paths := d["paths"].(map[string]any)
	for _, path := range slices.Sorted(mapKeys(paths)) {
		for method, op := range paths[path].(map[string]any) {
			fn(strings.ToUpper(method), path, op.(map[string]any))
		}
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// codes are the problem codes a response lists, nil when it is no problem.
func (d document) codes(response any) []string {
	schema := d.at(response, "content", "application/problem+json", "schema")
	all, _ := d.at(schema, "allOf").([]any)
	var out []string
	for _, member := range all {
		for _, c := range asSlice(d.at(member, "properties", "code", "enum")) {
			out = append(out, c.(string))
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func strs(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Every operation lists the problems it can answer with, each status
// narrowed to its codes, as its access, path, body and query imply.
func TestOpenAPIErrorResponses(t *testing.T) {
	d := servedDocument(t, options{})
	throttled := []string{"POST /api/v1/auth/register", "POST /api/v1/auth/login", "POST /api/v1/auth/password-reset",
		"POST /api/v1/auth/verify-email/resend", "PUT /api/v1/me/password", "DELETE /api/v1/me"}
	d.operations(func(method, path string, op map[string]any) {
		route := method + " " + path
		responses := op["responses"].(map[string]any)
		want := func(status int, code string) {
			t.Helper()
			r := responses[strconv.Itoa(status)]
			if r == nil {
				t.Errorf("%s lists no %d", route, status)
				return
			}
			if !slices.Contains(d.codes(r), code) {
				t.Errorf("%s: %d lists codes %v, not %s", route, status, d.codes(r), code)
			}
		}
		for key, r := range responses {
			status, err := strconv.Atoi(key)
			if err != nil || status < 400 || d.at(r, "content", "application/problem+json") == nil {
				continue
			}
			schema := d.at(r, "content", "application/problem+json", "schema")
			all := asSlice(d.at(schema, "allOf"))
			if len(all) != 2 || all[0].(map[string]any)["$ref"] != "#/components/schemas/Problem" ||
				d.at(all[1], "properties", "status", "const") != float64(status) || len(d.codes(r)) == 0 {
				t.Errorf("%s: %d is not the shared Problem narrowed to its status and codes: %v", route, status, schema)
			}
			if !strings.Contains(d.at(r, "description").(string), "`"+d.codes(r)[0]+"`") {
				t.Errorf("%s: %d does not say what its codes mean", route, status)
			}
		}
		want(400, "bad_request")
		want(401, "unauthorized")
		want(503, "unavailable")
		if d.at(responses, "default", "content", "application/problem+json", "schema", "required") == nil {
			t.Errorf("%s: default is not a problem", route)
		}
		if roles := op["x-roles"]; roles == "team" || roles == "author or team" {
			want(403, "forbidden")
		}
		if strings.Contains(path, "{") && path != "/verify/{code}" {
			want(404, "not_found")
		}
		if content, _ := d.at(op, "requestBody", "content").(map[string]any); content["application/json"] != nil {
			want(400, "malformed_json")
			want(413, "too_large")
			want(415, "unsupported_media_type")
			want(422, "validation_failed")
		}
		if slices.Contains(throttled, route) {
			want(429, "rate_limited")
			if d.at(responses, "429", "headers", "Retry-After", "required") != true {
				t.Errorf("%s: 429 without Retry-After", route)
			}
		}
		for _, q := range asSlice(op["parameters"]) {
			switch d.at(q, "name") {
			case "limit":
				want(400, "invalid_limit")
			case "cursor":
				want(400, "invalid_cursor")
			}
		}
	})
	for route, codes := range map[string]map[int]string{
		"POST /api/v1/auth/register":                               {409: "email_taken"},
		"POST /api/v1/auth/login":                                  {401: "invalid_credentials"},
		"POST /api/v1/auth/verify-email":                           {422: "invalid_token"},
		"PUT /api/v1/users/{id}/roles":                             {422: "last_team_member"},
		"POST /api/v1/media":                                       {413: "too_large", 415: "unsupported_media_type", 400: "malformed_body", 422: "validation_failed"},
		"POST /api/v1/media/{id}/complete":                         {409: "upload_not_open", 422: "invalid_parts", 404: "upload_not_found"},
		"PATCH /api/v1/lessons/{id}":                               {422: "course_published", 403: "forbidden"},
		"POST /api/v1/courses/{id}/publish":                        {422: "course_incomplete"},
		"POST /api/v1/courses/{id}/cohorts":                        {422: "course_not_published"},
		"PATCH /api/v1/cohorts/{id}":                               {422: "capacity_below_enrolled"},
		"POST /api/v1/cohorts/{id}/enrolments":                     {409: "already_enrolled", 422: "enrolment_closed", 403: "forbidden"},
		"GET /api/v1/enrolments/{id}/lessons/{lesson_id}":          {403: "week_locked"},
		"PUT /api/v1/enrolments/{id}/lessons/{lesson_id}/progress": {422: "lesson_not_watched", 403: "enrolment_inactive"},
		"POST /api/v1/enrolments/{id}/tests/{test_id}/attempts":    {409: "attempt_in_progress", 422: "max_attempts_reached"},
		"POST /api/v1/attempts/{id}/submit":                        {409: "attempt_submitted", 422: "attempt_expired"},
		"POST /api/v1/enrolments/{id}/certificate":                 {422: "not_eligible"},
		"POST /api/v1/programmes/{id}/applications":                {409: "already_applied", 422: "applications_closed"},
		"POST /api/v1/programmes/{id}/allocation":                  {422: "applications_open"},
		"PUT /api/v1/programmes/{id}/attendance/{user_id}":         {422: "programme_not_started"},
		"GET /api/v1/reports/completions":                          {422: "validation_failed"},
		"GET /objects/{path}":                                      {403: "link_expired", 416: "range_not_satisfiable"},
		"GET /metrics":                                             {404: "not_found"},
	} {
		method, path, _ := strings.Cut(route, " ")
		op := d.operation(method, path)
		if op == nil {
			t.Errorf("%s is not documented", route)
			continue
		}
		for status, code := range codes {
			if got := d.codes(d.at(op, "responses", strconv.Itoa(status))); !slices.Contains(got, code) {
				t.Errorf("%s: %d lists %v, not %s", route, status, got, code)
			}
		}
	}
}

// Every code the API can answer with, whether in the error table or raised
// in a handler, is in the document with its status: read from the source.
func TestOpenAPIKnowsEveryCode(t *testing.T) {
	d := servedDocument(t, options{})
	documented := map[string]bool{}
	d.operations(func(_, _ string, op map[string]any) {
		for key, r := range op["responses"].(map[string]any) {
			for _, code := range d.codes(r) {
				documented[key+" "+code] = true
			}
		}
	})
	fallback := d.at(d["paths"], "/healthz", "get", "responses", "default", "description").(string)

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	raised := map[string]string{} // "status code" → where
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "openapi") {
			continue // the document's own list is what is being checked
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var args []ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "badRequest" || id.Name == "newProblem") {
					args = n.Args
				}
			case *ast.CompositeLit:
				// A row of the error table: {err, status, code, detail}.
				if len(n.Elts) == 4 {
					args = n.Elts[1:]
				}
			}
			if len(args) < 2 {
				return true
			}
			status, ok1 := literal(args[0])
			code, ok2 := literal(args[1])
			if ok1 && ok2 {
				if _, err := strconv.Atoi(status); err == nil {
					raised[status+" "+strings.Trim(code, `"`)] = fset.Position(n.Pos()).String()
				}
			}
			return true
		})
	}
	if len(raised) < 40 {
		t.Fatalf("found only %d codes in the source: %v", len(raised), raised)
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range raised {
			if !yield(k) {
				return
			}
		}
	}) {
		status, code, _ := strings.Cut(key, " ")
		switch status {
		case "405", "408", "431", "500":
			// No operation foresees these: default names them.
			if !strings.Contains(fallback, status+" "+code) {
				t.Errorf("%s %s (%s) is not named by default", status, code, raised[key])
			}
			continue
		}
		if !documented[key] {
			t.Errorf("%s (%s) is in no operation's responses", key, raised[key])
		}
	}
}

// literal is the text of an int or string literal (a fiber.Status… name
// counts as its number).
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Value, true
	case *ast.SelectorExpr:
		if n, ok := fiberStatuses[e.Sel.Name]; ok {
			return strconv.Itoa(n), true
		}
	}
	return "", false
}

var fiberStatuses = map[string]int{"StatusRequestedRangeNotSatisfiable": 416}

// Closed sets are enums, ids UUIDs and times RFC 3339; what may be null
// says so; what a request must hold is required and nothing else is.
func TestOpenAPISchemas(t *testing.T) {
	d := servedDocument(t, options{})
	schema := func(name string) map[string]any {
		s, _ := d.at(d["components"], "schemas", name).(map[string]any)
		if s == nil {
			t.Fatalf("no components/schemas/%s", name)
		}
		return s
	}
	prop := func(name, field string) map[string]any {
		p, _ := d.at(schema(name), "properties", field).(map[string]any)
		if p == nil {
			t.Fatalf("%s has no %s", name, field)
		}
		return p
	}
	enum := func(name, field string, want ...string) {
		t.Helper()
		p := prop(name, field)
		got := strs(p["enum"])
		if p["type"] == "array" || slices.Contains(strs(p["type"]), "array") {
			got = strs(d.at(p, "items", "enum"))
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: enum %v, want %v", name, field, got, want)
		}
	}
	enum("Lesson", "kind", "video", "reading", "interview", "case_story", "client_conversation")
	enum("NewLessonRequest", "kind", "video", "reading", "interview", "case_story", "client_conversation")
	enum("Methodology", "direction", "theory", "target_group", "crisis")
	enum("NewMethodologyRequest", "direction", "theory", "target_group", "crisis")
	enum("Enrolment", "status", "enrolled", "waitlisted", "withdrawn")
	enum("Application", "status", "applied", "accepted", "waitlisted", "withdrawn")
	enum("Course", "status", "archived", "draft", "published")
	enum("User", "roles", "learner", "author", "team", "mentor")
	enum("RolesRequest", "roles", "learner", "author", "team", "mentor")
	enum("Programme", "region", "Rīga", "Vidzeme", "Kurzeme", "Zemgale", "Latgale")
	enum("Question", "kind", "single_choice", "multiple_choice", "true_false")
	enum("Job", "status", "queued", "running", "done")

	format := func(name, field, want string) {
		t.Helper()
		if got := prop(name, field)["format"]; got != want {
			t.Errorf("%s.%s: format %v, want %s", name, field, got, want)
		}
	}
	format("Course", "id", "uuid")
	format("Course", "methodology_id", "uuid")
	format("Enrolment", "user_id", "uuid")
	format("Course", "created_at", "date-time")
	format("Cohort", "starts_at", "date-time")
	format("NewCohortRequest", "starts_at", "date-time")
	format("RegistrationRequest", "email", "email")
	if d.at(prop("OrderRequest", "lesson_ids"), "items", "format") != "uuid" {
		t.Error("lesson_ids are not UUIDs")
	}
	from, _ := d.at(d.operation("GET", "/api/v1/reports/completions"), "parameters").([]any)
	if len(from) == 0 || !strings.Contains(mustJSON(t, from[0]), `"format":"date"`) || !strings.Contains(mustJSON(t, from[0]), `"format":"date-time"`) {
		t.Errorf("from is not a date or a time: %s", mustJSON(t, from))
	}

	nullable := func(name, field string, want bool) {
		t.Helper()
		got := slices.Contains(strs(prop(name, field)["type"]), "null")
		if got != want {
			t.Errorf("%s.%s: nullable %v, want %v", name, field, got, want)
		}
	}
	nullable("FieldsRequest", "title", true) // a PATCH field left as it is
	nullable("LessonChangeRequest", "week", true)
	nullable("Entry", "details", true)        // a nil map is null
	nullable("Course", "published_at", false) // absent, never null
	nullable("NewCohortRequest", "starts_at", false)

	required := func(name string, want ...string) {
		t.Helper()
		got := strs(schema(name)["required"])
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s requires %v, want %v", name, got, want)
		}
	}
	required("RegistrationRequest", "email", "family_name", "given_name", "municipality", "password")
	required("NewCohortRequest", "enrolment_closes_at", "enrolment_opens_at", "starts_at", "title")
	required("FieldsRequest")
	required("ProfileChangeRequest")
	required("ApplicationFormRequest", "municipality", "took_part_in_pilot")
	required("Enrolment", "cohort_id", "course_id", "created_at", "id", "status", "user_id")
	required("Problem", "code", "status", "title", "type")

	// A learner enrols with no body at all; every other body is required.
	d.operations(func(method, path string, op map[string]any) {
		body, ok := op["requestBody"].(map[string]any)
		if !ok {
			return
		}
		want := method+" "+path != "POST /api/v1/cohorts/{id}/enrolments"
		if body["required"] != want {
			t.Errorf("%s %s: requestBody.required %v, want %v", method, path, body["required"], want)
		}
	})
}

// Replies that are not JSON are described with their media types, the CSV
// lists offer CSV and a workbook beside JSON, and a route with two
// successes documents both.
func TestOpenAPIMediaTypes(t *testing.T) {
	d := servedDocument(t, options{})
	content := func(method, path, status string) []string {
		t.Helper()
		op := d.operation(method, path)
		if op == nil {
			t.Fatalf("%s %s is not documented", method, path)
		}
		c, _ := d.at(op, "responses", status, "content").(map[string]any)
		return slices.Sorted(mapKeys(c))
	}
	expect := func(method, path, status string, want ...string) {
		t.Helper()
		sort.Strings(want)
		if got := content(method, path, status); !slices.Equal(got, want) {
			t.Errorf("%s %s %s: %v, want %v", method, path, status, got, want)
		}
	}
	workbook := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	var csv []string
	d.operations(func(method, path string, op map[string]any) {
		if strings.Contains(op["summary"].(string), "CSV") {
			csv = append(csv, method+" "+path)
			expect(method, path, "200", "application/json", "text/csv", workbook)
		}
	})
	slices.Sort(csv)
	if want := []string{"GET /api/v1/cohorts/{id}/enrolments", "GET /api/v1/programmes/{id}/applications", "GET /api/v1/reports/completions"}; !slices.Equal(csv, want) {
		t.Errorf("CSV lists %v, want %v", csv, want)
	}
	expect("GET", "/api/v1/certificates/{code}/pdf", "200", "application/pdf")
	expect("GET", "/verify/{code}", "200", "text/html")
	expect("GET", "/verify/{code}", "404", "text/html")
	expect("GET", "/docs", "200", "text/html")
	expect("GET", "/metrics", "200", "text/plain")
	expect("GET", "/objects/{path}", "200", "*/*")
	expect("GET", "/objects/{path}", "206", "*/*")
	expect("GET", "/readyz", "503", "application/json", "application/problem+json")
	expect("POST", "/api/v1/enrolments/{id}/certificate", "201", "application/json")
	expect("POST", "/api/v1/enrolments/{id}/certificate", "200", "application/json")
	expect("POST", "/api/v1/auth/password-reset", "202", "text/plain")
	expect("DELETE", "/api/v1/lessons/{id}", "204")
	if got := slices.Sorted(mapKeys(d.at(d.operation("POST", "/api/v1/media"), "requestBody", "content").(map[string]any))); !slices.Equal(got, []string{"multipart/form-data"}) {
		t.Errorf("POST /api/v1/media takes %v", got)
	}
	if d.at(d.operation("POST", "/api/v1/media"), "requestBody", "content", "multipart/form-data", "schema", "properties", "file") == nil {
		t.Error("the upload has no part named file")
	}
	if d.at(d.operation("GET", "/objects/{path}"), "responses", "304") == nil {
		t.Error("the signed links do not document 304")
	}
	if d.at(d.operation("GET", "/api/v1/me"), "security") == nil || mustJSON(t, d.at(d.operation("GET", "/healthz"), "security")) != `[{},{"bearer":[]},{"pageSession":[]}]` {
		t.Error("security: a signed-in route names bearer, a public one makes it optional")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
