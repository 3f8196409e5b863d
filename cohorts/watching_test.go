package cohorts

import (
	"math"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// report is one progress report: position p at s seconds after t0.
type report struct{ p, s float64 }

func TestWatched(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reports []report
		want    []Span
	}{
		{"the first report only sets the position", []report{{30, 0}}, nil},
		{"real time counts", []report{{0, 0}, {10, 10}, {20, 20}}, []Span{{0, 20}}},
		{"fractional positions", []report{{0.25, 0}, {10.75, 10.5}}, []Span{{0.25, 10.75}}},
		{"twice real time counts", []report{{0, 0}, {20, 10}}, []Span{{0, 20}}},
		{"within the tolerance of 2x", []report{{0, 0}, {21.9, 10}}, []Span{{0, 21.9}}},
		{"faster than 2x does not count", []report{{0, 0}, {23, 10}}, nil},
		{"the cheat: straight to the end", []report{{0, 0}, {1800, 1}}, nil},
		{"a jump ahead moves the position only", []report{{0, 0}, {10, 10}, {600, 11}, {610, 21}}, []Span{{0, 10}, {600, 610}}},
		{"seeking back counts nothing, then watching again", []report{{0, 0}, {50, 50}, {20, 51}, {40, 71}}, []Span{{0, 50}}},
		{"no time passed", []report{{0, 0}, {5, 0}}, nil},
		{"standing still", []report{{7, 0}, {7, 30}}, nil},
		{"a clock going back counts nothing", []report{{0, 10}, {5, 5}}, nil},
		{"ranges merge when they meet", []report{{0, 0}, {10, 10}, {30, 11}, {40, 21}, {10, 22}, {30, 42}}, []Span{{0, 40}}},
		{"overlaps merge", []report{{0, 0}, {10, 10}, {5, 11}, {15, 21}}, []Span{{0, 15}}},
		{"a range before the others", []report{{100, 0}, {110, 10}, {0, 11}, {10, 21}}, []Span{{0, 10}, {100, 110}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w Watch
			for _, r := range tc.reports {
				w = Watched(w, r.p, at(r.s))
				if w.Position != r.p || !w.ReportedAt.Equal(at(r.s)) {
					t.Fatalf("position %v at %v after reporting %+v", w.Position, w.ReportedAt, r)
				}
			}
			if !slices.Equal(w.Ranges, tc.want) {
				t.Fatalf("ranges %v, want %v", w.Ranges, tc.want)
			}
		})
	}
}

func TestWatchedDoesNotChangeItsInput(t *testing.T) {
	before := Watch{Ranges: []Span{{0, 10}, {20, 30}}, Position: 10, ReportedAt: t0}
	kept := slices.Clone(before.Ranges)
	_ = Watched(before, 20, at(10))
	if !slices.Equal(before.Ranges, kept) {
		t.Fatalf("the input's ranges changed: %v", before.Ranges)
	}
}

func TestCoverageAndCompletion(t *testing.T) {
	d := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name     string
		ranges   []Span
		duration *float64
		coverage float64
		err      error
	}{
		{"nothing watched", nil, d(60), 0, ErrNotWatched},
		{"all of it", []Span{{0, 60}}, d(60), 1, nil},
		{"exactly 90 %", []Span{{0, 54}}, d(60), 0.9, nil},
		{"just under 90 %", []Span{{0, 53.9}}, d(60), 53.9 / 60, ErrNotWatched},
		{"pieces add up", []Span{{0, 30}, {36, 60}}, d(60), 0.9, nil},
		{"a range past the end is cut", []Span{{0, 30}, {50, 500}}, d(60), 40.0 / 60, ErrNotWatched},
		{"a one-second video", []Span{{0, 1}}, d(1), 1, nil},
		{"unknown length", []Span{{0, 60}}, nil, 0, ErrLengthUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.duration != nil {
				if got := Coverage(tc.ranges, *tc.duration); math.Abs(got-tc.coverage) > 1e-9 {
					t.Fatalf("coverage %v, want %v", got, tc.coverage)
				}
			}
			if err := mayComplete(tc.ranges, tc.duration); err != tc.err {
				t.Fatalf("mayComplete: %v, want %v", err, tc.err)
			}
		})
	}
}

// A player at 1x that reports every 10 seconds covers the whole video; one
// at 3x covers nothing.
func TestWatchingAWholeVideo(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		want error
	}{{1, nil}, {1.5, nil}, {2, nil}, {3, ErrNotWatched}} {
		var w Watch
		clock := 0.0
		for p := 0.0; ; p = math.Min(p+10*tc.rate, 300) {
			w = Watched(w, p, at(clock))
			if p == 300 {
				break
			}
			clock += 10
		}
		if err := mayComplete(w.Ranges, new(300.0)); err != tc.want {
			t.Errorf("at %vx: %v, want %v (ranges %v)", tc.rate, err, tc.want, w.Ranges)
		}
	}
}

func TestRangesRoundTrip(t *testing.T) {
	ranges := []Span{{0, 10.1234}, {20.5, 30}}
	got := decodeRanges(encodeRanges(ranges))
	if want := []Span{{0, 10.123}, {20.5, 30}}; !slices.Equal(got, want) {
		t.Fatalf("round trip %v, want %v", got, want)
	}
	if s := encodeRanges(nil); s != "[]" {
		t.Fatalf("no ranges stored as %q", s)
	}
	for _, bad := range []string{"", "null", "{", `[[5,1]]`, `"x"`} {
		if got := decodeRanges(bad); len(got) != 0 {
			t.Errorf("%q decoded as %v", bad, got)
		}
	}
}

func TestRangesAreBounded(t *testing.T) {
	var ranges []Span
	for i := range maxRanges + 10 {
		ranges = addSpan(ranges, Span{float64(3 * i), float64(3*i + 1)})
	}
	if len(ranges) != maxRanges {
		t.Fatalf("%d ranges kept", len(ranges))
	}
	// A range that joins existing ones is still taken.
	ranges = addSpan(ranges, Span{0, 3000})
	if len(ranges) != 1 || ranges[0] != (Span{0, 3000}) {
		t.Fatalf("merging into a full list: %d ranges, first %v", len(ranges), ranges[0])
	}
}
