package certificates

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"mooc/internal/testkit"
)

// Text the Baltic code page cannot encode is drawn in the UTF-8 fonts,
// wherever on the page it is.
func TestRenderOutsideTheCodePage(t *testing.T) {
	for name, change := range map[string]func(*Document){
		"holder":      func(d *Document) { d.HolderName = "Анна Bērziņa" },
		"title":       func(d *Document) { d.Title = "Krīzes intervence: Кризисная интервенция" },
		"methodology": func(d *Document) { d.MethodologyTitle = "Ψυχοκοινωνική προσέγγιση" },
		"verify URL":  func(d *Document) { d.VerifyURL = "https://mācības.example.lv/verify/K7QM-3XPA-9RTB?ср=1" },
	} {
		t.Run(name, func(t *testing.T) {
			d := courseDocument()
			change(&d)
			pdf := render(t, d)
			assertContains(t, testkit.PDFText(t, pdf), "APLIECINĀJUMS", d.HolderName, "„"+d.Title+"”",
				"Metodika: "+d.MethodologyTitle, "Apjoms: 12 stundas", "Apliecinājuma kods: K7QM-3XPA-9RTB")
			if got := strings.ReplaceAll(assertInsideFrame(t, pdf), " ", ""); !strings.Contains(got, d.VerifyURL) {
				t.Errorf("the verify URL %s is not all there: %s", d.VerifyURL, got)
			}
			fonts := runTool(t, "pdffonts", writePDF(t, pdf))
			if got := len(utf8Font.FindAllString(fonts, -1)); got != 2 || codePageFont.MatchString(fonts) {
				t.Errorf("want the regular and the bold Go font embedded as UTF-8 fonts only:\n%s", fonts)
			}
		})
	}
}

// Documents in either kind of font rendered at the same time come out as
// each would alone: neither kind shares anything gofpdf writes to.
func TestRenderBothKindsConcurrently(t *testing.T) {
	docs := make([]Document, 20)
	for i := range docs {
		docs[i] = concurrentDocument(i)
		if i%2 == 1 {
			docs[i].HolderName = fmt.Sprintf("Анна Bērziņa %d", i)
		}
	}
	pdfs := make([][]byte, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	for i := range docs {
		wg.Go(func() { pdfs[i], errs[i] = Render(docs[i]) })
	}
	wg.Wait()
	for i := range docs {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		if alone := render(t, docs[i]); !bytes.Equal(pdfs[i], alone) {
			t.Fatalf("render %d differs from the same document rendered alone", i)
		}
	}
	assertContains(t, testkit.PDFText(t, pdfs[len(docs)-1]), docs[len(docs)-1].HolderName)
}

func TestCodePageEncodesLatvian(t *testing.T) {
	latvian := "ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž „Krīze” – 12… €"
	if !cp1257.encodes(latvian, "https://mooc.example.lv/verify/K7QM-3XPA-9RTB?a=1&b=~") {
		t.Errorf("cp1257 cannot encode %q", latvian)
	}
	for _, s := range []string{"Анна", "Ω", "😀", "\u0301"} {
		if cp1257.encodes("Līga " + s) {
			t.Errorf("cp1257 claims to encode %q", s)
		}
	}
	if got := cp1257.encode("Ģirts „Ķ”…"); got != "\xccirts \x84\xcd\x94\x85" {
		t.Errorf("encode = %q", got)
	}
}

// The page must not change with the kind of font: the code page's
// measuring and wrapping must agree with gofpdf's for the UTF-8 fonts.
func TestCodePageMeasuresAndWrapsAsGofpdf(t *testing.T) {
	f := gofpdf.New("L", "mm", "A4", "")
	f.AddUTF8FontFromBytes(pdfFontFamily, "", bytes.Clone(goregular.TTF))
	f.AddUTF8FontFromBytes(pdfFontFamily, "B", bytes.Clone(gobold.TTF))
	f.SetCellMargin(0)
	f.AddPage()
	p := &certPage{f: f, cp: cp1257}
	texts := []string{
		"Ģirts Ķļaviņš",
		"„Ģimeņu ar bērniem atbalsts: ķēdes, šķēršļi, žēlums, ūdens, čaklums”",
		strings.Repeat("Krīzes intervence sociālajā darbā ", 12),
		"https://apmacibas.socialais-darbs.example.lv/sertifikati/parbaude/P2WX-7HNM-4KDS?valoda=lv",
		"Anna-Marija Kristīne Elizabete Jēkabsone-Vanaga-Ziemeļkalniņa-Bērziņa-Priedīte",
		"a  b", "W", "",
	}
	for _, bold := range []bool{false, true} {
		for _, pt := range []float64{7, 11, 19.5, 28} {
			p.font(bold, pt)
			for _, s := range texts {
				if got, want := p.width(s), f.GetStringWidth(s); got != want {
					t.Errorf("bold %v, %v pt: width(%q) = %v, gofpdf %v", bold, pt, s, got, want)
				}
				for w := 1.0; w < 260; w += 3.7 {
					if got, want := p.split(s, w), f.SplitText(s, w); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("bold %v, %v pt, %v mm: split(%q) = %q, gofpdf %q", bold, pt, w, s, got, want)
					}
				}
			}
		}
	}
}

// Every character of the code page comes out of its fonts as it does out
// of the UTF-8 ones: the same text, the same pixels.
func TestCodePageDrawsAsTheUTF8Fonts(t *testing.T) {
	var all []rune
	for r, code := range cp1257.codes {
		if code >= 0 {
			all = append(all, rune(r))
		}
	}
	var title strings.Builder
	for i, r := range all {
		if i%12 == 11 {
			title.WriteRune(' ')
		}
		title.WriteRune(r)
	}
	d := courseDocument()
	d.Title = title.String()
	inCodePage, err := renderIn(d, cp1257)
	if err != nil {
		t.Fatal(err)
	}
	inUTF8, err := renderIn(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fonts := runTool(t, "pdffonts", writePDF(t, inCodePage)); len(codePageFont.FindAllString(fonts, -1)) != 2 {
		t.Fatalf("not drawn in the code page's fonts:\n%s", fonts)
	}
	text := testkit.PDFText(t, inCodePage)
	if want := testkit.PDFText(t, inUTF8); text != want {
		t.Errorf("the text differs:\ncode page: %s\nUTF-8:     %s", text, want)
	}
	assertContains(t, text, "„"+printable(d.Title)+"”")
	if a, b := pageImage(t, inCodePage), pageImage(t, inUTF8); !bytes.Equal(a, b) {
		t.Error("the pages differ in their pixels")
	}
}

func pageImage(t *testing.T, pdf []byte) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "page")
	runTool(t, "pdftoppm", "-png", "-r", "100", "-singlefile", writePDF(t, pdf), out)
	img, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func BenchmarkRenderOutsideTheCodePage(b *testing.B) {
	d := courseDocument()
	d.HolderName = "Анна Bērziņa"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
