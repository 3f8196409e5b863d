package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/demo"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// BenchmarkTeamCohortPage is the team's page of a full cohort: 200
// enrolled, 50 waiting, each row with the person and their progress, on
// PostgreSQL. The issue asks for under 100 ms a page.
func BenchmarkTeamCohortPage(b *testing.B) {
	ctx := context.Background()
	cfg := config.Config{DataDir: b.TempDir(), TokenSecret: "a-test-secret-of-at-least-thirty-two-bytes", TokenTTL: 12 * time.Hour,
		PublicURL: "http://127.0.0.1", MaxUploadBytes: 64 << 20, PrivacyNoticeVersion: "2026-12", RequestTimeout: 30 * time.Second}
	a, err := app.New(ctx, cfg, app.Options{Log: slog.New(slog.DiscardHandler), Version: "bench",
		DB: testenv.DB(b, database.Postgres), Hashing: &testkit.Hashing})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	c, _, err := demo.Seed(ctx, demo.Services{Accounts: a.Accounts, Catalogue: a.Catalogue, Media: a.Media,
		Assessment: a.Assessment, Cohorts: a.Cohorts, Programmes: a.Programmes}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 250 {
		u, err := a.Accounts.Register(ctx, accounts.Registration{Email: fmt.Sprintf("p%03d@mooc.test", i), Password: teamPassword,
			GivenName: "Līga", FamilyName: fmt.Sprintf("Ozoliņa %03d", i), Municipality: "Cēsu novads"}, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if _, err := a.Accounts.SetRoles(ctx, u.ID, []string{accounts.RoleTeam}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := a.Cohorts.Enrol(ctx, c.Cohort.ID, u.ID); err != nil {
			b.Fatal(err)
		}
	}
	s, err := a.Accounts.Login(ctx, "p000@mooc.test", teamPassword, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	get := func() string {
		req := httptest.NewRequest("GET", "/team/cohorts/"+c.Cohort.ID, nil)
		req.AddCookie(&http.Cookie{Name: "mooc_session", Value: s.AccessToken})
		res, err := a.HTTP.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d: %.300s", res.StatusCode, body)
		}
		return string(body)
	}
	if body := get(); strings.Count(body, "<tr>") != 251 {
		b.Fatalf("%d rows", strings.Count(body, "<tr>"))
	}
	for b.Loop() {
		get()
	}
}
