package api

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"
)

// bom is the UTF-8 byte-order mark every CSV reply starts with: without it
// Excel, which most teams open a CSV with, reads the file in the
// computer's ANSI code page and shows "OzoliÅ†a" for Ozoliņa.
const bom = "\uFEFF"

// csvFile writes d as UTF-8 CSV with a header row: codes and numbers as
// they are, times in RFC 3339 UTC.
func csvFile(d download) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(bom)
	w := csv.NewWriter(&buf)
	header := make([]string, len(d.columns))
	for i, c := range d.columns {
		header[i] = c.csv
	}
	_ = w.Write(header)
	for _, rows := range [][][]any{d.rows, d.totals} {
		for _, r := range rows {
			record := make([]string, len(r))
			for i, v := range r {
				record[i] = csvCell(v)
			}
			_ = w.Write(record)
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvCell is a download's cell as CSV text. Only text can come from a
// person (a name, a title), so only text is neutralised.
func csvCell(v any) string {
	switch v := v.(type) {
	case string:
		return neutralise(v)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case term:
		return v.code
	}
	return ""
}

// neutralise defuses spreadsheet formulas: a name such as "=HYPERLINK(…)"
// typed at registration must not run when the team opens the export. The
// apostrophe makes a spreadsheet read the cell as text.
func neutralise(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
