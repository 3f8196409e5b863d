package api_test

import (
	"testing"

	"mooc/internal/database"
)

// A page's script calls the API with the page's session cookie, which
// counts only with the CSRF header equal to the CSRF cookie: a request
// from another site carries the cookies but cannot know the token.
func TestPageSessionCookieNeedsTheCSRFHeader(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	u, token := s.signUp()
	csrf := "a-csrf-token-of-forty-three-characters-000"
	cookie := "mooc_session=" + token + "; mooc_csrf=" + csrf
	var me userBody
	s.do(request{method: "GET", path: "/api/v1/me", header: map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}}).expect(t, 200).json(t, &me)
	if me.ID != u.ID {
		t.Fatalf("the cookie signed in %s, not %s", me.ID, u.ID)
	}
	for name, h := range map[string]map[string]string{
		"no header":     {"Cookie": cookie},
		"another token": {"Cookie": cookie, "X-CSRF-Token": "b-csrf-token-of-forty-three-characters-000"},
		"a short token": {"Cookie": "mooc_session=" + token + "; mooc_csrf=short", "X-CSRF-Token": "short"},
		"no session":    {"Cookie": "mooc_csrf=" + csrf, "X-CSRF-Token": csrf},
	} {
		s.do(request{method: "GET", path: "/api/v1/me", header: h}).problem(t, 401, "unauthorized")
		_ = name
	}
	// A bearer token still wins over the cookie.
	_, other := s.signUp()
	var who userBody
	s.do(request{method: "GET", path: "/api/v1/me", token: other, header: map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}}).expect(t, 200).json(t, &who)
	if who.ID == u.ID {
		t.Fatal("the cookie won over the bearer token")
	}
}
