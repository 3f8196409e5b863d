package certificates

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// The PDF core fonts are Latin-1 only and cannot draw ā č ē ģ ī ķ ļ ņ š ū ž,
// so a TrueType font is embedded. The Go fonts cover Latin Extended-A and
// the Latvian quotes, are BSD licensed and come in as Go byte slices, so the
// binary needs no font files at run time.
const pdfFontFamily = "gofont"

// pdfFaces are parsed once only to ask which characters the fonts can draw.
var pdfFaces = []*sfnt.Font{mustParseFont(goregular.TTF), mustParseFont(gobold.TTF)}

func mustParseFont(ttf []byte) *sfnt.Font {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("certificates: embedded font: " + err.Error())
	}
	return f
}

// addPDFFonts embeds the fonts in one document. While subsetting, gofpdf
// appends to sub-slices of the font bytes it was given (checksum padding),
// which writes into that array: documents rendered at the same time must
// not share it, so each gets its own copy.
func addPDFFonts(f *gofpdf.Fpdf) {
	f.AddUTF8FontFromBytes(pdfFontFamily, "", bytes.Clone(goregular.TTF))
	f.AddUTF8FontFromBytes(pdfFontFamily, "B", bytes.Clone(gobold.TTF))
}

// printable prepares user-supplied text for the page. Names typed on some
// systems arrive decomposed (a + combining macron), which the fonts have no
// glyphs for although they have "ā", hence NFC. Line breaks and tabs would
// break the layout. Invisible format characters (a zero-width space pasted
// with a name) are dropped. gofpdf indexes its width table by rune and
// panics past U+FFFF, and draws nothing for a character the font lacks, so
// such characters become "?" rather than silently vanishing from a name.
func printable(s string) string {
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	var buf sfnt.Buffer
	return strings.Map(func(r rune) rune {
		if r == ' ' {
			return r
		}
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		if r > 0xFFFF || !unicode.IsPrint(r) {
			return '?'
		}
		for _, face := range pdfFaces {
			if i, err := face.GlyphIndex(&buf, r); err != nil || i == 0 {
				return '?'
			}
		}
		return r
	}, s)
}
