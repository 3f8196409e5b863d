package page

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ErrBadCursor means a cursor that this service did not hand out.
var ErrBadCursor = errors.New("page: invalid cursor")

// Request asks for one page.
type Request struct {
	Limit int
	// After holds the sort key of the last item of the previous page.
	After []string
}

// Clamp applies the default and the maximum.
func (r Request) Clamp() Request {
	if r.Limit <= 0 {
		r.Limit = DefaultLimit
	}
	if r.Limit > MaxLimit {
		r.Limit = MaxLimit
	}
	return r
}

// Encode makes a cursor from the sort key of a page's last item.
func Encode(key ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(key, "\x00")))
}

// Decode reads a cursor made by Encode; it must carry n key parts.
func Decode(cursor string, n int) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, ErrBadCursor
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, ErrBadCursor
	}
	return parts, nil
}

// Trim cuts rows, fetched with Limit+1, to the page and returns the cursor
// of the next page ("" on the last), made from the last row's sort key.
func Trim[T any](rows []T, limit int, key func(T) []string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, Encode(key(rows[len(rows)-1])...)
}

// TimeKey is the sort key of rows ordered by a time, then id.
func TimeKey(t time.Time, id string) []string {
	return []string{t.UTC().Format(time.RFC3339Nano), id}
}

// AfterTime reads a TimeKey from a decoded cursor; ok is false when there
// is none.
func AfterTime(after []string) (t time.Time, id string, ok bool, err error) {
	if len(after) != 2 {
		return time.Time{}, "", false, nil
	}
	t, err = time.Parse(time.RFC3339Nano, after[0])
	if err != nil {
		return time.Time{}, "", false, ErrBadCursor
	}
	return t, after[1], true, nil
}
