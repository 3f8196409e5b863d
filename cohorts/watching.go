package cohorts

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"
)

// Video lessons are completed by watching. The player reports the
// learner's position now and then; the stretch between two reports counts
// as watched only when it went forwards no faster than twice real time (a
// learner may play at up to 2× speed; a seek ahead or back just moves the
// position). Completion is refused below RequiredCoverage of the video.

// Errors of the watching rule.
var (
	ErrNotWatched = errors.New("cohorts: the video has not been watched far enough")
	// ErrLengthUnknown: the lesson's video names no duration, so watching
	// cannot be measured; its author has to upload a file that does.
	ErrLengthUnknown = errors.New("cohorts: the length of the lesson's video is unknown")
)

const (
	// RequiredCoverage is the share of a video that must be watched.
	RequiredCoverage = 0.9
	// MaxPlaybackRate is the fastest playback that counts as watching.
	MaxPlaybackRate = 2.0
	// rateTolerance forgives the jitter of measuring real time between
	// two reports on the server's clock: a player at exactly 2× that
	// reports every 10 s sees one request delayed by up to a second (10 %)
	// against the next. It lets a cheat gain at most 2.2× real time.
	rateTolerance = 1.1
	// positionSlack is how far past a known duration a position may be
	// reported (players round, and a last frame's time may pass the end).
	positionSlack = 1.0
	// maxRanges bounds the ranges kept per lesson; an honest learner who
	// seeks about leaves a few dozen. Beyond it, new separate ranges are
	// not kept, so a flood of reports cannot grow the row without end.
	maxRanges = 1000
)

// Span is a watched stretch of a video, in seconds from its start.
type Span struct{ Start, End float64 }

// Watch is what is known of a learner's watching of one video.
type Watch struct {
	Ranges     []Span    // merged, ascending, not overlapping
	Position   float64   // the last reported position
	ReportedAt time.Time // when it was reported; zero before any report
}

// Watched applies one report of position p at time now: the stretch from
// the previous report's position counts when it moved forwards no faster
// than MaxPlaybackRate (with the tolerance). The position always moves.
func Watched(w Watch, p float64, now time.Time) Watch {
	out := Watch{Ranges: slices.Clone(w.Ranges), Position: p, ReportedAt: now}
	if w.ReportedAt.IsZero() {
		return out
	}
	advance, elapsed := p-w.Position, now.Sub(w.ReportedAt).Seconds()
	if advance <= 0 || elapsed <= 0 || advance > MaxPlaybackRate*elapsed*rateTolerance {
		return out
	}
	out.Ranges = addSpan(out.Ranges, Span{w.Position, p})
	return out
}

// addSpan merges s into ascending, disjoint ranges.
func addSpan(ranges []Span, s Span) []Span {
	out := make([]Span, 0, len(ranges)+1)
	placed := false
	for _, r := range ranges {
		switch {
		case r.End < s.Start:
			out = append(out, r)
		case s.End < r.Start:
			if !placed {
				out, placed = append(out, s), true
			}
			out = append(out, r)
		default: // touching or overlapping: grow s over r
			s = Span{math.Min(s.Start, r.Start), math.Max(s.End, r.End)}
		}
	}
	if !placed {
		out = append(out, s)
	}
	if len(out) > maxRanges {
		return ranges
	}
	return out
}

// Coverage is the share (0..1) of a video of duration seconds that the
// ranges cover; ranges past the end (a replaced, shorter video) are cut.
func Coverage(ranges []Span, duration float64) float64 {
	if duration <= 0 {
		return 0
	}
	var total float64
	for _, r := range ranges {
		total += math.Max(0, math.Min(r.End, duration)-math.Max(r.Start, 0))
	}
	return math.Min(1, total/duration)
}

// mayComplete says whether a video lesson of duration (nil: unknown) may
// be marked completed with these ranges.
func mayComplete(ranges []Span, duration *float64) error {
	if duration == nil {
		return ErrLengthUnknown
	}
	// A hair below, so that 90 % of a video reported in float steps is 90 %.
	if Coverage(ranges, *duration) < RequiredCoverage-1e-9 {
		return ErrNotWatched
	}
	return nil
}

// encodeRanges stores ranges as JSON [[start,end],...], in milliseconds'
// precision.
func encodeRanges(ranges []Span) string {
	pairs := make([][2]float64, len(ranges))
	for i, r := range ranges {
		pairs[i] = [2]float64{math.Round(r.Start*1000) / 1000, math.Round(r.End*1000) / 1000}
	}
	b, _ := json.Marshal(pairs) // plain numbers always encode
	return string(b)
}

// decodeRanges reads what encodeRanges stored; anything else reads as
// nothing watched.
func decodeRanges(s string) []Span {
	var pairs [][2]float64
	if s == "" || json.Unmarshal([]byte(s), &pairs) != nil {
		return nil
	}
	out := make([]Span, 0, len(pairs))
	for _, p := range pairs {
		if p[1] > p[0] {
			out = addSpan(out, Span{p[0], p[1]})
		}
	}
	return out
}
