package mentoring

import (
	"fmt"
	"testing"
	"time"
)

// Every load a mentor could reach, within the bounds and one past each:
// 1:1+1:1 or 1:3+1:1 and anything smaller, nothing else.
func TestFits(t *testing.T) {
	allowed := map[string]bool{
		"0+0": true, "1+0": true, "2+0": true,
		"0+1": true, "0+2": true, "0+3": true,
		"1+1": true, "1+2": true, "1+3": true, // 1:3+1:1 is the 4 in all
	}
	for individual := 0; individual <= 3; individual++ {
		for group := 0; group <= 4; group++ {
			key := fmt.Sprintf("%d+%d", individual, group)
			if got := Fits(individual, group); got != allowed[key] {
				t.Errorf("Fits(%d individual, %d group) = %v, want %v", individual, group, got, allowed[key])
			}
		}
	}
	if Fits(-1, 0) || Fits(0, -1) {
		t.Error("a negative count fits")
	}
}

// Months are Riga's: 22:00 UTC on 30 November is 1 December there.
func TestMonthsInRiga(t *testing.T) {
	from := time.Date(2026, 10, 31, 21, 59, 0, 0, time.UTC) // 23:59 on 31 October in Riga (UTC+2)
	to := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)    // 00:00 on 1 December
	got := months(from, to, map[string]int{"2026-11": 120, "2026-12": 119})
	want := []Month{{"2026-10", 0, true}, {"2026-11", 120, false}, {"2026-12", 119, true}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("months %v, want %v", got, want)
	}
}
