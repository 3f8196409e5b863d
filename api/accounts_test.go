package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

func TestRegisterAndLogin(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		body := registration()
		body["given_name"], body["family_name"] = "Ģirts", "Ķļaviņš"
		body["email"] = "  Girts.KLAVINS@Example.LV "
		var u userBody
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201).json(t, &u)
		if u.GivenName != "Ģirts" || u.FamilyName != "Ķļaviņš" || u.Email != "girts.klavins@example.lv" {
			t.Fatalf("user came back changed: %+v", u)
		}
		if !slices.Equal(u.Roles, []string{"learner"}) || u.ID == "" || u.Municipality != "Ogres novads" {
			t.Fatalf("unexpected user %+v", u)
		}
		if strings.Contains(string(s.do(request{method: "GET", path: "/api/v1/me", token: s.login("girts.klavins@example.lv", "correct horse battery")}).body), "password") {
			t.Fatal("a reply mentions the password")
		}

		// Same address in other capitals is the same account.
		body["email"] = "GIRTS.klavins@example.lv"
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).problem(t, 409, "email_taken")

		var login struct {
			AccessToken string   `json:"access_token"`
			TokenType   string   `json:"token_type"`
			ExpiresIn   int      `json:"expires_in"`
			User        userBody `json:"user"`
		}
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "Girts.Klavins@example.lv", "password": "correct horse battery"}}).
			expect(t, 200).json(t, &login)
		if login.TokenType != "Bearer" || login.ExpiresIn <= 0 || login.AccessToken == "" || login.User.ID != u.ID {
			t.Fatalf("login reply %+v", login)
		}

		var got userBody
		s.do(request{method: "GET", path: "/api/v1/me", token: login.AccessToken}).expect(t, 200).json(t, &got)
		if got.ID != u.ID || got.FamilyName != "Ķļaviņš" || got.Workplace != "Ogres novada sociālais dienests" {
			t.Fatalf("/me = %+v", got)
		}

		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": u.Email, "password": "wrong password!"}}).problem(t, 401, "invalid_credentials")
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "nobody@example.lv", "password": "whatever it is"}}).problem(t, 401, "invalid_credentials")
	})
}

func TestRegisterValidation(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		p := s.do(request{method: "POST", path: "/api/v1/auth/register", body: map[string]any{
			"email": "not-an-address", "password": "short", "given_name": " ", "family_name": "", "municipality": "",
		}}).problem(t, 422, "validation_failed")
		fields := map[string]string{}
		for _, e := range p.Errors {
			fields[e.Field] = e.Message
		}
		for _, f := range []string{"email", "password", "given_name", "family_name", "municipality"} {
			if fields[f] == "" {
				t.Errorf("no error for %s: %+v", f, p.Errors)
			}
		}
		if !strings.Contains(fields["password"], "12") {
			t.Errorf("password message %q does not say the minimum", fields["password"])
		}
		// Twelve Latvian letters are twelve characters, not 24 bytes' worth.
		body := registration()
		body["password"] = "āčēģīķļņšūžā"
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201)

		var n int64
		db.Conn(context.Background()).Table("users").Count(&n)
		if n != 1 {
			t.Fatalf("%d users stored, want only the valid one", n)
		}
	})
}

func TestBadBodies(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	cases := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"malformed", "application/json", `{"email": "a@b.lv",`, 400, "malformed_json"},
		{"not an object", "application/json", `[1,2]`, 400, "malformed_json"},
		{"wrong type", "application/json", `{"email": 5}`, 400, "malformed_json"},
		{"two values", "application/json", `{} {}`, 400, "malformed_json"},
		{"empty", "application/json", ``, 400, "malformed_json"},
		{"form", "application/x-www-form-urlencoded", `email=a`, 415, "unsupported_media_type"},
		{"no type", "", `{}`, 415, "unsupported_media_type"},
		{"too large", "application/json", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(request{method: "POST", path: "/api/v1/auth/register", body: []byte(c.body), header: map[string]string{"Content-Type": c.contentType}})
			r.problem(t, c.status, c.code)
		})
	}
}

func TestTokens(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	s.do(request{method: "GET", path: "/api/v1/me"}).problem(t, 401, "unauthorized")
	s.do(request{method: "GET", path: "/api/v1/me", token: "not.a.token"}).problem(t, 401, "unauthorized")
	s.do(request{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic abc"}}).problem(t, 401, "unauthorized")

	_, token := s.signUp()
	// A token signed with another secret is refused.
	other, err := accounts.New(s.db, accounts.Options{TokenSecret: []byte(strings.Repeat("x", 40)), Hashing: &testkit.Hashing})
	if err != nil {
		t.Fatal(err)
	}
	body := registration()
	if _, err := other.Register(context.Background(), accountsRegistration(body), "1.2.3.4"); err != nil {
		t.Fatal(err)
	}
	sess, err := other.Login(context.Background(), body["email"].(string), body["password"].(string), "1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	s.do(request{method: "GET", path: "/api/v1/me", token: sess.AccessToken}).problem(t, 401, "unauthorized")
	s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200)
	// A tampered token is refused.
	s.do(request{method: "GET", path: "/api/v1/me", token: token[:len(token)-2] + "xx"}).problem(t, 401, "unauthorized")
}

func accountsRegistration(m map[string]any) accounts.Registration {
	return accounts.Registration{
		Email: m["email"].(string), Password: m["password"].(string), GivenName: m["given_name"].(string),
		FamilyName: m["family_name"].(string), Municipality: m["municipality"].(string),
	}
}

func TestRoles(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		learner, learnerToken := s.signUp()
		_, teamToken := s.signUp("team")
		_, authorToken := s.signUp("author")
		path := "/api/v1/users/" + learner.ID + "/roles"

		s.do(request{method: "PUT", path: path, body: map[string]any{"roles": []string{"author"}}}).problem(t, 401, "unauthorized")
		s.do(request{method: "PUT", path: path, token: learnerToken, body: map[string]any{"roles": []string{"team"}}}).problem(t, 403, "forbidden")
		s.do(request{method: "PUT", path: path, token: authorToken, body: map[string]any{"roles": []string{"team"}}}).problem(t, 403, "forbidden")

		var u userBody
		s.do(request{method: "PUT", path: path, token: teamToken, body: map[string]any{"roles": []string{"author"}}}).expect(t, 200).json(t, &u)
		if !slices.Equal(u.Roles, []string{"author", "learner"}) {
			t.Fatalf("roles %v, want author and learner (learner is always kept)", u.Roles)
		}
		// The change applies to the learner's existing token at once.
		s.do(request{method: "GET", path: "/api/v1/me", token: learnerToken}).expect(t, 200).json(t, &u)
		if !slices.Contains(u.Roles, "author") {
			t.Fatalf("existing token does not see the new role: %v", u.Roles)
		}
		s.do(request{method: "PUT", path: path, token: teamToken, body: map[string]any{"roles": []string{}}}).expect(t, 200).json(t, &u)
		if !slices.Equal(u.Roles, []string{"learner"}) {
			t.Fatalf("roles %v, want learner only", u.Roles)
		}
		p := s.do(request{method: "PUT", path: path, token: teamToken, body: map[string]any{"roles": []string{"admin"}}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "roles[0]" {
			t.Fatalf("errors %+v", p.Errors)
		}
		s.do(request{method: "PUT", path: "/api/v1/users/00000000-0000-4000-8000-000000000000/roles", token: teamToken, body: map[string]any{"roles": []string{}}}).problem(t, 404, "not_found")
		s.do(request{method: "PUT", path: "/api/v1/users/not-a-uuid/roles", token: teamToken, body: map[string]any{"roles": []string{}}}).problem(t, 404, "not_found")
	})
}

func TestUserSearch(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, teamToken := s.signUp("team")
		_, learnerToken := s.signUp()
		for i := 0; i < 5; i++ {
			body := registration()
			body["email"] = fmt.Sprintf("janis.%d@ogre.lv", i)
			s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201)
		}
		s.do(request{method: "GET", path: "/api/v1/users?email=ogre", token: learnerToken}).problem(t, 403, "forbidden")

		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			var page struct {
				Items      []userBody `json:"items"`
				NextCursor string     `json:"next_cursor"`
			}
			s.do(request{method: "GET", path: "/api/v1/users?email=OGRE.lv&limit=2&cursor=" + cursor, token: teamToken}).expect(t, 200).json(t, &page)
			for _, u := range page.Items {
				seen = append(seen, u.Email)
			}
			if page.NextCursor == "" {
				break
			}
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			cursor = page.NextCursor
		}
		want := []string{"janis.0@ogre.lv", "janis.1@ogre.lv", "janis.2@ogre.lv", "janis.3@ogre.lv", "janis.4@ogre.lv"}
		if !slices.Equal(seen, want) {
			t.Fatalf("search found %v, want %v", seen, want)
		}
		// LIKE wildcards in the query are literal characters.
		var none struct{ Items []userBody }
		s.do(request{method: "GET", path: "/api/v1/users?email=%25", token: teamToken}).expect(t, 200).json(t, &none)
		if len(none.Items) != 0 {
			t.Fatalf("%% matched %d users", len(none.Items))
		}
		s.do(request{method: "GET", path: "/api/v1/users?cursor=%%%", token: teamToken}).problem(t, 400, "invalid_cursor")
		s.do(request{method: "GET", path: "/api/v1/users?limit=500", token: teamToken}).problem(t, 400, "invalid_limit")
	})
}

// midWindow is an instant in the middle of a 15-minute login window
// (windows are aligned on Unix time): a test's counts through the API all
// fall into one window, whatever the real clock says. The windows' edges
// are tested in accounts.
func midWindow() time.Time {
	return time.Now().UTC().Truncate(15 * time.Minute).Add(7 * time.Minute)
}

func TestRegisterLimit(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db, registerLimit: 3})
		hall := map[string]string{"X-Forwarded-For": "198.51.100.7"}
		for i := 0; i < 3; i++ {
			s.do(request{method: "POST", path: "/api/v1/auth/register", body: registration(), header: hall}).expect(t, 201)
		}
		r := s.do(request{method: "POST", path: "/api/v1/auth/register", body: registration(), header: hall})
		r.problem(t, 429, "rate_limited")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: registration(), header: map[string]string{"X-Forwarded-For": "198.51.100.8"}}).expect(t, 201)
	})
	t.Run("zero means no limit", func(t *testing.T) {
		s := newServer(t, database.SQLite, options{registerLimit: 0})
		for i := 0; i < 60; i++ {
			s.do(request{method: "POST", path: "/api/v1/auth/register", body: registration()}).expect(t, 201)
		}
	})
}

func TestBootstrap(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		ctx := context.Background()
		// The team's password meets the rules a learner's does: not too
		// short, not common, not made of the address.
		for _, weak := range []string{"short", "password1234", "team@example.lv", "ProjectTeam2024"} {
			if created, err := s.users.Bootstrap(ctx, "Team@Example.lv", weak); err == nil || created ||
				!strings.Contains(err.Error(), "MOOC_BOOTSTRAP_PASSWORD") {
				t.Fatalf("bootstrap password %q: created=%v err=%v", weak, created, err)
			}
		}
		created, err := s.users.Bootstrap(ctx, "Team@Example.lv", "a long bootstrap password")
		if err != nil || !created {
			t.Fatalf("created=%v err=%v", created, err)
		}
		again, err := s.users.Bootstrap(ctx, "team@example.lv", "another password entirely")
		if err != nil || again {
			t.Fatalf("second bootstrap created=%v err=%v", again, err)
		}
		var u userBody
		s.do(request{method: "GET", path: "/api/v1/me", token: s.login("team@example.lv", "a long bootstrap password")}).expect(t, 200).json(t, &u)
		if u.GivenName != "Project" || u.FamilyName != "Team" || !slices.Contains(u.Roles, "team") {
			t.Fatalf("bootstrap user %+v", u)
		}
	})
}

// A learner's token is believed without a look-up, which saves every
// learner's request a query; a token naming more is checked on every
// request. So taking a role away applies at once, and a granted role comes
// with the next sign-in.
func TestTokenRoles(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		body := registration()
		var u userBody
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201).json(t, &u)
		email, password := body["email"].(string), body["password"].(string)
		learnerToken := s.login(email, password)
		_, teamToken := s.signUp("team")

		s.do(request{method: "PUT", path: "/api/v1/users/" + u.ID + "/roles", token: teamToken, body: map[string]any{"roles": []string{"team"}}}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/users", token: learnerToken}).problem(t, 403, "forbidden")
		promoted := s.login(email, password)
		s.do(request{method: "GET", path: "/api/v1/users", token: promoted}).expect(t, 200)

		s.do(request{method: "PUT", path: "/api/v1/users/" + u.ID + "/roles", token: teamToken, body: map[string]any{"roles": []string{}}}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/users", token: promoted}).problem(t, 403, "forbidden")
		var me userBody
		s.do(request{method: "GET", path: "/api/v1/me", token: promoted}).expect(t, 200).json(t, &me)
		if !slices.Equal(me.Roles, []string{"learner"}) {
			t.Fatalf("after the team role was taken away: %v", me.Roles)
		}
	})
}
