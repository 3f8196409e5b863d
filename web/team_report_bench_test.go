package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/config"
	"mooc/internal/app"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/reports/reportstest"
)

// reportMunicipalities are where the benchmark's learners work: a few of
// every planning region and one not given.
var reportMunicipalities = []string{"Rīga", "Jūrmala", "Ādažu novads", "Ķekavas novads", "Mārupes novads", "Olaines novads",
	"Ropažu novads", "Salaspils novads", "Saulkrastu novads", "Siguldas novads", "Liepāja", "Ventspils", "Dienvidkurzemes novads",
	"Kuldīgas novads", "Saldus novads", "Talsu novads", "Tukuma novads", "Jelgava", "Jelgavas novads", "Aizkraukles novads",
	"Bauskas novads", "Dobeles novads", "Jēkabpils novads", "Daugavpils", "Rēzekne", "Augšdaugavas novads", "Balvu novads",
	"Krāslavas novads", "Līvānu novads", "Ludzas novads", "Preiļu novads", "Alūksnes novads", "Cēsu novads", "Gulbenes novads",
	"Limbažu novads", "Madonas novads", "Ogres novads", "Smiltenes novads", "Valkas novads", "Valmieras novads", ""}

// The report page against GET /api/v1/reports/completions on the same
// PostgreSQL data: 50 cohorts that ended over the past year with 10,000
// enrolments (a quarter completed, most of those certified), the rest at
// every stage of the course. The page must take at most the API's time
// plus 20 %.
func BenchmarkReportCompletions(b *testing.B) {
	ctx := context.Background()
	db := testenv.DB(b, database.Postgres)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Config{DataDir: b.TempDir(), TokenSecret: "a-test-secret-of-at-least-thirty-two-bytes", TokenTTL: 12 * time.Hour,
		PublicURL: base, MaxUploadBytes: 64 << 20, PrivacyNoticeVersion: "2026-12", RequestTimeout: 30 * time.Second}
	a, err := app.New(ctx, cfg, app.Options{Log: slog.New(slog.DiscardHandler), Version: "bench", DB: db, Hashing: &testkit.Hashing})
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.HTTP.Listener(ln) }()
	b.Cleanup(func() {
		_ = a.HTTP.ShutdownWithTimeout(5 * time.Second)
		if err := <-served; err != nil {
			b.Logf("serving: %v", err)
		}
		_ = a.Close()
	})

	h := reportstest.New(b, db)
	course := h.Course("Krīzes intervence", 5, 3)
	lessons := len(course.Lessons)
	const cohorts, perCohort = 50, 200
	for i := range cohorts {
		cohort := h.Cohort(course, fmt.Sprintf("%d. grupa", cohorts-i), h.Now.Add(-time.Duration(i)*7*24*time.Hour))
		learners := make([]reportstest.Learner, perCohort)
		for k := range learners {
			j := i*perCohort + k
			l := reportstest.Learner{Municipality: reportMunicipalities[j%len(reportMunicipalities)], Lessons: (j * 7) % lessons}
			if j%4 == 0 {
				l = reportstest.Learner{Municipality: l.Municipality, Lessons: lessons, FinalPassed: true, Certified: j%5 != 0}
			}
			learners[k] = l
		}
		h.Enrol(course, cohort, learners...)
	}
	if err := db.Conn(ctx).Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}

	const email, password = "komanda@mooc.test", "zaļš kalns dzied rītā"
	u, err := a.Accounts.Register(ctx, accounts.Registration{Email: email, Password: password, GivenName: "Dace", FamilyName: "Kalniņa", Municipality: "Rīga"}, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Accounts.SetRoles(ctx, u.ID, []string{accounts.RoleTeam}); err != nil {
		b.Fatal(err)
	}
	session, err := a.Accounts.Login(ctx, email, password, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	period := "from=" + h.Now.AddDate(-2, 0, 0).Format(time.DateOnly) + "&to=" + h.Now.Add(24*time.Hour).Format(time.DateOnly)
	client := &http.Client{Timeout: time.Minute}
	read := func(b *testing.B, req *http.Request) int {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", req.URL, res.StatusCode)
		}
		return int(n)
	}
	requests := []struct {
		name, path string
		sign       func(*http.Request)
	}{
		{"api", "/api/v1/reports/completions?" + period, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+session.AccessToken) }},
		{"page", "/team/reports?" + period, func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "mooc_session", Value: session.AccessToken})
		}},
	}
	get := func(b *testing.B, i int) (time.Duration, int) {
		req, _ := http.NewRequest("GET", base+requests[i].path, nil)
		requests[i].sign(req)
		start := time.Now()
		n := read(b, req)
		return time.Since(start), n
	}
	for i, c := range requests {
		b.Run(c.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				_, size = get(b, i)
			}
			b.ReportMetric(float64(size), "bytes/reply")
		})
	}
	// Both in turn, so that the machine's load falls on them alike: the
	// page's time over the API's is the figure the target is about.
	b.Run("both", func(b *testing.B) {
		var api, page time.Duration
		for b.Loop() {
			d, _ := get(b, 0)
			api += d
			d, _ = get(b, 1)
			page += d
		}
		b.ReportMetric(float64(api.Milliseconds())/float64(b.N), "api-ms/op")
		b.ReportMetric(float64(page.Milliseconds())/float64(b.N), "page-ms/op")
		b.ReportMetric(float64(page)/float64(api), "page/api")
	})
}
