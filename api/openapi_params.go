package api

import (
	"strings"

	"mooc/cohorts"
	"mooc/programmes"
)

// parameters are o's path parameters, then its query parameters, then
// the Idempotency-Key header of the routes that take one.
func parameters(o op) []map[string]any {
	var params []map[string]any
	for _, m := range fiberParam.FindAllString(o.path, -1) {
		if m == "*" {
			params = append(params, map[string]any{
				"name": "path", "in": "path", "required": true, "schema": map[string]any{"type": "string"},
				"description": "the rest of the path, slashes included, as the signed link names it",
				// Path templating stops at a slash; this one does not.
				"x-rest-of-path": true,
			})
			continue
		}
		name := strings.TrimSuffix(m[1:], "?")
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": pathParamSchema(name)})
	}
	for _, q := range o.query {
		// An empty value is taken as no value (c.Query gives "" for both).
		schema := queryParamSchema(q.name)
		if s, ok := routeQuery[o.method+" "+o.path][q.name]; ok {
			schema = s
		}
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.description,
			"schema": schema, "allowEmptyValue": true})
	}
	if isIdempotent(o) {
		params = append(params, idempotencyParam)
	}
	return params
}

// pathParamSchema: ids are UUIDs, a week its number; anything else (a
// certificate's code) is text.
func pathParamSchema(name string) map[string]any {
	switch {
	case name == "id" || strings.HasSuffix(name, "_id"):
		return map[string]any{"type": "string", "format": "uuid"}
	case name == "week":
		return map[string]any{"type": "integer", "minimum": 1}
	}
	return map[string]any{"type": "string"}
}

// queryParams are the query parameters' types, by name, as the handlers
// read them.
var queryParams = map[string]map[string]any{
	"limit":  {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
	"open":   {"type": "boolean"},
	"status": {"type": "string", "enum": anyOf(courseStatuses)},
	// dateParam takes a day or a time.
	"from": dateOrTime,
	"to":   dateOrTime,
	// The signed links of the disk store.
	"expires": {"type": "integer"},
	"part":    {"type": "integer", "minimum": 1, "maximum": 10000},
	"size":    {"type": "integer", "minimum": 0},
	"upload":  {"type": "string"},
}

var dateOrTime = map[string]any{"type": "string", "anyOf": []any{
	map[string]any{"format": "date"}, map[string]any{"format": "date-time"},
}}

// queryParamSchema: filters by id are plain text, as the lists read them:
// one that is no UUID matches nothing rather than being refused.
func queryParamSchema(name string) map[string]any {
	if s, ok := queryParams[name]; ok {
		return s
	}
	return map[string]any{"type": "string"}
}

// routeQuery are query parameters whose meaning depends on the route: the
// people lists take comma-separated statuses of their own and a sort.
var routeQuery = map[string]map[string]map[string]any{
	"GET /api/v1/cohorts/:id/enrolments": {
		"status": commaList(cohorts.Enrolled, cohorts.Waitlisted, cohorts.Withdrawn),
		"sort":   {"type": "string", "enum": []any{"name", "time"}},
	},
	"GET /api/v1/programmes/:id/applications": {
		"status": commaList(programmes.Applied, programmes.Accepted, programmes.Waitlisted, programmes.Withdrawn),
		"sort":   {"type": "string", "enum": []any{"name", "time"}},
	},
}

// commaList is a parameter of one or more of words, comma-separated.
func commaList(words ...string) map[string]any {
	one := "(" + strings.Join(words, "|") + ")"
	return map[string]any{"type": "string", "pattern": "^" + one + "(," + one + ")*$",
		"description": "one or more of " + strings.Join(words, ", ") + ", comma-separated"}
}

func anyOf(words []string) []any {
	out := make([]any, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out
}
