package api_test

import (
	"net/http"
	"strings"
	"testing"

	"mooc/internal/database"
)

// The check every request of the suite goes through must catch what it is
// there to catch: each exchange below departs from the document in one
// way, and the check has to name it.
func TestConformanceCheckCatchesMismatches(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	c, err := s.contract()
	if err != nil {
		t.Fatal(err)
	}
	const user = `{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","email":"a@example.lv","given_name":"A","family_name":"B",` +
		`"municipality":"Rīga","workplace":"","position":"","roles":["learner"],"email_verified":false,"announcements":false,` +
		`"created_at":"2026-01-01T00:00:00Z"}`
	bearer := http.Header{"Authorization": {"Bearer x"}}
	asJSON := http.Header{"Content-Type": {"application/json"}}
	asProblem := http.Header{"Content-Type": {"application/problem+json"}}
	problem := func(status, code string) []byte {
		return []byte(`{"type":"urn:mooc:problem:` + code + `","title":"x","status":` + status + `,"code":"` + code + `"}`)
	}
	for _, tc := range []struct {
		name, method, path string
		header             http.Header
		body               []byte
		rep                reply
		want               string
	}{
		{"a status the operation does not list", "GET", "/healthz", nil, nil,
			reply{status: 409, header: asProblem, body: problem("409", "conflict")}, "status 409 is not among"},
		{"a code its status does not carry", "GET", "/api/v1/me", bearer, nil,
			reply{status: 404, header: asProblem, body: problem("404", "not_found")}, "status 404 is not among"},
		{"a code outside the enum", "GET", "/api/v1/me", bearer, nil,
			reply{status: 401, header: asProblem, body: problem("401", "invalid_credentials")}, "/code"},
		{"a field the reply schema lacks", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: asJSON, body: []byte(strings.Replace(user, `"id"`, `"password_hash":"x","id"`, 1))}, "password_hash"},
		{"a required field missing", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: asJSON, body: []byte(strings.Replace(user, `"roles":["learner"],`, "", 1))}, "roles"},
		{"a word outside a closed set", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: asJSON, body: []byte(strings.Replace(user, `["learner"]`, `["admin"]`, 1))}, "roles"},
		{"an id that is no UUID", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: asJSON, body: []byte(strings.Replace(user, "7c9e6679-7425-40de-944b-e07fc1f90ae7", "7", 1))}, "uuid"},
		{"a time that is no RFC 3339 time", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: asJSON, body: []byte(strings.Replace(user, "2026-01-01T00:00:00Z", "1 January", 1))}, "created_at"},
		{"another content type", "GET", "/api/v1/me", bearer, nil,
			reply{status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte("hi")}, "text/plain"},
		{"a body where the document has none", "DELETE", "/api/v1/lessons/7c9e6679-7425-40de-944b-e07fc1f90ae7", bearer, nil,
			reply{status: 204, header: asJSON, body: []byte("{}")}, "no content"},
		{"a request the document refuses, answered with success", "POST", "/api/v1/auth/login", asJSON, []byte(`{"email":"a@example.lv"}`),
			reply{status: 200, header: asJSON, body: []byte(`{"access_token":"x","token_type":"Bearer","expires_in":1,"user":` + user + `}`)}, "refuses the request"},
		{"no token where one is needed, answered with success", "GET", "/api/v1/me", nil, nil,
			reply{status: 200, header: asJSON, body: []byte(user)}, "refuses the request"},
		{"a problem of no operation that is not one", "GET", "/api/v1/nothing-here", nil, nil,
			reply{status: 404, header: asJSON, body: []byte(`{}`)}, "application/problem+json"},
		{"429 without Retry-After", "POST", "/api/v1/auth/login", http.Header{"Content-Type": {"application/json"}}, []byte(`{"email":"a@example.lv","password":"x"}`),
			reply{status: 429, header: asProblem, body: problem("429", "rate_limited")}, "Retry-After"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rep.header == nil {
				tc.rep.header = http.Header{}
			}
			header := tc.header
			if header == nil {
				header = http.Header{}
			}
			problems := c.check(tc.method, tc.path, header, tc.body, tc.rep)
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Fatalf("the check found %q, want a mismatch naming %q", problems, tc.want)
			}
		})
	}

	// And the same exchanges done right pass.
	if p := c.check("GET", "/api/v1/me", bearer, nil, reply{status: 200, header: asJSON, body: []byte(user)}); p != nil {
		t.Fatalf("a reply as documented: %q", p)
	}
	if p := c.check("GET", "/api/v1/me", bearer, nil, reply{status: 401, header: asProblem, body: problem("401", "unauthorized")}); p != nil {
		t.Fatalf("a problem as documented: %q", p)
	}
}
