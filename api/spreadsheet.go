package api

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"mooc/internal/lv"
)

// xlsxType is the media type of an Excel workbook (Office Open XML).
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// format is how a list or report is sent.
type format int

const (
	asJSON format = iota
	asCSV
	asXLSX
)

// String is the format's name on the audit log's export entries.
func (f format) String() string {
	switch f {
	case asCSV:
		return "csv"
	case asXLSX:
		return "xlsx"
	}
	return "json"
}

// negotiate reads Accept: the one of JSON, CSV and the workbook it names
// with the highest quality (the first named among equals); JSON when it
// names none of them, as for a browser's "text/html, */*", so that a
// download is always asked for by name.
func negotiate(c *fiber.Ctx) format {
	best, bestQ := asJSON, 0.0
	for _, r := range strings.Split(c.Get(fiber.HeaderAccept), ",") {
		media, params, _ := strings.Cut(r, ";")
		var f format
		switch strings.ToLower(strings.TrimSpace(media)) {
		case fiber.MIMEApplicationJSON:
			f = asJSON
		case "text/csv":
			f = asCSV
		case xlsxType:
			f = asXLSX
		default:
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = n
				}
			}
		}
		if q > bestQ {
			best, bestQ = f, q
		}
	}
	return best
}

// download is a list or report as it leaves the platform, the same rows as
// a CSV file or as a workbook.
type download struct {
	file    string // file name without extension, ASCII (slug)
	sheet   string // the workbook's sheet, in Latvian (at most 31 characters)
	columns []column
	rows    [][]any
	// totals follow the rows, outside the workbook's table, so that
	// sorting or filtering the table leaves them where they are.
	totals [][]any
}

// column is one column of a download.
type column struct {
	csv   string  // CSV header: snake_case, for the programs that read the CSV
	title string  // workbook header, in Latvian, for the people who read it
	width float64 // workbook column width in characters; 0: the default
	// id columns come last in the workbook, where they do not push the
	// names out of sight; the CSV keeps its order for the programs
	// reading it.
	id bool
}

// A cell of a download is one of:
//
//   - string: text;
//   - int: a number;
//   - bool: a boolean (TRUE/FALSE in CSV, a boolean cell in the workbook);
//   - time.Time: an instant (RFC 3339 in UTC in CSV, a date and time in
//     Riga in the workbook);
//   - term: a code with its Latvian word (the code in CSV, the word in the
//     workbook);
//   - nil: empty.
type term struct{ code, lv string }

// optTime and optInt turn an absent value into an empty cell.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func optInt(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

// sendDownload writes d in the format asked for, as an attachment.
func sendDownload(c *fiber.Ctx, f format, d download) error {
	var (
		body  []byte
		err   error
		ctype string
		ext   string
	)
	switch f {
	case asXLSX:
		body, err = workbook(d)
		ctype, ext = xlsxType, ".xlsx"
	default:
		body, err = csvFile(d)
		ctype, ext = "text/csv; charset=utf-8", ".csv"
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.file+ext+`"`)
	// People's data: no copy is kept by a browser or proxy on the way.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// sheetTime is the number format of dates and times in the workbook, as
// Latvian documents write them (02.03.2026 14:05).
const sheetTime = "dd.mm.yyyy hh:mm"

// sheetTable names the workbook's table (its filter buttons and stripes).
const sheetTable = "Saraksts"

// workbook writes d as an Excel workbook of one sheet: a bold header row
// that stays in view while scrolling (frozen), the rows as a table with
// filter buttons, numbers as numbers, booleans as booleans and times as
// dates in Riga. Text cells hold text, never formulas: a name such as
// "=HYPERLINK(…)" is shown as typed and nothing in it is run, so text is
// written as it is, without the apostrophe the CSV needs (in a workbook
// that apostrophe would be part of the name).
func workbook(d download) ([]byte, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName(f.GetSheetName(0), d.sheet); err != nil {
		return nil, err
	}
	// The library's template would name its author and a date in 2006.
	now := time.Now().UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Title: d.sheet, Creator: "mooc", Language: "lv-LV", Created: now, Modified: now}); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	timeFormat := sheetTime
	stamp, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFormat})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(d.sheet)
	if err != nil {
		return nil, err
	}
	order := sheetOrder(d.columns)
	for i, col := range order {
		if w := d.columns[col].width; w > 0 {
			if err := sw.SetColWidth(i+1, i+1, w); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	header := make([]any, len(order))
	for i, col := range order {
		header[i] = excelize.Cell{StyleID: bold, Value: d.columns[col].title}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	row := 1
	write := func(records [][]any) error {
		for _, r := range records {
			row++
			cells := make([]any, len(order))
			for i, col := range order {
				cells[i] = sheetCell(r[col], stamp)
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(d.rows); err != nil {
		return nil, err
	}
	last, _ := excelize.CoordinatesToCellName(len(order), max(row, 2))
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: sheetTable, StyleName: "TableStyleLight9"}); err != nil {
		return nil, err
	}
	if len(d.rows) == 0 {
		row++ // the table's one empty row
	}
	if err := write(d.totals); err != nil {
		return nil, err
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetOrder is the workbook's order of the columns: as in the CSV, the id
// columns moved to the end.
func sheetOrder(columns []column) []int {
	order := make([]int, 0, len(columns))
	for _, ids := range []bool{false, true} {
		for i, c := range columns {
			if c.id == ids {
				order = append(order, i)
			}
		}
	}
	return order
}

// sheetCell is a download's cell as a workbook cell.
func sheetCell(v any, stamp int) any {
	switch v := v.(type) {
	case time.Time:
		// A workbook's times have no zone: the cell holds the wall clock
		// in Riga, which the stream writer counts from the epoch in UTC.
		r := v.In(lv.Riga)
		return excelize.Cell{StyleID: stamp, Value: time.Date(r.Year(), r.Month(), r.Day(), r.Hour(), r.Minute(), r.Second(), 0, time.UTC)}
	case term:
		return v.lv
	}
	return v
}

// slug makes a title part of a file name: letters without their marks (ā
// to a, š to s), digits, and hyphens for everything else, so the name
// survives every browser and file system.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return b.String()
}

// fileName joins a list's name with a title, when there is one.
func fileName(list, title string) string {
	if s := slug(title); s != "" {
		return list + "-" + s
	}
	return list
}

// listParam reads a query parameter that takes several values, separated
// by commas, repeated, or both (?status=enrolled,waitlisted); empty values
// are dropped.
func listParam(c *fiber.Ctx, name string) []string {
	var out []string
	for _, raw := range c.Context().QueryArgs().PeekMulti(name) {
		for _, v := range strings.Split(string(raw), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
