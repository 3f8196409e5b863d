package idempotency_test

import (
	"errors"
	"strings"
	"testing"

	"mooc/idempotency"
)

func TestParseKey(t *testing.T) {
	for _, c := range []struct{ header, key string }{
		{"8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{`"a \"quoted\" \\ key"`, `a "quoted" \ key`},
		{"with space", "with space"},
		{"?1", "?1"}, // bare: taken as it is, whatever it would mean as a Structured Field
		{strings.Repeat("x", idempotency.MaxKeyLength), strings.Repeat("x", idempotency.MaxKeyLength)},
	} {
		if got, err := idempotency.ParseKey(c.header); err != nil || got != c.key {
			t.Errorf("ParseKey(%q) = %q, %v; want %q", c.header, got, err, c.key)
		}
	}
	for _, bad := range []string{"", `""`, strings.Repeat("x", idempotency.MaxKeyLength+1), "atslēga", "tab\there", "nul\x00", `"open`, `"a";`, `"a", "b"`} {
		if got, err := idempotency.ParseKey(bad); !errors.Is(err, idempotency.ErrInvalidKey) {
			t.Errorf("ParseKey(%q) = %q, %v; want ErrInvalidKey", bad, got, err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	base := idempotency.Fingerprint("POST", "/api/v1/cohorts/1/enrolments", []byte(`{"user_id":"a"}`))
	if base != idempotency.Fingerprint("POST", "/api/v1/cohorts/1/enrolments", []byte(`{"user_id":"a"}`)) || len(base) != 64 {
		t.Fatalf("fingerprint %q is not stable", base)
	}
	for _, other := range []string{
		idempotency.Fingerprint("PUT", "/api/v1/cohorts/1/enrolments", []byte(`{"user_id":"a"}`)),
		idempotency.Fingerprint("POST", "/api/v1/cohorts/2/enrolments", []byte(`{"user_id":"a"}`)),
		idempotency.Fingerprint("POST", "/api/v1/cohorts/1/enrolments", []byte(`{"user_id":"b"}`)),
		idempotency.Fingerprint("POST", "/api/v1/cohorts/1/enrolments", nil),
	} {
		if other == base {
			t.Fatal("two requests share a fingerprint")
		}
	}
}
