package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/reports/reportstest"
)

// reportStage is a site whose report pages read its reports, with a
// history of learners written in SQL and a team member signed in.
type reportStage struct {
	*site
	team       *browser
	history    *reportstest.History
	course     reportstest.Course
	ended      string // a cohort that ended ten days ago
	from, to   string // a period holding both cohorts
	teamCookie *http.Cookie
}

func newReportStage(t *testing.T, o siteOptions) *reportStage {
	t.Helper()
	s := startSite(t, o)
	st := &reportStage{site: s, history: reportstest.New(t, s.App.DB)}
	st.history.Now = s.now().UTC().Truncate(time.Second)
	st.course = reportstest.Course{ID: s.Course.ID, MethodologyID: s.Course.MethodologyID, Title: s.Course.Title}
	for _, w := range s.Course.Weeks {
		for _, l := range w.Lessons {
			st.course.Lessons = append(st.course.Lessons, reportstest.Lesson{ID: l.ID, Week: w.Number})
		}
	}
	for _, test := range s.Course.Tests {
		if test.Final {
			st.course.FinalTestID = test.ID
		}
	}
	all := len(st.course.Lessons)
	st.history.Enrol(st.course, s.Cohort.ID,
		reportstest.Learner{Municipality: "Rīga", Lessons: all, FinalPassed: true, Certified: true},
		reportstest.Learner{Municipality: "Rīga", Lessons: all, FinalPassed: true},
		reportstest.Learner{Municipality: "Rīga", Lessons: all, FinalPassed: true},
		reportstest.Learner{Municipality: "Ludzas novads", Lessons: all, FinalPassed: true},
		reportstest.Learner{Municipality: "Ludzas novads", Lessons: 1},
		reportstest.Learner{Municipality: "Cēsu novads"})
	st.ended = st.history.Cohort(st.course, "Rudens grupa", st.history.Now.Add(-10*24*time.Hour))
	st.history.Enrol(st.course, st.ended,
		reportstest.Learner{Municipality: "Jelgava", Lessons: all, FinalPassed: true},
		reportstest.Learner{Municipality: "Jelgava", Lessons: all, FinalPassed: true})
	st.from = st.history.Now.AddDate(0, -2, 0).Format(time.DateOnly)
	st.to = st.history.Now.AddDate(0, 2, 0).Format(time.DateOnly)
	st.team = st.signIn(t, "komanda@mooc.test", accounts.RoleTeam)
	st.teamCookie = st.team.cookie("mooc_session")
	return st
}

// signIn registers a person with a role (none: a learner) and signs them
// in through the login form.
func (st *reportStage) signIn(t *testing.T, email, role string) *browser {
	t.Helper()
	ctx := context.Background()
	const password = "zaļš kalns dzied rītā"
	u, err := st.App.Accounts.Register(ctx, accounts.Registration{Email: email, Password: password, GivenName: "Dace",
		FamilyName: "Kalniņa", Municipality: "Rīga"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := st.App.Accounts.SetRoles(ctx, u.ID, []string{role}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, st.URL)
	b.post("/login", url.Values{"email": {email}, "password": {password}}).expect(t, 303)
	return b
}

func (st *reportStage) period() string { return "from=" + st.from + "&to=" + st.to }

// reportCSV reads a CSV download's records.
func reportCSV(t *testing.T, p page) [][]string {
	t.Helper()
	if !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("not a CSV attachment: %v", p.header)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, p.body)
	}
	return rows
}

// reportWorkbook reads a workbook's first sheet.
func reportWorkbook(t *testing.T, body []byte) (string, [][]string) {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		t.Fatalf("not a zip file: % x", body[:min(len(body), 8)])
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return sheet, rows
}

func reportHas(t *testing.T, rows [][]string, want ...[]string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, r := range rows {
			if strings.Join(r, "|") == strings.Join(w, "|") {
				found = true
			}
		}
		if !found {
			t.Errorf("no row %q in\n%q", w, rows)
		}
	}
}

func TestReportPagesOverHTTP(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		st := newReportStage(t, siteOptions{dialect: db.Dialect()})
		b := st.team
		cohortPage := "/team/reports/cohorts/" + st.Cohort.ID

		// Only the team reaches the reports: to others they do not exist.
		learner, author := st.signIn(t, "ilze@mooc.test", ""), st.signIn(t, "autore@mooc.test", accounts.RoleAuthor)
		for _, path := range []string{"/team/reports", "/team/reports?" + st.period(), "/team/reports/people", cohortPage,
			"/team/reports/download?format=xlsx", "/team/reports/people/download?format=csv", cohortPage + "/download?figure=funnel&format=csv"} {
			learner.get(path).expect(t, 404)
			author.get(path).expect(t, 404)
			if p := newBrowser(t, st.URL).get(path); p.status != 303 || !strings.HasPrefix(p.header.Get("Location"), "/login") {
				t.Errorf("%s signed out: %d %s", path, p.status, p.header.Get("Location"))
			}
		}

		// The period's report: a chart and a table per figure.
		rep := b.get("/team/reports?"+st.period()).expect(t, 200, `<svg xmlns="http://www.w3.org/2000/svg" class="chart wide"`, `role="img"`,
			`aria-labelledby="fig-course-title fig-course-desc"`, "Pabeigušie pēc kursa vai programmas", "Pabeigušie pēc plānošanas reģiona",
			`<th scope="row"><a href="/team/reports/cohorts/`+st.Cohort.ID+`">`, "Ludzas novads", "Latgale", "Zemgale", "Rudens grupa",
			`<dd>8</dd>`, `<dd>6</dd>`, `<dd>1</dd>`, `value="`+st.from+`"`, "figure=region&amp;format=xlsx",
			`href="/team/reports/people?from=`+st.from+`&amp;to=`+st.to+`"`)
		if strings.Contains(rep.body, "style=") {
			t.Error("an inline style attribute: the CSP forbids it")
		}
		// The map labels each region with completed of enrolled.
		for _, want := range []string{`data-region="Rīga" data-value="3"`, `data-region="Latgale" data-value="1"`, `data-region="Zemgale" data-value="2"`,
			`data-region="Vidzeme" data-value="0"`, `data-region="Kurzeme" data-value="0"`, ">3 no 3<", ">1 no 2<", ">0 no 1<"} {
			if !strings.Contains(rep.body, want) {
				t.Errorf("the map lacks %s", want)
			}
		}
		b.lang = "en"
		b.get("/team/reports?"+st.period()+"&lang=en").expect(t, 200, "Completions by planning region", "3 of 3")
		b.get("/team/reports?lang=lv").expect(t, 200, "Visas grupas un programmas")

		// A bad date is refused naming its field, the form kept.
		b.get("/team/reports?from=31.12.2026&to="+st.to).expect(t, 422, `id="f-from-error"`, "jābūt datumam", `href="#f-from"`, `value="31.12.2026"`)
		b.get("/team/reports?from="+st.to+"&to="+st.from).expect(t, 422, `id="f-to-error"`, "jābūt vēlākam")
		b.get("/team/reports/people?to=vakar").expect(t, 422, `id="f-to-error"`)
		b.get("/team/reports/download?figure=region&format=csv&from=x").expect(t, 422)
		b.get("/team/reports/download?figure=nav&format=csv").expect(t, 404)

		// Each figure's file has the table's numbers.
		regions := reportCSV(t, b.get("/team/reports/download?figure=region&format=csv&"+st.period()).expect(t, 200))
		reportHas(t, regions, []string{"region", "enrolled", "completed", "certified"}, []string{"Rīga", "3", "3", "1"},
			[]string{"Latgale", "2", "1", "0"}, []string{"Vidzeme", "1", "0", "0"}, []string{"Zemgale", "2", "2", "0"}, []string{"Kurzeme", "0", "0", "0"})
		munis := reportCSV(t, b.get("/team/reports/download?figure=municipality&format=csv&"+st.period()).expect(t, 200))
		reportHas(t, munis, []string{"municipality", "region", "enrolled", "completed", "certified"}, []string{"Ludzas novads", "Latgale", "2", "1", "0"})
		cohortsFile := b.get("/team/reports/download?figure=cohort&format=xlsx&"+st.period()).expect(t, 200)
		sheet, rows := reportWorkbook(t, []byte(cohortsFile.body))
		if sheet != "Pēc grupas" || len(rows) != 3 || rows[0][0] != "Grupas ID" {
			t.Fatalf("cohorts workbook %q: %q", sheet, rows)
		}
		reportHas(t, rows, []string{st.ended, st.Course.Title, "Rudens grupa", "2", "2", "0"})

		// The whole report is the API's file.
		all := b.get("/team/reports/download?format=csv&"+st.period()).expect(t, 200)
		req, _ := http.NewRequest("GET", st.URL+"/api/v1/reports/completions?"+st.period(), nil)
		req.Header.Set("Accept", "text/csv")
		req.Header.Set("Authorization", "Bearer "+st.teamCookie.Value)
		if api := b.send(req).expect(t, 200); api.body != all.body {
			t.Fatalf("the page's file differs from the API's:\n%s\n---\n%s", all.body, api.body)
		}

		// Distinct people, with no target yet.
		b.get("/team/reports/people?"+st.period()).expect(t, 200, "Mācības pabeigušo personu skaits: 6", "mērķis nav noteikts", `id="fig-people-title"`)
		people := reportCSV(t, b.get("/team/reports/people/download?format=csv&"+st.period()).expect(t, 200))
		reportHas(t, people, []string{"methodology_id", "methodology", "people_completed", "target"}, []string{"", "Kopā (katra persona vienreiz)", "6", ""})

		// The cohort's funnel and drop-off.
		weeks := len(st.Course.Weeks)
		b.get(cohortPage).expect(t, 200, `id="fig-funnel-title"`, `id="fig-dropoff-title"`, "Vietu grupā tur 6", "Pabeigtas 1. nedēļas nodarbības",
			"Nepabeidza 1. nedēļas nodarbības")
		funnel := reportCSV(t, b.get(cohortPage+"/download?figure=funnel&format=csv").expect(t, 200))
		reportHas(t, funnel, []string{"step", "people"}, []string{"Uzņemti", "6"},
			[]string{"Noslēguma tests nokārtots un visas nodarbības pabeigtas", "4"}, []string{"Saņēmuši apliecinājumu", "1"})
		_, dropRows := reportWorkbook(t, []byte(b.get(cohortPage+"/download?figure=dropoff&format=xlsx").expect(t, 200).body))
		stopped := 0
		for _, r := range dropRows[1:] {
			n, _ := strconv.Atoi(r[1])
			stopped += n
		}
		if len(dropRows) != weeks+2 || dropRows[0][0] != "Pārtrauca" || stopped != 2 {
			t.Fatalf("drop-off workbook %q", dropRows)
		}
		b.get("/team/reports/cohorts/00000000-0000-4000-8000-000000000000").expect(t, 404)
		b.get(cohortPage+"/download?figure=nav&format=csv").expect(t, 404)
	})
}
