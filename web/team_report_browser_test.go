package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mooc/internal/browsertest"
	"mooc/internal/database"
)

// As the team in Chromium: read the report, download its workbook from
// the page (fetched as the link would be, checked to be an xlsx), and
// every kind of report page passes axe-core in both languages at both
// widths, with no console error or CSP violation.
func TestReportsInBrowser(t *testing.T) {
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	st := newReportStage(t, siteOptions{dialect: database.SQLite, now: clk.Now})
	b := browsertest.Start(t)

	t.Run("read and download", func(t *testing.T) {
		tab := b.NewTab(t, browsertest.Viewport{Width: 1280, Height: 900})
		tab.SetCookie(t, st.URL, st.teamCookie)
		tab.Navigate(t, st.URL+"/team/reports?lang=lv")
		tab.Eval(t, fmt.Sprintf(`document.querySelector("#f-from").value = %q; document.querySelector("#f-to").value = %q; true`, st.from, st.to), nil)
		if code := tab.ClickNavigate(t, "form.period button[type=submit]"); code != 200 {
			t.Fatalf("the period's report: %d", code)
		}
		if u := tab.URL(t); !strings.Contains(u, "from="+st.from) || !strings.Contains(u, "to="+st.to) {
			t.Fatalf("the form went to %s", u)
		}
		if got := tab.Text(t, "#fig-region-t"); !strings.Contains(got, "Pabeigušie pēc plānošanas reģiona") {
			t.Errorf("the region table's caption %q", got)
		}
		if got := tab.Text(t, ".totals"); !strings.Contains(got, "8") || !strings.Contains(got, "6") {
			t.Errorf("totals %q", got)
		}
		var label string
		tab.Eval(t, `document.querySelector("svg[aria-labelledby^='fig-region']").getAttribute("aria-labelledby")`, &label)
		if label != "fig-region-title fig-region-desc" {
			t.Errorf("the map's label %q", label)
		}

		// The whole report's workbook, fetched by the page itself.
		var got struct {
			Status      int
			Type, Name  string
			Bytes       []int
			Disposition string
		}
		tab.Eval(t, `(async () => {
			const a = document.querySelector('.downloads a[href*="format=xlsx"]');
			const r = await fetch(a.href, {credentials: "same-origin"});
			const b = new Uint8Array(await r.arrayBuffer());
			return {Status: r.status, Type: r.headers.get("Content-Type"), Disposition: r.headers.get("Content-Disposition"), Bytes: Array.from(b)};
		})()`, &got)
		if got.Status != 200 || !strings.Contains(got.Type, "spreadsheetml") || !strings.Contains(got.Disposition, ".xlsx") {
			t.Fatalf("workbook: %d %q %q", got.Status, got.Type, got.Disposition)
		}
		body := make([]byte, len(got.Bytes))
		for i, v := range got.Bytes {
			body[i] = byte(v)
		}
		sheet, rows := reportWorkbook(t, body)
		if sheet != "Pabeigušie" || len(rows) < 2 || rows[0][0] != "Veids" || rows[1][0] != "e-mācību kurss" {
			t.Fatalf("sheet %q, first rows %q", sheet, rows[:min(len(rows), 2)])
		}
		reportHas(t, rows[:2], []string{"Veids", "Kurss", "Grupa", "Programma", "Pašvaldība", "Plānošanas reģions",
			"Pieteikušies", "Pabeiguši", "Saņēmuši apliecinājumu", "Pabeigušo personu skaits", "Kursa ID", "Grupas ID", "Programmas ID"})
		if p := tab.Problems(t); len(p) > 0 {
			t.Errorf("the page reported:\n%s", strings.Join(p, "\n"))
		}
	})

	kinds := []struct {
		name, path string
		status     int
	}{
		{"completions", "/team/reports?" + st.period(), 200},
		{"completions-all-time", "/team/reports", 200},
		{"completions-refused", "/team/reports?from=31.12.2026&to=" + st.to, 422},
		{"people", "/team/reports/people?" + st.period(), 200},
		{"cohort", "/team/reports/cohorts/" + st.Cohort.ID, 200},
		{"targets", "/team/reports/targets", 200},
	}
	for _, lang := range []string{"lv", "en"} {
		for _, width := range []int{1280, 375} {
			tab := b.NewTab(t, browsertest.Viewport{Width: width, Height: 900, Mobile: width < 600})
			tab.SetCookie(t, st.URL, st.teamCookie)
			for _, k := range kinds {
				name := fmt.Sprintf("report-%s-%s-%d", k.name, lang, width)
				sep := "?"
				if strings.Contains(k.path, "?") {
					sep = "&"
				}
				checkPage(t, tab, name, tab.Navigate(t, st.URL+k.path+sep+"lang="+lang), k.status)
			}
		}
	}
}
