package api

import (
	"bytes"
	"encoding/csv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// wantsCSV reports whether the client asked for CSV instead of JSON.
func wantsCSV(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/csv")
}

// sendCSV writes a header row and records as UTF-8 CSV.
func sendCSV(c *fiber.Ctx, filename string, header []string, records [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	for _, r := range records {
		_ = w.Write(neutralise(r))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(buf.Bytes())
}

// neutralise defuses spreadsheet formulas: a name such as "=HYPERLINK(…)"
// typed at registration must not run when the team opens the export.
func neutralise(record []string) []string {
	out := make([]string, len(record))
	for i, v := range record {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			v = "'" + v
		}
		out[i] = v
	}
	return out
}
