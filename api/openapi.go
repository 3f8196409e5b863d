package api

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/idempotency"
)

var fiberParam = regexp.MustCompile(`:([A-Za-z_]+)\??|\*`)

// openAPIPath turns /users/:id into /users/{id}.
func openAPIPath(p string) string {
	return fiberParam.ReplaceAllStringFunc(p, func(m string) string {
		if m == "*" {
			return "{path}"
		}
		return "{" + strings.TrimSuffix(m[1:], "?") + "}"
	})
}

// openAPI builds the OpenAPI 3.1 document of every registered route.
func openAPI(ops []op, version string) ([]byte, error) {
	b := newSchemas()
	paths := map[string]map[string]any{}
	for _, o := range ops {
		path := openAPIPath(o.path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(o.method)] = b.operation(o, notesFor(o))
	}
	b.defs["Problem"] = b.problemSchema()
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "mooc: e-learning for social workers",
			"version": version,
			"description": "Online courses, in-person programmes and completion certificates for municipal social workers. " +
				"JSON in and out; errors are application/problem+json (RFC 9457) with a stable `code`, and each operation lists " +
				"the statuses and codes it can answer with. Ids are UUIDs, times RFC 3339 in UTC. Lists take `?limit=` (1..200, " +
				"default 50) and `?cursor=` (a reply's `next_cursor`, absent on the last page).",
		},
		// The paths hold the whole path, /api/v1 included, relative to
		// wherever the service answers.
		"servers": []map[string]any{{"url": "/", "description": "this service"}},
		"tags":    tags,
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "the access_token of POST /api/v1/auth/login"},
				"pageSession": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie,
					"description": "the web pages' sign-in, for their scripts: counts only with the " + CSRFHeader +
						" header equal to the " + CSRFCookie + " cookie"},
				"metricsToken": map[string]any{"type": "http", "scheme": "bearer",
					"description": "MOOC_METRICS_TOKEN, as Prometheus' authorization setting sends it"},
			},
			"schemas":   b.defs,
			"responses": b.problems,
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var tags = []map[string]string{
	{"name": "accounts", "description": "registration, sign-in, sessions, profiles, roles, a person's data, the audit log"},
	{"name": "assessment", "description": "question banks, tests, attempts and grading"},
	{"name": "catalogue", "description": "methodologies, courses and their lessons, publishing, interest in a course's next cohort"},
	{"name": "certificates", "description": "issuing, PDFs, verification and revocation of certificates"},
	{"name": "cohorts", "description": "cohorts of online courses and enrolment"},
	{"name": "credentials", "description": "certificates as verifiable credentials (Open Badges 3.0), the issuer's DID document, status lists, checking a pasted credential"},
	{"name": "learning", "description": "a learner's enrolments, lessons, playback and progress"},
	{"name": "media", "description": "uploads of videos, readings and captions, and the disk store's signed links"},
	{"name": "operations", "description": "health, readiness, metrics and this document"},
	{"name": "programmes", "description": "in-person programmes, applications, allocation and attendance"},
	{"name": "reports", "description": "completion figures for the funders"},
	{"name": "surveys", "description": "feedback surveys of courses and programmes, their anonymous answers and results"},
}

func accessName(a access) string {
	return [...]string{"anyone", "any signed-in user", "author or team", "team"}[a]
}

func (b *schemas) operation(o op, n routeNotes) map[string]any {
	path := openAPIPath(o.path)
	out := map[string]any{
		"summary":     o.summary,
		"tags":        []string{o.tag},
		"operationId": strings.ToLower(o.method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(path),
		"responses":   b.responses(o, n),
		"x-roles":     accessName(o.access),
	}
	if params := parameters(o); params != nil {
		out["parameters"] = params
	}
	if body := b.requestContent(o, n); body != nil {
		out["requestBody"] = body
	}
	switch {
	case n.security != nil:
		out["security"] = n.security
	case o.access == anyone:
		// No token needed; one sent is checked all the same (a bad one
		// is refused), and some routes show more to a signed-in caller.
		out["security"] = []map[string][]string{{}, {"bearer": {}}, {"pageSession": {}}}
	default:
		out["security"] = []map[string][]string{{"bearer": {}}, {"pageSession": {}}}
	}
	return out
}

func (b *schemas) requestContent(o op, n routeNotes) map[string]any {
	var content map[string]any
	switch {
	case n.body != nil:
		content = n.body
	case o.body != nil:
		schema := map[string]any{"schema": b.of(reflect.TypeOf(o.body), toServer)}
		content = map[string]any{fiber.MIMEApplicationJSON: schema}
		if o.method == fiber.MethodPatch {
			content["application/merge-patch+json"] = schema
		}
	default:
		return nil
	}
	body := map[string]any{"required": !n.optionalBody, "content": content}
	if n.optionalBody {
		body["description"] = "optional: without a body the caller acts for themselves"
	}
	return body
}

func (b *schemas) responses(o op, n routeNotes) map[string]any {
	out := map[string]any{}
	success := func(status int, description string) {
		r := map[string]any{"description": description}
		if c := b.successContent(o, n, status); c != nil {
			r["content"] = c
		}
		out[statusKey(status)] = r
	}
	success(o.status, titleOf(o.status))
	for _, status := range slices.Sorted(maps.Keys(n.statuses)) {
		success(status, titleOf(status)+": "+n.statuses[status])
	}
	errs, general := possibleErrors(o, n)
	for status, sp := range problemsByStatus(errs, general) {
		c := n.content[status]
		if reply, ok := n.replies[status]; ok {
			c = map[string]any{fiber.MIMEApplicationJSON: map[string]any{"schema": b.of(reflect.TypeOf(reply), toClient)}}
		}
		if c == nil && n.headers[status] == nil {
			// The problems alone: shared by every operation that
			// answers this status with these codes.
			out[statusKey(status)] = b.sharedResponse(status, sp)
			continue
		}
		r := problemResponse(status, sp)
		if slices.Contains(n.notProblem, status) {
			r = map[string]any{"description": titleOf(status), "content": map[string]any{}}
		}
		maps.Copy(r["content"].(map[string]any), c)
		out[statusKey(status)] = r
	}
	if isIdempotent(o) {
		for status := range n.statuses {
			n.headers = withHeader(n.headers, status, idempotency.Replayed, replayedHeader)
		}
		n.headers = withHeader(n.headers, o.status, idempotency.Replayed, replayedHeader)
	}
	for status, h := range n.headers {
		if r, ok := out[statusKey(status)].(map[string]any); ok {
			if r["headers"] == nil {
				r["headers"] = map[string]any{}
			}
			maps.Copy(r["headers"].(map[string]any), h)
		}
	}
	out["default"] = map[string]any{
		"description": "Any other failure: 500 internal_error (the X-Request-Id of the reply finds it in the logs), " +
			"405 method_not_allowed, 408 timeout, 431 headers_too_large.",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
	}
	return out
}

// successContent is the content of a successful reply: JSON of the op's
// reply type, or the raw media type it sends, with CSV and a workbook
// beside JSON where the route offers them.
func (b *schemas) successContent(o op, n routeNotes, status int) map[string]any {
	if c, ok := n.content[status]; ok {
		return c
	}
	switch {
	case o.raw != "":
		return map[string]any{o.raw: rawMedia(o.raw)}
	case o.reply == nil && status != fiber.StatusNoContent && status != fiber.StatusOK:
		// c.SendStatus writes the status's text as the body.
		return map[string]any{fiber.MIMETextPlain: map[string]any{"schema": map[string]any{"type": "string", "const": titleOf(status)}}}
	case o.reply != nil:
		c := map[string]any{fiber.MIMEApplicationJSON: map[string]any{"schema": b.of(reflect.TypeOf(o.reply), toClient)}}
		if strings.Contains(o.summary, "CSV") {
			c["text/csv"] = map[string]any{"schema": map[string]any{"type": "string",
				"description": "UTF-8 CSV with a header row (Accept: text/csv)"}}
			c[workbookType] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": workbookType,
				"description": "the same as an Excel workbook (Accept: " + workbookType + ")"}}
		}
		if strings.Contains(o.summary, "Accept: application/pdf") {
			c["application/pdf"] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/pdf",
				"description": "the same as a PDF document (Accept: application/pdf)"}}
		}
		return c
	}
	return nil
}

// workbookType is the media type of an Excel workbook.
const workbookType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// rawMedia is the media type object of a reply that is not JSON. Bytes
// have no schema; text is a string; JSON (this document) an object.
func rawMedia(mediaType string) map[string]any {
	switch mediaType {
	case fiber.MIMEApplicationJSON:
		return map[string]any{"schema": map[string]any{"type": "object"}}
	case fiber.MIMETextPlain:
		return map[string]any{"schema": map[string]any{"type": "string"}}
	}
	return map[string]any{}
}
