package certificates

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"

	"mooc/certificates/internal/cpmap"
)

// codePage encodes text for fonts defined in a single-byte code page and
// measures it in them. gofpdf's own helpers do not fit: its SplitText reads
// text as UTF-8, which such text is not, and its translators share one
// buffer between all callers.
type codePage struct {
	codes  []int16     // by rune; -1 where the code page has no code
	widths [2][256]int // regular and bold advance of each code, in 1/1000 of the font size
	fonts  [2]pageFont // regular and bold
}

// pageFont is a font made for a code page with gofpdf's MakeFont.
type pageFont struct {
	def  []byte // definition (JSON)
	file []byte // zlib-compressed TrueType
}

// newCodePage reads a gofpdf code page map ("!E0 U+0101 amacron" lines)
// and the regular and the bold font made with it.
func newCodePage(m []byte, regular, bold pageFont) (*codePage, error) {
	chars, err := cpmap.Parse(m)
	if err != nil {
		return nil, err
	}
	top := rune(0)
	for _, ch := range chars {
		top = max(top, ch.Rune)
	}
	c := &codePage{codes: make([]int16, top+1), fonts: [2]pageFont{regular, bold}}
	for i := range c.codes {
		c.codes[i] = -1
	}
	for _, ch := range chars {
		c.codes[ch.Rune] = int16(ch.Code)
	}
	for i, font := range c.fonts {
		var d struct{ Cw []int }
		if err := json.Unmarshal(font.def, &d); err != nil {
			return nil, err
		}
		if len(d.Cw) != 256 {
			return nil, fmt.Errorf("font definition: %d widths, want 256", len(d.Cw))
		}
		copy(c.widths[i][:], d.Cw)
	}
	return c, nil
}

func (c *codePage) code(r rune) (byte, bool) {
	if r < 0 || int(r) >= len(c.codes) || c.codes[r] < 0 {
		return 0, false
	}
	return byte(c.codes[r]), true
}

// encodes tells whether every character of the texts has a code.
func (c *codePage) encodes(texts ...string) bool {
	for _, s := range texts {
		for _, r := range s {
			if _, ok := c.code(r); !ok {
				return false
			}
		}
	}
	return true
}

// encode turns UTF-8 text into codes, a character without one into "?".
func (c *codePage) encode(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		code, ok := c.code(r)
		if !ok {
			code = '?'
		}
		b = append(b, code)
	}
	return string(b)
}

func (c *codePage) advance(r rune, bold bool) int {
	code, ok := c.code(r)
	if !ok {
		code = '?'
	}
	if bold {
		return c.widths[1][code]
	}
	return c.widths[0][code]
}

// width of UTF-8 text, in 1/1000 of the font size.
func (c *codePage) width(s string, bold bool) int {
	w := 0
	for _, r := range s {
		w += c.advance(r, bold)
	}
	return w
}

// split wraps UTF-8 text into lines at most width wide (in 1/1000 of the
// font size) exactly as gofpdf's SplitText does for UTF-8 fonts, so that a
// page lays out the same in either kind of font: at the last space before
// the line gets too wide, the space dropped, and within a word too long
// for a line of its own. The text has no line breaks (see printable).
func (c *codePage) split(s string, bold bool, width float64) []string {
	wmax := int(math.Ceil(width))
	var lines []string
	start, sep, l := 0, -1, 0 // byte offsets into s
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		l += c.advance(r, bold)
		if r == ' ' {
			sep = i
		}
		if l <= wmax {
			i += size
			continue
		}
		switch {
		case sep >= 0:
			lines = append(lines, s[start:sep])
			i = sep + 1
		case i == start: // a single character wider than the line
			i += size
			lines = append(lines, s[start:i])
		default:
			lines = append(lines, s[start:i])
		}
		start, sep, l = i, -1, 0
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
