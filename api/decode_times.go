package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"mooc/internal/validation"
)

// badTimes finds the fields of body that v reads as times and that are not
// RFC 3339 date-times ("2026-03-02" is a date without a time, so not one),
// so a body the decoder refused for them gets 422 naming each field
// instead of "not valid JSON". It returns nil when no such field is found.
func badTimes(body []byte, v any) error {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	var fields []validation.FieldError
	collectBadTimes(raw, reflect.TypeOf(v), "", &fields)
	if len(fields) == 0 {
		return nil
	}
	return validation.Fail(fields...)
}

func collectBadTimes(raw map[string]json.RawMessage, t reflect.Type, prefix string, out *[]validation.FieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			collectBadTimes(raw, f.Type, prefix, out)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		value, ok := raw[name]
		if !ok {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == reflect.TypeFor[time.Time]():
			var s string
			if string(value) == "null" {
				continue
			}
			if json.Unmarshal(value, &s) != nil {
				*out = append(*out, validation.Field(prefix+name, "must be a date and time as a string, e.g. 2026-03-02T09:00:00Z"))
			} else if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				*out = append(*out, validation.Field(prefix+name, "must be a date and time in RFC 3339 with a time zone, e.g. 2026-03-02T09:00:00Z or 2026-03-02T11:00:00+02:00"))
			}
		case ft.Kind() == reflect.Struct:
			var nested map[string]json.RawMessage
			if json.Unmarshal(value, &nested) == nil {
				collectBadTimes(nested, ft, prefix+name+".", out)
			}
		}
	}
}
