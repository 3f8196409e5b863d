package page

import (
	"errors"
	"testing"
	"time"
)

func TestTrimAndCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)
	rows := []int{1, 2, 3}
	key := func(i int) []string { return TimeKey(at.Add(time.Duration(i)*time.Second), "id") }
	got, next := Trim(rows, 2, key)
	if len(got) != 2 || next == "" {
		t.Fatalf("trim: %v %q", got, next)
	}
	after, err := Decode(next, 2)
	if err != nil {
		t.Fatal(err)
	}
	tm, id, ok, err := AfterTime(after)
	if err != nil || !ok || id != "id" || !tm.Equal(at.Add(2*time.Second)) {
		t.Fatalf("cursor read back as %v %q %v %v", tm, id, ok, err)
	}
	if _, last := Trim(rows, 3, key); last != "" {
		t.Fatal("a cursor after the last page")
	}
	if _, err := Decode("%%%", 2); !errors.Is(err, ErrBadCursor) {
		t.Fatal("garbage accepted")
	}
	if _, _, _, err := AfterTime([]string{"yesterday", "x"}); !errors.Is(err, ErrBadCursor) {
		t.Fatal("a cursor without a time accepted")
	}
	if r := (Request{Limit: 999}).Clamp(); r.Limit != MaxLimit {
		t.Fatalf("clamp %d", r.Limit)
	}
}
