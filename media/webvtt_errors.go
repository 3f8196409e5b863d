package media

import "fmt"

// CaptionsError is why a captions file is not valid WebVTT: the line it
// fails at (1-based; 0 when the file as a whole is wrong, not UTF-8) and a
// code naming the rule, so that a page can word it in the reader's
// language beside the file field. It is ErrInvalidCaptions to errors.Is.
type CaptionsError struct {
	Line   int
	Code   string // utf8, signature, blank_line, arrow_in_block, timing_expected, no_end, timestamp, end_before_start, arrow_in_text
	Reason string // the rule in English
}

func (e *CaptionsError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", ErrInvalidCaptions, e.Reason)
	}
	if e.Code == "signature" {
		return fmt.Sprintf("%s: line 1 %s", ErrInvalidCaptions, e.Reason)
	}
	return fmt.Sprintf("%s: line %d: %s", ErrInvalidCaptions, e.Line, e.Reason)
}

func (e *CaptionsError) Unwrap() error { return ErrInvalidCaptions }

func captionsError(line int, code, reason string) error {
	return &CaptionsError{Line: line, Code: code, Reason: reason}
}
