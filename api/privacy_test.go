package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

type ownUserBody struct {
	userBody
	EmailVerified bool       `json:"email_verified"`
	Announcements bool       `json:"announcements"`
	ClosedAt      *time.Time `json:"closed_at"`
}

// A person changes their own profile; names cannot be emptied, and the
// choice of announcements decides who hears of an opening cohort.
func TestPatchMe(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		u, token := s.signUp()
		patch := func(body map[string]any) reply {
			return s.do(request{method: "PATCH", path: "/api/v1/me", token: token, body: body})
		}
		var got ownUserBody
		patch(map[string]any{"family_name": "  Bērziņa ", "workplace": "Siguldas novada Sociālais dienests", "announcements": false}).
			expect(t, 200).json(t, &got)
		if got.FamilyName != "Bērziņa" || got.GivenName != "Līga" || got.Workplace != "Siguldas novada Sociālais dienests" ||
			got.Announcements || got.Email != u.Email || got.Municipality != "Ogres novads" {
			t.Fatalf("after PATCH: %+v", got)
		}
		p := patch(map[string]any{"given_name": " ", "municipality": ""}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 2 || p.Errors[0].Field != "given_name" || p.Errors[1].Field != "municipality" {
			t.Fatalf("errors %+v", p.Errors)
		}
		patch(map[string]any{"position": strings.Repeat("ā", 201)}).problem(t, 422, "validation_failed")
		patch(map[string]any{"announcements": "yes"}).expect(t, 400)
		s.do(request{method: "PATCH", path: "/api/v1/me", body: map[string]any{"position": "x"}}).expect(t, 401)
		// Nothing of the refused changes was kept.
		s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200).json(t, &got)
		if got.GivenName != "Līga" || got.Municipality != "Ogres novads" || got.Position != "sociālā darbiniece" {
			t.Fatalf("a refused PATCH changed %+v", got)
		}

		// Announcements go to verified addresses that want them.
		verify := func(userID string) {
			for _, tok := range linkTokens(t, db, userID, "verify_email") {
				s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": tok}}).expect(t, 204)
			}
		}
		verify(u.ID)
		wants, _ := s.signUp()
		verify(wants.ID)
		wanting := func() []string {
			ls, err := s.users.Listeners(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, l := range ls {
				if l.Announcements {
					ids = append(ids, l.ID)
				}
			}
			return ids
		}
		if ids := wanting(); strings.Join(ids, ",") != wants.ID {
			t.Fatalf("announcements would go to %v; only %s wants them", ids, wants.ID)
		}
		patch(map[string]any{"announcements": true}).expect(t, 200)
		if ids := wanting(); len(ids) != 2 {
			t.Fatalf("after opting in: %v", ids)
		}
	})
}

// GET /me/data gives back everything held about the caller, and nothing
// about anyone else.
func TestMyData(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c := s.cohort(200, 30*24*time.Hour)
		u, learner := s.signUp()
		_, other := s.signUp()
		e := s.enrolled(learner, c.ID)
		s.enrolled(other, c.ID)
		s.complete(learner, e.ID)
		var cert certificateBody
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)

		r := s.do(request{method: "GET", path: "/api/v1/me/data", token: learner}).expect(t, 200)
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Disposition %q", cd)
		}
		var data struct {
			ExportedAt time.Time `json:"exported_at"`
			Profile    struct {
				ID                   string     `json:"id"`
				Email                string     `json:"email"`
				GivenName            string     `json:"given_name"`
				PrivacyNoticeVersion string     `json:"privacy_notice_version"`
				PrivacyAcceptedAt    *time.Time `json:"privacy_accepted_at"`
				PasswordHash         *string    `json:"password_hash"`
			} `json:"profile"`
			Enrolments     []map[string]any `json:"enrolments"`
			LessonProgress []map[string]any `json:"lesson_progress"`
			Attempts       []map[string]any `json:"attempts"`
			AttemptAnswers []map[string]any `json:"attempt_answers"`
			Certificates   []map[string]any `json:"certificates"`
			Applications   []map[string]any `json:"applications"`
			Emails         []map[string]any `json:"emails"`
			AuditEntries   []map[string]any `json:"audit_entries"`
		}
		r.json(t, &data)
		p := data.Profile
		if p.ID != u.ID || p.Email != u.Email || p.GivenName != "Līga" || p.PrivacyNoticeVersion != "2026-12" || p.PrivacyAcceptedAt == nil || p.PasswordHash != nil {
			t.Fatalf("profile %+v", p)
		}
		if len(data.Enrolments) != 1 || data.Enrolments[0]["id"] != e.ID || len(data.LessonProgress) == 0 {
			t.Fatalf("enrolments %v, %d lesson progress rows", data.Enrolments, len(data.LessonProgress))
		}
		if len(data.Attempts) != 1 || len(data.AttemptAnswers) == 0 || data.AttemptAnswers[0]["chosen"] == nil {
			t.Fatalf("attempts %v answers %v", data.Attempts, data.AttemptAnswers)
		}
		if len(data.Certificates) != 1 || data.Certificates[0]["code"] != cert.Code || data.Applications == nil {
			t.Fatalf("certificates %v applications %v", data.Certificates, data.Applications)
		}
		templates := map[string]bool{}
		for _, m := range data.Emails {
			templates[m["template"].(string)] = true
		}
		if !templates["verify_email"] || !templates["enrolled"] {
			t.Fatalf("e-mails %v", data.Emails)
		}
		// Nothing of the other learner, and no answer key.
		raw := string(r.body)
		for _, leak := range []string{`"password_hash"`, `"is_correct"`} {
			if strings.Contains(raw, leak) {
				t.Errorf("the export carries %s", leak)
			}
		}
		for _, row := range append(data.Enrolments, data.Attempts...) {
			if row["user_id"] != u.ID {
				t.Errorf("someone else's row %v", row)
			}
		}
		// The export is itself on record, as an entry about the person.
		r = s.do(request{method: "GET", path: "/api/v1/me/data", token: learner}).expect(t, 200)
		r.json(t, &data)
		if len(data.AuditEntries) != 1 || data.AuditEntries[0]["action"] != "personal_data.exported" {
			t.Fatalf("audit entries %v", data.AuditEntries)
		}
	})
}

// DELETE /me closes the account at once: every session ends, sign-in
// stops, the personal data is gone from the account, the address may
// register again, the seat goes to the next in line, and the certificate
// stays verifiable.
func TestCloseOwnAccount(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		other := newServer(t, db.Dialect(), options{db: db}) // a second replica
		c := s.cohort(1, 30*24*time.Hour)
		u, learner := s.signUp()
		second := s.login(u.Email, testkit.Password)
		e := s.enrolled(learner, c.ID)
		_, waiting := s.signUp()
		w := s.enrolled(waiting, c.ID)
		if w.Status != "waitlisted" {
			t.Fatalf("second learner %s", w.Status)
		}
		s.complete(learner, e.ID)
		var cert certificateBody
		s.do(request{method: "POST", path: "/api/v1/enrolments/" + e.ID + "/certificate", token: learner}).expect(t, 201).json(t, &cert)

		closeMe := func(token, password string) reply {
			return s.do(request{method: "DELETE", path: "/api/v1/me", token: token, body: map[string]string{"password": password}})
		}
		closeMe(learner, "not the password").problem(t, 422, "wrong_password")
		s.do(request{method: "DELETE", path: "/api/v1/me", token: learner, body: map[string]string{}}).problem(t, 422, "validation_failed")
		s.do(request{method: "GET", path: "/api/v1/me", token: learner}).expect(t, 200) // still open
		closeMe(learner, testkit.Password).expect(t, 204)

		for _, tok := range []string{learner, second} {
			s.do(request{method: "GET", path: "/api/v1/me/enrolments", token: tok}).problem(t, 401, "unauthorized")
		}
		refusedWithin(t, other, second, "/api/v1/me/enrolments", 2*time.Second)
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": u.Email, "password": testkit.Password}}).
			problem(t, 401, "invalid_credentials")
		closeMe(learner, testkit.Password).expect(t, 401)

		// The seat went to the learner waiting.
		if got := s.enrolmentNow(waiting, w.ID); got.Status != "enrolled" {
			t.Fatalf("the waiting learner is %s", got.Status)
		}
		// The team sees an emptied account.
		var gone ownUserBody
		s.do(request{method: "GET", path: "/api/v1/users/" + u.ID, token: s.team}).expect(t, 200).json(t, &gone)
		if gone.ClosedAt == nil || gone.GivenName != "" || gone.FamilyName != "" || gone.Municipality != "" || gone.Workplace != "" ||
			strings.Contains(gone.Email, "līga") || len(gone.Roles) != 0 {
			t.Fatalf("closed account %+v", gone)
		}
		var left int64
		if err := db.Conn(context.Background()).Table("outbox").Where("user_id = ?", u.ID).Count(&left).Error; err != nil || left != 0 {
			t.Fatalf("%d e-mails to the closed account kept (%v)", left, err)
		}
		// The certificate is still valid and names its holder as printed.
		page := string(s.do(request{method: "GET", path: "/verify/" + cert.Code}).expect(t, 200).body)
		if !strings.Contains(page, "Līga Ozoliņa") {
			t.Fatalf("the verification page lost the holder: %.300s", page)
		}
		// The address may open a new account.
		body := registration()
		body["email"] = u.Email
		var again userBody
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201).json(t, &again)
		if again.ID == u.ID {
			t.Fatal("the closed account came back")
		}
		// The closure is on the audit log, with the person as actor.
		var log struct {
			Items []struct {
				ActorID  string `json:"actor_id"`
				Action   string `json:"action"`
				TargetID string `json:"target_id"`
			} `json:"items"`
		}
		s.do(request{method: "GET", path: "/api/v1/audit?action=user.account_closed", token: s.team}).expect(t, 200).json(t, &log)
		if len(log.Items) != 1 || log.Items[0].ActorID != u.ID || log.Items[0].TargetID != u.ID {
			t.Fatalf("audit %+v", log.Items)
		}
	})
}

// The team keeps at least one member, however role changes and closures
// race.
func TestLastTeamMember(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		a, aToken := s.signUp("team")
		s.do(request{method: "PUT", path: "/api/v1/users/" + a.ID + "/roles", token: aToken, body: map[string]any{"roles": []string{"author"}}}).
			problem(t, 422, "last_team_member")
		s.do(request{method: "DELETE", path: "/api/v1/me", token: aToken, body: map[string]string{"password": testkit.Password}}).
			problem(t, 422, "last_team_member")
		s.do(request{method: "DELETE", path: "/api/v1/users/" + a.ID, token: aToken}).problem(t, 422, "last_team_member")
		var me ownUserBody
		s.do(request{method: "GET", path: "/api/v1/users/" + a.ID, token: aToken}).expect(t, 200).json(t, &me)
		if strings.Join(me.Roles, ",") != "learner,team" || me.ClosedAt != nil {
			t.Fatalf("after the refusals %+v", me)
		}

		// Two members take the role from each other at once, many times:
		// exactly one of each pair succeeds.
		for round := 0; round < 10; round++ {
			b, bToken := s.signUp("team")
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, call := range []struct{ token, target string }{{aToken, b.ID}, {bToken, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := s.try(request{method: "PUT", path: "/api/v1/users/" + call.target + "/roles", token: call.token,
						body: map[string]any{"roles": []string{}}})
					if err == nil {
						statuses[i] = r.status
					}
				}()
			}
			wg.Wait()
			ok := 0
			for _, st := range statuses {
				if st == 200 {
					ok++
				} else if st != 422 && st != 403 { // the loser may already have lost the role
					t.Fatalf("round %d: statuses %v", round, statuses)
				}
			}
			var team []string
			if err := db.Conn(context.Background()).Table("user_roles").Where("role = 'team'").Pluck("user_id", &team).Error; err != nil {
				t.Fatal(err)
			}
			if ok != 1 || len(team) != 1 {
				t.Fatalf("round %d: %d succeeded, team now %v", round, ok, team)
			}
			if team[0] != a.ID { // keep a as the one left, for the next round
				a, aToken = b, bToken
			}
		}
	})
}

// GET /users/{id} is the team's; an unknown or malformed id is 404.
func TestGetUser(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) { getUser(t, newServer(t, db.Dialect(), options{db: db})) })
}

func getUser(t *testing.T, s *server) {
	_, team := s.signUp("team")
	u, learner := s.signUp()
	var got ownUserBody
	s.do(request{method: "GET", path: "/api/v1/users/" + u.ID, token: team}).expect(t, 200).json(t, &got)
	if got.ID != u.ID || got.Email != u.Email || got.ClosedAt != nil {
		t.Fatalf("%+v", got)
	}
	s.do(request{method: "GET", path: "/api/v1/users/" + u.ID, token: learner}).problem(t, 403, "forbidden")
	s.do(request{method: "GET", path: "/api/v1/users/00000000-0000-4000-8000-000000000000", token: team}).problem(t, 404, "not_found")
	s.do(request{method: "GET", path: "/api/v1/users/not-an-id", token: team}).problem(t, 404, "not_found")
	s.do(request{method: "DELETE", path: "/api/v1/users/not-an-id", token: team}).problem(t, 404, "not_found")
}

// A new verification link on request, none once the address is verified,
// and not without bound.
func TestResendVerification(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db, clock: newClock(midWindow())})
		u, token := s.signUp()
		resend := func() reply {
			return s.do(request{method: "POST", path: "/api/v1/auth/verify-email/resend", token: token})
		}
		resend().expect(t, 202)
		tokens := linkTokens(t, db, u.ID, "verify_email")
		if len(tokens) != 2 {
			t.Fatalf("%d verification e-mails", len(tokens))
		}
		for range 4 {
			resend().expect(t, 202)
		}
		resend().problem(t, 429, "rate_limited")
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": tokens[1]}}).expect(t, 204)
		s.clock.Set(s.clock.Now().Add(time.Hour))
		resend().expect(t, 202)
		if n := len(linkTokens(t, db, u.ID, "verify_email")); n != 6 {
			t.Fatalf("%d verification e-mails after the address was verified; want no new one", n)
		}
	})
}

// The export is JSON a person can read: every section is a list, present
// even when empty.
func TestMyDataOfANewAccount(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	_, token := s.signUp()
	var data map[string]json.RawMessage
	s.do(request{method: "GET", path: "/api/v1/me/data", token: token}).expect(t, 200).json(t, &data)
	for _, section := range []string{"enrolments", "lesson_progress", "course_interest", "attempts", "attempt_answers", "certificates", "applications", "emails", "audit_entries"} {
		if v := strings.TrimSpace(string(data[section])); !strings.HasPrefix(v, "[") {
			t.Errorf("%s is %q, want a list", section, v)
		}
	}
}

// The whole life of an account, as its owner lives it, with every link
// read from an e-mail that went through a real SMTP server: register,
// verify, forget the password and reset it, sign out, download the data,
// close the account.
func TestAccountJourney(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		inbox := testenv.SMTP(t)
		linkIn := func(page string) string {
			t.Helper()
			if n := s.deliver(t, inbox); n != 1 {
				t.Fatalf("%d e-mails sent, want one", n)
			}
			msgs := inbox.Messages()
			m := regexp.MustCompile(`http://mooc\.test/` + page + `\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[len(msgs)-1].Body)
			if m == nil {
				t.Fatalf("no %s link in:\n%s", page, msgs[len(msgs)-1].Body)
			}
			return m[1]
		}
		body := registration()
		email := body["email"].(string)
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: body}).expect(t, 201)
		s.do(request{method: "POST", path: "/api/v1/auth/verify-email", body: map[string]string{"token": linkIn("verify-email")}}).expect(t, 204)

		s.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": email}}).expect(t, 202)
		const renewed = "rudens lapas virs Daugavas"
		s.do(request{method: "POST", path: "/api/v1/auth/password-reset/confirm",
			body: map[string]string{"token": linkIn("reset-password"), "password": renewed}}).expect(t, 204)
		token := s.login(email, renewed)
		var me ownUserBody
		s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200).json(t, &me)
		if !me.EmailVerified {
			t.Fatal("not verified")
		}
		s.do(request{method: "POST", path: "/api/v1/auth/logout", token: token}).expect(t, 204)
		s.do(request{method: "GET", path: "/api/v1/me", token: token}).problem(t, 401, "unauthorized")

		token = s.login(email, renewed)
		var data struct {
			Profile struct{ Email string } `json:"profile"`
			Emails  []map[string]any       `json:"emails"`
		}
		s.do(request{method: "GET", path: "/api/v1/me/data", token: token}).expect(t, 200).json(t, &data)
		if data.Profile.Email != email || len(data.Emails) != 2 {
			t.Fatalf("export: %+v", data)
		}
		s.do(request{method: "DELETE", path: "/api/v1/me", token: token, body: map[string]string{"password": renewed}}).expect(t, 204)
		s.do(request{method: "GET", path: "/api/v1/me", token: token}).problem(t, 401, "unauthorized")
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": renewed}}).
			problem(t, 401, "invalid_credentials")
		// A reset asked for the closed address sends nothing.
		s.do(request{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": email}}).expect(t, 202)
		if n := s.deliver(t, inbox); n != 0 {
			t.Fatalf("%d e-mails to a closed account", n)
		}
	})
}
