package web

import (
	"strconv"
	"strings"
	"time"

	"mooc/internal/lv"
	"mooc/internal/validation"
)

// teamTimeLayout is how a datetime-local control sends a moment: the
// wall clock of Riga, where the team works.
const teamTimeLayout = "2006-01-02T15:04"

// teamLocal writes t for a datetime-local control, in Riga time.
func teamLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(lv.Riga).Format(teamTimeLayout)
}

// teamReader reads a form's typed values, gathering what cannot be read
// as a field error of its own, as the API's decoder names a field it
// cannot decode.
type teamReader struct {
	f    form
	errs []validation.FieldError
}

// time reads a datetime-local field; empty is nil.
func (tr *teamReader) time(name string) *time.Time {
	v := tr.f[name]
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation(teamTimeLayout, v, lv.Riga)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			tr.errs = append(tr.errs, validation.Field(name, "must be a date and time"))
			return nil
		}
	}
	return &t
}

// int reads a whole number field; empty is nil.
func (tr *teamReader) int(name string) *int {
	v := tr.f[name]
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		tr.errs = append(tr.errs, validation.Field(name, "must be a whole number"))
		return nil
	}
	return &n
}

// text reads a text field; empty is nil (left unchanged by an edit).
func (tr *teamReader) text(name string) *string {
	if v := tr.f[name]; v != "" {
		return &v
	}
	return nil
}

// err is the fields that could not be read, or nil.
func (tr *teamReader) err() error {
	if len(tr.errs) == 0 {
		return nil
	}
	return validation.Fail(tr.errs...)
}
