package media_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"mooc/media"
)

var webvttSeeds = []string{
	"WEBVTT\n\n00:00.000 --> 00:02.500\nLabdien! Šodien runāsim par krīzes intervenci.\n\n00:02.500 --> 00:05.000\nĢimenes asistents ķeras pie darba.\n",
	"\uFEFFWEBVTT - Krīzes intervence\r\nKind: captions\r\nLanguage: lv\r\n\r\n1\r\n00:00:01.000 --> 00:00:04.000 align:start line:0\r\nSveiki!\r\n\r\nNOTE tulkojums pārbaudīts\r\n\r\n2\r\n01:00:00.000 --> 01:00:01.500\r\n<v Līga>Jā.</v>\r\n",
	"WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\nREGION\nid:fred width:40%\n\n00:00.000 --> 00:01.000 region:fred\nTeksts\n",
	"WEBVTT\tfile\n\nNOTE\nšis ir komentārs\nar divām rindām\n\n00:00.000 --> 00:00.001\n",
	"WEBVTT\r\r00:00.000 --> 00:01.000\rx\r",
	"WEBVTT\n\n123455:59:59.999 --> 123456:00:00.000\nx\n",
	// rejected ones
	"WEBVTT\n\n00:05.000 --> 00:01.000\natpakaļ\n",
	"WEBVTT\n\n00:01.000 --> 00:01.000\nnulle\n",
	"WEBVTT\n\n00:60.000 --> 01:00.000\n",
	"WEBVTT\n\n0:00.000 --> 00:01.000\n",
	"WEBVTT\n\n00:00.00 --> 00:01.000\n",
	"WEBVTT\n\n00:00.000 -> 00:01.000\n",
	"WEBVTT\n\n00:00.000 --> \n",
	"WEBVTT\n\nid\nnav laika\n",
	"WEBVTT\n00:00.000 --> 00:01.000\n", "WEBVTT\r00:00.000 --> 00:01.000\rx\r",
	"WEBVTT\n\n00:00.000 --> 00:01.000\ntext --> more\n",
	"WEBVTTX\n\n00:00.000 --> 00:01.000\n",
	"webvtt\n", "", "\uFEFF", "WEBVTT", "\xff\xfeW\x00E\x00", "1\n00:00:01,000 --> 00:00:02,000\nSRT\n",
	"WEBVTT\n\n+0:00.000 --> 00:01.000\n", "WEBVTT\n\n00:00.000 --> 00:01.000\u00a0align:start\n",
}

// FuzzValidateWebVTT: the validator never panics, rejects only with an
// error wrapping ErrInvalidCaptions (which the API maps to 422; anything
// else would be a 500), and accepts only files that an independent reading
// of the W3C WebVTT rules finds sound.
func FuzzValidateWebVTT(f *testing.F) {
	for _, s := range webvttSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := media.ValidateWebVTT(b)
		if err != nil {
			if !errors.Is(err, media.ErrInvalidCaptions) {
				t.Fatalf("%q: error %v does not wrap ErrInvalidCaptions", b, err)
			}
			return
		}
		if problem := webvttProblem(b); problem != "" {
			t.Fatalf("ValidateWebVTT accepted %q, but %s", b, problem)
		}
	})
}

// FuzzWebVTTWellFormedAccepted: a file built by the rules, with any cue
// times and any cue text, is accepted.
func FuzzWebVTTWellFormedAccepted(f *testing.F) {
	f.Add(uint64(0), uint64(2500), "Labdien!", "1", true)
	f.Add(uint64(3_599_999), uint64(1), "Ģimenes asistents ķeras pie darba.", "", false)
	f.Add(uint64(99*3_600_000), uint64(86_400_000), "<v Līga>Jā.</v>", "cue-ā", true)
	f.Fuzz(func(t *testing.T, start, length uint64, text, id string, hours bool) {
		start %= 1_000_000 * 3_600_000 // the validator allows up to six digits of hours
		length = length%86_400_000 + 1
		end := start + length
		if end >= 1_000_000*3_600_000 {
			return
		}
		clean := func(s string) string {
			s = strings.ToValidUTF8(s, "?")
			s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
			for strings.Contains(s, "-->") {
				s = strings.ReplaceAll(s, "-->", "->")
			}
			return s
		}
		var b strings.Builder
		b.WriteString("WEBVTT\n\n")
		if id = clean(id); strings.TrimSpace(id) != "" {
			// An identifier is a line of its own; keep it clear of the
			// words that open other blocks.
			b.WriteString("c " + id + "\n")
		}
		fmt.Fprintf(&b, "%s --> %s\n", vttTime(start, hours), vttTime(end, hours))
		if text = clean(text); text != "" {
			b.WriteString(text + "\n")
		}
		if err := media.ValidateWebVTT([]byte(b.String())); err != nil {
			t.Fatalf("well-formed file refused: %v\n%s", err, b.String())
		}
	})
}

// Files that browsers would read as cues that end before they start, or
// as cues whose timing they cannot parse, are refused.
func TestValidateWebVTTRefusesHiddenCues(t *testing.T) {
	for _, tc := range []string{
		// A block starting "NOTE" whose second line holds "-->" is a cue
		// whose identifier is "NOTE" (W3C WebVTT, "collect a WebVTT
		// block"): its timing must be checked like any other.
		"WEBVTT\n\nNOTE\n00:05.000 --> 00:01.000\natpakaļ\n",
		"WEBVTT\n\nSTYLE\n00:05.000 --> 00:01.000\natpakaļ\n",
		"WEBVTT\n\nREGION\n00:05.000 --> 00:01.000\natpakaļ\n",
		// A comment may not hold "-->" at all.
		"WEBVTT\n\nNOTE 00:05.000 --> 00:01.000\n",
		// Only spaces, tabs and form feeds separate the parts of a timing
		// line; a no-break space is not one of them, so browsers drop these
		// cues.
		"WEBVTT\n\n\u00a000:00.000 --> 00:01.000\nx\n",
		"WEBVTT\n\n00:00.000\u00a0--> 00:01.000\nx\n",
		"WEBVTT\n\n00:00.000 -->\u00a000:01.000\nx\n",
		"WEBVTT\n\n00:00.000\u2003-->\u200300:01.000\nx\n",
	} {
		t.Run(tc, func(t *testing.T) {
			if problem := webvttProblem([]byte(tc)); problem == "" {
				t.Fatalf("the checker finds nothing wrong with %q", tc)
			}
			err := media.ValidateWebVTT([]byte(tc))
			if !errors.Is(err, media.ErrInvalidCaptions) {
				t.Fatalf("ValidateWebVTT(%q) = %v, want ErrInvalidCaptions", tc, err)
			}
		})
	}
}

// The checker itself finds nothing wrong with sound files.
func TestWebVTTCheckerAcceptsSoundFiles(t *testing.T) {
	for _, s := range webvttSeeds[:6] {
		if problem := webvttProblem([]byte(s)); problem != "" {
			t.Fatalf("%q: %s", s, problem)
		}
		if err := media.ValidateWebVTT([]byte(s)); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

func vttTime(ms uint64, hours bool) string {
	h, m, s, frac := ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000
	if h == 0 && !hours {
		return fmt.Sprintf("%02d:%02d.%03d", m, s, frac)
	}
	return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, frac)
}

// webvttProblem reads b by the W3C WebVTT rules, independently of the
// validator, and says what is wrong with it, or "" when nothing is: the
// signature, then blocks; every line holding "-->" must be the timing line
// of a cue (its first line, or its second after an identifier) and parse as
// browsers parse it, with the end after the start.
func webvttProblem(b []byte) string {
	if !utf8.Valid(b) {
		return "it is not UTF-8"
	}
	s := strings.TrimPrefix(string(b), "\uFEFF")
	if !strings.HasPrefix(s, "WEBVTT") {
		return "it does not start with WEBVTT"
	}
	if rest := s[len("WEBVTT"):]; rest != "" && !strings.ContainsRune(" \t\n\r", rune(rest[0])) {
		return "WEBVTT is followed by " + fmt.Sprintf("%q", rest[0])
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	i := 1
	for ; i < len(lines) && lines[i] != ""; i++ {
		if strings.Contains(lines[i], "-->") {
			return fmt.Sprintf("header line %d holds -->", i+1)
		}
	}
	for i < len(lines) {
		if lines[i] == "" {
			i++
			continue
		}
		start := i
		for i < len(lines) && lines[i] != "" {
			i++
		}
		block := lines[start:i]
		for j, line := range block {
			if !strings.Contains(line, "-->") {
				continue
			}
			if j > 1 || (j == 1 && strings.Contains(block[0], "-->")) {
				return fmt.Sprintf("line %d holds --> outside a cue timing line", start+j+1)
			}
			from, to, ok := parseCueTiming(line)
			if !ok {
				return fmt.Sprintf("line %d is a cue timing line browsers cannot parse: %q", start+j+1, line)
			}
			if to <= from {
				return fmt.Sprintf("line %d: the cue ends at %d ms, not after its start at %d ms", start+j+1, to, from)
			}
		}
	}
	return ""
}

// parseCueTiming follows "collect WebVTT cue timings and settings".
func parseCueTiming(line string) (from, to uint64, ok bool) {
	p := &vttParser{s: line}
	p.skipSpace()
	if from, ok = p.timestamp(); !ok {
		return 0, 0, false
	}
	p.skipSpace()
	if !strings.HasPrefix(p.s[p.i:], "-->") {
		return 0, 0, false
	}
	p.i += 3
	p.skipSpace()
	if to, ok = p.timestamp(); !ok {
		return 0, 0, false
	}
	return from, to, true // the rest is cue settings, which browsers skip when unknown
}

type vttParser struct {
	s string
	i int
}

// skipSpace skips WebVTT whitespace: space, tab, form feed (line breaks
// cannot occur inside a line).
func (p *vttParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\f') {
		p.i++
	}
}

func (p *vttParser) digits() (string, uint64, bool) {
	start := p.i
	var n uint64
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if n > (1<<63)/10 {
			return "", 0, false // far beyond any real time
		}
		n = n*10 + uint64(p.s[p.i]-'0')
		p.i++
	}
	return p.s[start:p.i], n, p.i > start
}

func (p *vttParser) char(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// timestamp follows "collect a WebVTT timestamp", in milliseconds.
func (p *vttParser) timestamp() (uint64, bool) {
	s1, v1, ok := p.digits()
	if !ok {
		return 0, false
	}
	hoursFirst := len(s1) != 2 || v1 > 59
	if !p.char(':') {
		return 0, false
	}
	s2, v2, ok := p.digits()
	if !ok || len(s2) != 2 {
		return 0, false
	}
	var h, m, sec uint64
	if hoursFirst || (p.i < len(p.s) && p.s[p.i] == ':') {
		if !p.char(':') {
			return 0, false
		}
		s3, v3, ok := p.digits()
		if !ok || len(s3) != 2 {
			return 0, false
		}
		h, m, sec = v1, v2, v3
	} else {
		m, sec = v1, v2
	}
	if !p.char('.') {
		return 0, false
	}
	s4, v4, ok := p.digits()
	if !ok || len(s4) != 3 {
		return 0, false
	}
	if m > 59 || sec > 59 {
		return 0, false
	}
	if h > 1<<40 {
		return 0, false
	}
	return ((h*60+m)*60+sec)*1000 + v4, true
}
