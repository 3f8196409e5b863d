package media

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxCaptionsBytes bounds a captions file; real ones for a 30-minute video
// are well under 100 KiB, and validation reads the whole file.
const maxCaptionsBytes = 2 << 20

// ValidateWebVTT checks the structure the W3C WebVTT format requires of a
// captions file: the signature line, and for every cue a timing line
// "start --> end" with well-formed timestamps and end after start. It
// returns an error wrapping ErrInvalidCaptions that names the first
// offending line.
func ValidateWebVTT(b []byte) error {
	if !utf8.Valid(b) {
		return captionsError(0, "utf8", "not UTF-8")
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	text := strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	first := lines[0]
	if first != "WEBVTT" && !strings.HasPrefix(first, "WEBVTT ") && !strings.HasPrefix(first, "WEBVTT\t") {
		return captionsError(1, "signature", "must start with WEBVTT")
	}
	i := 1
	for i < len(lines) && lines[i] != "" { // header lines
		if strings.Contains(lines[i], "-->") {
			return captionsError(i+1, "blank_line", "a cue needs a blank line before it")
		}
		i++
	}
	for i < len(lines) {
		for i < len(lines) && lines[i] == "" {
			i++
		}
		if i >= len(lines) {
			break
		}
		start := i
		for i < len(lines) && lines[i] != "" {
			i++
		}
		if err := validateBlock(lines[start:i], start+1); err != nil {
			return err
		}
	}
	return nil
}

func validateBlock(block []string, lineNo int) error {
	head := block[0]
	if head == "NOTE" || strings.HasPrefix(head, "NOTE ") || strings.HasPrefix(head, "NOTE\t") ||
		head == "STYLE" || head == "REGION" {
		// These blocks may not hold "-->": a player would read a cue there.
		for i, line := range block {
			if strings.Contains(line, "-->") {
				return captionsError(lineNo+i, "arrow_in_block", fmt.Sprintf("a %s block may not contain \"-->\"", strings.Fields(head)[0]))
			}
		}
		return nil
	}
	timing := 0
	if !strings.Contains(head, "-->") { // a cue identifier
		timing = 1
		if len(block) < 2 || !strings.Contains(block[1], "-->") {
			return captionsError(lineNo+1, "timing_expected", "expected a cue timing line \"00:00.000 --> 00:01.000\"")
		}
	}
	line := block[timing]
	// WebVTT's whitespace is the space and the tab, nothing wider.
	left, right, _ := strings.Cut(line, "-->")
	startTS, ok1 := parseTimestamp(strings.Trim(left, " \t"))
	fields := strings.FieldsFunc(right, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return captionsError(lineNo+timing, "no_end", "cue has no end time")
	}
	endTS, ok2 := parseTimestamp(fields[0])
	if !ok1 || !ok2 {
		return captionsError(lineNo+timing, "timestamp", "timestamps must look like 00:01.000 or 01:02:03.000")
	}
	if endTS <= startTS {
		return captionsError(lineNo+timing, "end_before_start", "a cue must end after it starts")
	}
	for _, payload := range block[timing+1:] {
		if strings.Contains(payload, "-->") {
			return captionsError(lineNo+timing+1, "arrow_in_text", "cue text may not contain \"-->\"")
		}
	}
	return nil
}

// parseTimestamp reads [hh:]mm:ss.ttt into milliseconds.
func parseTimestamp(s string) (int64, bool) {
	main, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 3 || !digits(frac) {
		return 0, false
	}
	parts := strings.Split(main, ":")
	var h, m, sec int64
	switch len(parts) {
	case 2:
		m, sec = atoi(parts[0]), atoi(parts[1])
		if len(parts[0]) != 2 {
			return 0, false
		}
	case 3:
		if len(parts[0]) < 2 || len(parts[0]) > 6 || len(parts[1]) != 2 {
			return 0, false
		}
		h, m, sec = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	default:
		return 0, false
	}
	for _, p := range parts {
		if !digits(p) {
			return 0, false
		}
	}
	if len(parts[len(parts)-1]) != 2 || m > 59 || sec > 59 {
		return 0, false
	}
	return ((h*60+m)*60+sec)*1000 + atoi(frac), true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
