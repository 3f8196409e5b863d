package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/lv"
	"mooc/internal/testenv"
)

// The team sets a target on its page and reads the progress there and
// on the people figure; the counts are the completions report's.
func TestReportTargetPages(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		st := newReportStage(t, siteOptions{dialect: db.Dialect()})
		b := st.team
		learner, author := st.signIn(t, "ilze@mooc.test", ""), st.signIn(t, "autore@mooc.test", accounts.RoleAuthor)
		for _, who := range []*browser{learner, author} {
			who.get("/team/reports/targets").expect(t, 404)
			who.post("/team/reports/targets", url.Values{"key": {"visi"}}).expect(t, 404)
		}

		b.get("/team/reports/targets").expect(t, 200, "Mērķi vēl nav noteikti.", `aria-current="page">Finansētāju mērķi`)
		by := st.history.Now.AddDate(0, 3, 0)
		day := by.In(lv.Riga).Format(time.DateOnly)
		b.post("/team/reports/targets", url.Values{"key": {"visi-2027"}, "title": {"Kvalifikāciju paaugstinājuši"}, "people": {"1400"},
			"by": {day}, "kind_online": {"yes"}, "kind_in_person": {"yes"}}).expect(t, 303)
		end := time.Date(by.In(lv.Riga).Year(), by.In(lv.Riga).Month(), by.In(lv.Riga).Day()+1, 0, 0, 0, 0, lv.Riga)
		rep, err := st.App.Reports.Completions(context.Background(), time.Time{}, end)
		if err != nil || rep.PeopleCompleted == 0 {
			t.Fatalf("the completions report: %d, %v", rep.PeopleCompleted, err)
		}
		n := strconv.Itoa(rep.PeopleCompleted)
		b.get("/team/reports/targets").expect(t, 200, "Mērķis saglabāts.", `<th scope="row">Kvalifikāciju paaugstinājuši</th><td>visi-2027</td><td>e-mācības, klātienes mācības</td><td>`+day+`</td><td class="num">1400</td><td class="num">`+n+`</td><td class="num">0 %</td>`)

		// The people figure of a period ending on the target's date is held against it.
		b.get("/team/reports/people?to="+by.UTC().AddDate(0, 0, 1).Format(time.DateOnly)).expect(t, 200, "<strong>1400 personas</strong> (Kvalifikāciju paaugstinājuši)")

		// Refused: the fields named, the form kept.
		p := b.post("/team/reports/targets", url.Values{"key": {"Visi Mērķi"}, "title": {"Tukšs"}, "people": {"nav"}, "by": {"31.12.2027"}}).expect(t, 422,
			"jābūt 1 līdz 64 mazajiem burtiem, cipariem un defisēm", "jābūt vismaz 1", "jābūt datumam, piemēram, 2027-12-31",
			"jāizvēlas e-mācības, klātienes mācības vai abas", `value="Tukšs"`)
		if strings.Count(p.body, `aria-invalid="true"`) != 3 {
			t.Errorf("want key, people and by marked invalid:\n%.3000s", p.body)
		}
		b.lang = "en"
		b.get("/team/reports/targets?lang=en").expect(t, 200, "Funders&#39; targets", "online, in person")
	})
}
