package certificates

import (
	"bytes"
	_ "embed"
	"strings"
	"unicode"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/fontgen

// The PDF core fonts are Latin-1 only and cannot draw ā č ē ģ ī ķ ļ ņ š ū ž,
// so a TrueType font is embedded. The Go fonts cover Latin Extended-A and
// the Latvian quotes, are BSD licensed and come in as Go byte slices, so the
// binary needs no font files at run time.
const pdfFontFamily = "gofont"

// Nearly every certificate is written in the Baltic code page, Windows-1257,
// which has every Latvian letter: gofpdf reads a definition made for it
// beforehand (fonts/, see internal/fontgen) in microseconds and copies the
// font file, cut to the code page, into the PDF as it is. A UTF-8 font
// instead is parsed, measured and cut anew for every document, which took
// most of the time of a page; it remains for text the code page lacks, a
// name in Cyrillic for one.
var (
	//go:embed fonts/goregular.json
	cp1257Regular []byte
	//go:embed fonts/goregular.z
	cp1257RegularFile []byte
	//go:embed fonts/gobold.json
	cp1257Bold []byte
	//go:embed fonts/gobold.z
	cp1257BoldFile []byte
	//go:embed fonts/cp1257.map
	cp1257Map []byte

	cp1257 = mustCodePage(newCodePage(cp1257Map, pageFont{cp1257Regular, cp1257RegularFile}, pageFont{cp1257Bold, cp1257BoldFile}))
)

func mustCodePage(c *codePage, err error) *codePage {
	if err != nil {
		panic("certificates: embedded font definitions: " + err.Error())
	}
	return c
}

// pdfFaces are parsed once only to ask which characters the fonts can draw.
var pdfFaces = []*sfnt.Font{mustParseFont(goregular.TTF), mustParseFont(gobold.TTF)}

func mustParseFont(ttf []byte) *sfnt.Font {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("certificates: embedded font: " + err.Error())
	}
	return f
}

// addPDFFonts embeds the fonts in one document: the code page's when cp is
// set, else the UTF-8 ones. gofpdf only reads the code page's definitions
// and files, so all documents share them. While subsetting a UTF-8 font,
// though, it appends to sub-slices of the font bytes it was given (checksum
// padding), which writes into that array: documents rendered at the same
// time must not share it, so each gets its own copy.
func addPDFFonts(f *gofpdf.Fpdf, cp *codePage) {
	if cp != nil {
		f.AddFontFromBytes(pdfFontFamily, "", cp.fonts[0].def, cp.fonts[0].file)
		f.AddFontFromBytes(pdfFontFamily, "B", cp.fonts[1].def, cp.fonts[1].file)
		return
	}
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
