package api_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

type meBody struct {
	userBody
	EmailVerified bool `json:"email_verified"`
}

// linkTokens are the tokens of the links in the e-mails of the template
// queued for the user, read from the outbox.
func linkTokens(t *testing.T, db *database.DB, userID, template string) []string {
	t.Helper()
	var params []string
	if err := db.Conn(context.Background()).Table("outbox").Where("user_id = ? AND template = ?", userID, template).
		Pluck("params", &params).Error; err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, raw := range params {
		var p map[string]string
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(p["link"])
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, u.Query().Get("token"))
	}
	return tokens
}

func (s *server) me(token string) meBody {
	s.t.Helper()
	var u meBody
	s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(s.t, 200).json(s.t, &u)
	return u
}

// refusedWithin polls the replica until the token gets 401, failing if it
// is still believed after within.
func refusedWithin(t *testing.T, s *server, token, path string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		r := s.do(request{method: "GET", path: path, token: token})
		if r.status == 401 {
			r.problem(t, 401, "unauthorized")
			return time.Since(start)
		}
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		if time.Since(start) > within {
			t.Fatalf("GET %s still answers 200 %v after the session ended", path, time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var resetLink = regexp.MustCompile(`http://mooc\.test/reset-password\?token=([A-Za-z0-9_-]+)`)

// Registration e-mails a verification link; the link verifies once, and
// an unverified account signs in and learns all the same.
func TestEmailVerification(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC())
		s := newServer(t, db.Dialect(), options{db: db, clock: clock})
		inbox := testenv.SMTP(t)
		body := registration()
		var u meBody
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201).json(t, &u)
		if u.EmailVerified || !strings.Contains(string(s.do(request{method: "POST", path: "/api/v1/auth/login",
			body: map[string]any{"email": body["email"], "password": body["password"]}}).expect(t, 200).body), `"email_verified":false`) {
			t.Fatalf("a new account is verified: %+v", u)
		}
		token := s.login(body["email"].(string), body["password"].(string))
		if s.me(token).EmailVerified {
			t.Fatal("verified before the link was opened")
		}

		if n := s.deliver(t, inbox); n != 1 {
			t.Fatalf("%d e-mails sent, want the verification", n)
		}
		m := inbox.Messages()[0]
		link := regexp.MustCompile(`http://mooc\.test/verify-email\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(m.Body)
		if strings.Trim(m.To, "<>") != u.Email || m.Subject != "Apstipriniet savu e-pasta adresi" || link == nil {
			t.Fatalf("verification e-mail to %s %q:\n%s", m.To, m.Subject, m.Body)
		}
		var stored int64
		db.Conn(context.Background()).Table("account_links").Where("token_hash = ?", link[1]).Count(&stored)
		if stored != 0 {
			t.Fatal("the token is stored as it was sent")
		}

		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": "no-such-token"}}).problem(t, 422, "invalid_token")
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": link[1]}}).expect(t, 204)
		if !s.me(token).EmailVerified {
			t.Fatal("not verified after the link was opened")
		}
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": link[1]}}).problem(t, 422, "invalid_token")

		// A link works for seven days.
		late, _ := s.signUp()
		clock.Set(clock.Now().Add(7*24*time.Hour + time.Second))
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": linkTokens(t, db, late.ID, "verify_email")[0]}}).problem(t, 422, "invalid_token")
	})
}

// Cohort announcements go to verified addresses only; an unverified
// learner still enrols.
func TestAnnouncementsOnlyToVerifiedAddresses(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		verified, _ := s.signUp()
		unverified, unverifiedToken := s.signUp()
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": linkTokens(t, db, verified.ID, "verify_email")[0]}}).expect(t, 204)

		c := s.cohort(200, -7*24*time.Hour)
		if _, err := s.platform.Cohorts.AnnounceOpenCohorts(context.Background()); err != nil {
			t.Fatal(err)
		}
		var told []string
		db.Conn(context.Background()).Table("outbox").Where("template = ?", "cohort_open").Pluck("user_id", &told)
		if !slices.Equal(told, []string{verified.ID}) {
			t.Fatalf("announced to %v, want only the verified learner %s (not %s)", told, verified.ID, unverified.ID)
		}
		s.enrolled(unverifiedToken, c.ID)
	})
}

// A logout ends that token at once on its replica, for every route, and
// within a second on another replica sharing the database; the user's
// other sessions go on.
func TestLogoutOnEveryReplica(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		a := newServer(t, db.Dialect(), options{db: db})
		b := newServer(t, db.Dialect(), options{db: db})
		body := registration()
		_, learner := a.register(body)
		other := a.login(body["email"].(string), body["password"].(string))
		_, team := a.signUp("team")
		for _, tok := range []string{learner, other, team} {
			b.me(tok) // b has read the revocations before the logouts
		}

		for _, c := range []struct{ name, token, path string }{
			{"learner", learner, "/api/v1/me/enrolments"},
			{"team", team, "/api/v1/users?email=x"},
		} {
			func() {
				b.do(request{method: "GET", path: c.path, token: c.token}).expect(t, 200)
				a.do(request{method: "POST", path: "/api/v1/auth/logout", token: c.token}).expect(t, 204)
				ended := time.Now()
				for _, path := range []string{"/api/v1/me", c.path} {
					a.do(request{method: "GET", path: path, token: c.token}).problem(t, 401, "unauthorized")
				}
				a.do(request{method: "POST", path: "/api/v1/auth/logout", token: c.token}).problem(t, 401, "unauthorized")
				refusedWithin(t, b, c.token, c.path, time.Second-time.Since(ended))
				b.do(request{method: "GET", path: "/api/v1/me", token: c.token}).problem(t, 401, "unauthorized")
			}()
		}
		a.me(other)
		b.me(other)
		a.do(request{method: "POST", path: "/api/v1/auth/logout"}).problem(t, 401, "unauthorized")
	})
}

// A password change needs the current password and ends every other
// session of the user, on every replica, but not the one it came from.
func TestPasswordChange(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		a := newServer(t, db.Dialect(), options{db: db})
		b := newServer(t, db.Dialect(), options{db: db})
		body := registration()
		u, current := a.register(body)
		other := a.login(u.Email, body["password"].(string))
		b.me(other)
		path := "/api/v1/me/password"

		a.do(request{method: "PUT", path: path, token: current, body: map[string]string{"current_password": "not my password", "password": "a fresh long passphrase"}}).
			problem(t, 422, "wrong_password")
		p := a.do(request{method: "PUT", path: path, token: current, body: map[string]string{"current_password": body["password"].(string), "password": "password1234"}}).
			problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" || !strings.Contains(p.Errors[0].Message, "common") {
			t.Fatalf("errors %+v", p.Errors)
		}
		a.do(request{method: "PUT", path: path, body: map[string]string{"current_password": body["password"].(string), "password": "a fresh long passphrase"}}).
			problem(t, 401, "unauthorized")
		a.me(other) // nothing changed yet

		a.do(request{method: "PUT", path: path, token: current, body: map[string]string{"current_password": body["password"].(string), "password": "a fresh long passphrase"}}).
			expect(t, 204)
		a.do(request{method: "GET", path: "/api/v1/me", token: other}).problem(t, 401, "unauthorized")
		refusedWithin(t, b, other, "/api/v1/me/enrolments", time.Second)
		a.me(current)
		b.me(current)
		a.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": u.Email, "password": body["password"].(string)}}).problem(t, 401, "invalid_credentials")
		b.me(a.login(u.Email, "a fresh long passphrase"))
	})
}

// A reset link sent to the address sets a new password once, ends every
// session, and verifies the address: the owner of an address someone else
// registered takes the account back.
func TestPasswordReset(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		// In the past, so the e-mails are due for a sender on the real clock;
		// mid-window, so the request counts fall into one throttle window.
		clock := newClock(midWindow().Add(-15 * time.Minute))
		a := newServer(t, db.Dialect(), options{db: db, clock: clock})
		b := newServer(t, db.Dialect(), options{db: db, clock: clock})
		inbox := testenv.SMTP(t)
		body := registration() // the squatter, who knows the password
		u, squatter := a.register(body)
		b.me(squatter)
		a.deliver(t, inbox) // the verification e-mail, which the squatter cannot open

		a.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": "nobody.here@example.lv"}}).expect(t, 202)
		a.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": strings.ToUpper(u.Email)}}).expect(t, 202)
		var queued int64
		db.Conn(context.Background()).Table("outbox").Where("template = ?", "password_reset").Count(&queued)
		if queued != 1 {
			t.Fatalf("%d reset e-mails queued, want one (none for the unknown address)", queued)
		}
		if n := a.deliver(t, inbox); n != 1 {
			t.Fatalf("%d sent", n)
		}
		m := inbox.Messages()[1]
		link := resetLink.FindStringSubmatch(m.Body)
		if strings.Trim(m.To, "<>") != u.Email || m.Subject != "Paroles atjaunošana" || link == nil || !strings.Contains(m.Body, "vienu stundu") {
			t.Fatalf("reset e-mail to %s %q:\n%s", m.To, m.Subject, m.Body)
		}
		confirm := "/api/v1/auth/password-reset/confirm"

		// A refused password leaves the link usable.
		p := a.do(request{method: "POST", path: confirm, body: map[string]string{"token": link[1], "password": "Ozoliņa1234567"}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
			t.Fatalf("errors %+v", p.Errors)
		}
		a.do(request{method: "POST", path: confirm, body: map[string]string{"token": "no-such-token", "password": "the owner's own passphrase"}}).problem(t, 422, "invalid_token")
		clock.Set(clock.Now().Add(time.Second)) // the squatter signed in before the reset
		a.do(request{method: "POST", path: confirm, body: map[string]string{"token": link[1], "password": "the owner's own passphrase"}}).expect(t, 204)
		clock.Set(clock.Now().Add(time.Second))
		a.do(request{method: "GET", path: "/api/v1/me", token: squatter}).problem(t, 401, "unauthorized")
		refusedWithin(t, b, squatter, "/api/v1/me/enrolments", time.Second)
		a.do(request{method: "POST", path: confirm, body: map[string]string{"token": link[1], "password": "yet another passphrase"}}).problem(t, 422, "invalid_token")
		a.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": u.Email, "password": body["password"].(string)}}).problem(t, 401, "invalid_credentials")
		owner := b.login(u.Email, "the owner's own passphrase")
		if !a.me(owner).EmailVerified {
			t.Fatal("the reset did not verify the address")
		}

		// A link works for an hour.
		a.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": u.Email}}).expect(t, 202)
		clock.Set(clock.Now().Add(time.Hour + time.Second))
		for _, tok := range linkTokens(t, db, u.ID, "password_reset") {
			a.do(request{method: "POST", path: confirm, body: map[string]string{"token": tok, "password": "yet another passphrase"}}).problem(t, 422, "invalid_token")
		}
	})
}

// Reset requests are limited per e-mail from one client, per e-mail from
// everywhere (four times that) and per client, known addresses or not, so
// the limit tells nothing about who is registered; a stranger's requests
// from one address do not stop the owner's from another.
func TestPasswordResetThrottle(t *testing.T) {
	s := newServer(t, database.SQLite, options{clock: newClock(midWindow())})
	u, _ := s.signUp()
	reset := func(email, from string) reply {
		return s.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": email}, header: map[string]string{"X-Forwarded-For": from}})
	}
	for _, email := range []string{u.Email, "unknown@example.lv"} {
		for i := 0; i < 5; i++ {
			reset(email, "10.1.0.1").expect(t, 202)
		}
		r := reset(email, "10.1.0.1")
		r.problem(t, 429, "rate_limited")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		reset(email, "10.1.0.2").expect(t, 202) // the owner, elsewhere
		// From everywhere together, 20 an hour reach one address.
		for i := 0; i < 14; i++ {
			reset(email, "10.1.2."+strconv.Itoa(i)).expect(t, 202)
		}
		reset(email, "10.1.3.1").problem(t, 429, "rate_limited")
	}
	if n := len(linkTokens(t, s.db, u.ID, "password_reset")); n != 20 {
		t.Fatalf("%d reset e-mails went to the owner; want 20", n)
	}
	for i := 0; i < 50; i++ {
		reset(strings.Repeat("x", i+1)+"@example.lv", "10.2.0.1").expect(t, 202)
	}
	reset("someone.else@example.lv", "10.2.0.1").problem(t, 429, "rate_limited")
	reset("someone.else@example.lv", "10.2.0.2").expect(t, 202)
}

// Common and guessable passwords are refused with a reason; a passphrase
// is not.
func TestPasswordRules(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		for _, c := range []struct{ password, why string }{
			{"password1234", "common"},
			{"QWERTYUIOP123", "common"},
			{"iloveyou1234", "common"},
			{"sunshine123456", "common"},
			{"LigaOzolina2024", "name"},
			{"Līga Ozoliņa 1990", "name"},
			{"ozolinaliga12", "name"},
			{"Ozoliņa1234567", "name"},
			{"liga.ozolina.x@example.lv", "e-mail"},
			{"liga.ozolina.x", "e-mail"},
			{"Liga.Ozolina.X99", "e-mail"},
		} {
			body := registration()
			body["email"], body["password"] = "liga.ozolina.x@example.lv", c.password
			p := s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).problem(t, 422, "validation_failed")
			if len(p.Errors) != 1 || p.Errors[0].Field != "password" || !strings.Contains(p.Errors[0].Message, c.why) {
				t.Errorf("%q: errors %+v, want one on password saying %q", c.password, p.Errors, c.why)
			}
		}
		body := registration()
		body["email"] = "liga.ozolina.x@example.lv"
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201)
	})
}

// A token whose account was closed or is gone gets 401 on every route,
// never a 5xx.
func TestClosedAccountTokens(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		a := newServer(t, db.Dialect(), options{db: db})
		b := newServer(t, db.Dialect(), options{db: db})
		ctx := context.Background()
		remove := func(id string) {
			for _, q := range []string{"DELETE FROM outbox WHERE user_id = ?", "DELETE FROM users WHERE id = ?"} {
				if err := db.Conn(ctx).Exec(q, id).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		closed, token := a.signUp()
		b.me(token)
		if err := a.users.EndAllSessions(ctx, closed.ID); err != nil {
			t.Fatal(err)
		}
		remove(closed.ID)
		for _, path := range []string{"/api/v1/me", "/api/v1/me/enrolments"} {
			a.do(request{method: "GET", path: path, token: token}).problem(t, 401, "unauthorized")
		}
		refusedWithin(t, b, token, "/api/v1/me/enrolments", time.Second)

		// An account removed without ending its sessions.
		gone, token := a.signUp()
		_, teamToken := a.signUp("team")
		teamID := a.me(teamToken).ID
		remove(gone.ID)
		remove(teamID)
		a.do(request{method: "GET", path: "/api/v1/me", token: token}).problem(t, 401, "unauthorized")
		a.do(request{method: "GET", path: "/api/v1/me", token: teamToken}).problem(t, 401, "unauthorized")
		a.do(request{method: "GET", path: "/api/v1/users", token: teamToken}).problem(t, 401, "unauthorized")
	})
}
