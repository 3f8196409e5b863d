package certificates

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/unicode/norm"

	"mooc/internal/lv"
	"mooc/internal/testkit"
)

// The PDFs are read back with poppler-utils, as a person's viewer would
// read them. A missing tool fails the test rather than skipping it: a
// skipped check would pass a certificate that nobody looked at.
func popplerTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found in PATH: the certificate tests read the rendered PDFs with poppler-utils "+
			"(install the poppler-utils package; make test installs it)", name)
	}
	return path
}

func writePDF(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runTool(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(popplerTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func render(t testing.TB, d Document) []byte {
	t.Helper()
	pdf, err := Render(d)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Fatalf("Render returned %d bytes that are not a whole PDF", len(pdf))
	}
	return pdf
}

func assertContains(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF text lacks %q\ntext: %s", w, text)
		}
	}
}

func courseDocument() Document {
	return Document{
		Code:             "K7QM-3XPA-9RTB",
		HolderName:       "Ģirts Ķļaviņš",
		Kind:             "course",
		Title:            "Krīzes intervence sociālajā darbā",
		MethodologyTitle: "Krīzes intervence",
		Hours:            12,
		From:             time.Date(2026, time.October, 5, 0, 0, 0, 0, lv.Riga),
		To:               time.Date(2026, time.November, 9, 0, 0, 0, 0, lv.Riga),
		IssuedAt:         time.Date(2026, time.November, 23, 14, 5, 0, 0, time.UTC),
		VerifyURL:        "https://mooc.example.lv/verify/K7QM-3XPA-9RTB",
	}
}

func programmeDocument() Document {
	d := courseDocument()
	d.Code = "P2WX-7HNM-4KDS"
	d.Kind = "programme"
	d.HolderName = "Līga Ozoliņa"
	d.Title = "Ģimenes asistenta darbs ar ģimenēm ar bērniem"
	d.MethodologyTitle = "Darbs ar ģimenēm ar bērniem"
	d.Hours = 96
	d.From = time.Date(2026, time.February, 2, 9, 0, 0, 0, lv.Riga)
	d.To = time.Date(2026, time.May, 29, 17, 0, 0, 0, lv.Riga)
	d.IssuedAt = time.Date(2026, time.June, 1, 8, 0, 0, 0, time.UTC)
	d.VerifyURL = "https://mooc.example.lv/verify/P2WX-7HNM-4KDS"
	return d
}

func TestRenderCourseCertificate(t *testing.T) {
	d := courseDocument()
	pdf := render(t, d)
	assertContains(t, testkit.PDFText(t, pdf),
		"APLIECINĀJUMS",
		"par e-mācību kursa apguvi",
		"Ģirts Ķļaviņš",
		"sekmīgi apguva e-mācību kursu",
		"„Krīzes intervence sociālajā darbā”",
		"Metodika: Krīzes intervence",
		"Apjoms: 12 stundas",
		"Norises laiks: 2026. gada 5. oktobris – 2026. gada 9. novembris",
		"Izsniegts: 2026. gada 23. novembris",
		"Apliecinājuma kods: K7QM-3XPA-9RTB",
		"Pārbaudīt apliecinājuma derīgumu:",
		"https://mooc.example.lv/verify/K7QM-3XPA-9RTB",
	)

	info := runTool(t, "pdfinfo", writePDF(t, pdf))
	for _, want := range []string{
		"Pages:           1",
		"Page size:       841.89 x 595.28 pts (A4)",
		"Title:           Apliecinājums K7QM-3XPA-9RTB",
		"Author:          Sociālā darba speciālistu e-mācību platforma",
		"Subject:         Apliecinājums par e-mācību kursa apguvi: „Krīzes intervence sociālajā darbā”",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q\n%s", want, info)
		}
	}
	// Both fonts are embedded, not referred to by name: Latvian text needs
	// no more than the Baltic code page's fonts.
	fonts := runTool(t, "pdffonts", writePDF(t, pdf))
	if got := len(codePageFont.FindAllString(fonts, -1)); got != 2 {
		t.Errorf("want the regular and the bold Go font embedded in the code page:\n%s", fonts)
	}
}

var (
	codePageFont = regexp.MustCompile(`TrueType +Custom +yes`)
	utf8Font     = regexp.MustCompile(`CID TrueType +Identity-H +yes`)
)

func TestRenderEveryLatvianLetter(t *testing.T) {
	const name = "ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž"
	d := courseDocument()
	d.HolderName = name
	d.Title = "Ģimeņu ar bērniem atbalsts: ķēdes, šķēršļi, žēlums, ūdens, čaklums"
	d.MethodologyTitle = "Stiprinātājas pieejas perspektīva"
	text := testkit.PDFText(t, render(t, d))
	assertContains(t, text, name, "„"+d.Title+"”", "Metodika: "+d.MethodologyTitle)

	// A name typed as base letters and combining marks is printed as the
	// same letters, not as "A?".
	d.HolderName = norm.NFD.String(name)
	assertContains(t, testkit.PDFText(t, render(t, d)), name)
}

func TestRenderProgrammeCertificate(t *testing.T) {
	d := programmeDocument()
	assertContains(t, testkit.PDFText(t, render(t, d)),
		"APLIECINĀJUMS",
		"par klātienes mācību programmas apguvi",
		"Līga Ozoliņa",
		"sekmīgi apguva mācību programmu",
		"„Ģimenes asistenta darbs ar ģimenēm ar bērniem”",
		"Metodika: Darbs ar ģimenēm ar bērniem",
		"Apjoms: 96 akadēmiskās stundas",
		"Norises laiks: 2026. gada 2. februāris – 2026. gada 29. maijs",
		"Izsniegts: 2026. gada 1. jūnijs",
		"Apliecinājuma kods: P2WX-7HNM-4KDS",
		"https://mooc.example.lv/verify/P2WX-7HNM-4KDS",
	)
	if text := testkit.PDFText(t, render(t, d)); strings.Contains(text, "e-mācību") {
		t.Errorf("a programme certificate speaks of an online course: %s", text)
	}
}

var bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// assertInsideFrame checks that every word on the page lies inside the
// inner frame, 13 mm from the paper edge, and returns the words in order.
func assertInsideFrame(t *testing.T, pdf []byte) string {
	t.Helper()
	const mm = 72 / 25.4
	out := runTool(t, "pdftotext", "-bbox", "-enc", "UTF-8", writePDF(t, pdf), "-")
	matches := bboxWord.FindAllStringSubmatch(out, -1)
	if len(matches) == 0 {
		t.Fatalf("pdftotext -bbox found no words:\n%s", out)
	}
	words := make([]string, 0, len(matches))
	for _, m := range matches {
		var box [4]float64
		for i := range box {
			box[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		word := html.UnescapeString(m[5])
		if box[0] < 13*mm || box[1] < 13*mm || box[2] > (297-13)*mm || box[3] > (210-13)*mm {
			t.Errorf("%q at %.0f,%.0f–%.0f,%.0f pt crosses the frame", word, box[0], box[1], box[2], box[3])
		}
		words = append(words, word)
	}
	return strings.Join(words, " ")
}

func TestRenderLongNameAndTitle(t *testing.T) {
	d := programmeDocument()
	d.HolderName = "Anna-Marija Kristīne Elizabete Jēkabsone-Vanaga-Ziemeļkalniņa-Bērziņa-Priedīte"
	d.Title = "Sociālā darba ar ģimenēm, kurās ir bērni ar funkcionāliem traucējumiem, ilgstoši " +
		"bezdarbnieki vai vardarbībā cietušas personas, metodikas aprobācija un ieviešana " +
		"novadu un valstspilsētu pašvaldību sociālajos dienestos, tostarp kopienas sociālajā darbā"
	d.MethodologyTitle = "Psihosociālā pieeja un stiprās puses perspektīva darbā ar klientiem, " +
		"kuriem ir vairākas vienlaicīgas sociālās problēmas"
	d.VerifyURL = "https://apmacibas.socialais-darbs.example.lv/sertifikati/parbaude/P2WX-7HNM-4KDS?valoda=lv"
	pdf := render(t, d)

	text := testkit.PDFText(t, pdf)
	assertContains(t, text, d.HolderName, "„"+d.Title+"”", "Metodika: "+d.MethodologyTitle, "96 akadēmiskās stundas")
	if strings.Contains(text, "…") {
		t.Errorf("text that fits when wrapped and shrunk was cut: %s", text)
	}
	// A URL too long for one line is broken, not cut.
	if got := strings.ReplaceAll(assertInsideFrame(t, pdf), " ", ""); !strings.Contains(got, d.VerifyURL) {
		t.Errorf("the verify URL %s is not all there: %s", d.VerifyURL, got)
	}
	if info := runTool(t, "pdfinfo", writePDF(t, pdf)); !strings.Contains(info, "Pages:           1") {
		t.Errorf("want one page:\n%s", info)
	}
}

func TestRenderAbsurdlyLongTextStaysOnThePage(t *testing.T) {
	d := courseDocument()
	d.HolderName = strings.Repeat("Ģirts Ķļaviņš ", 30)
	d.Title = strings.Repeat("Krīzes intervence sociālajā darbā ", 300)
	d.MethodologyTitle = strings.Repeat("Krīzes intervence ", 40)
	d.Code = strings.Repeat("K7QM-", 40)
	pdf := render(t, d)
	words := assertInsideFrame(t, pdf)
	if n := strings.Count(words, "…"); n != 2 {
		t.Errorf("want the title and the code cut with an ellipsis, found %d: %s", n, words)
	}
	if !strings.Contains(words, "APLIECINĀJUMS") || !strings.Contains(words, "Izsniegts:") {
		t.Errorf("overlong texts pushed the fixed parts off the page: %s", words)
	}
	if info := runTool(t, "pdfinfo", writePDF(t, pdf)); !strings.Contains(info, "Pages:           1") {
		t.Errorf("want one page:\n%s", info)
	}
}

func TestRenderTextsStayInsideTheFrame(t *testing.T) {
	assertInsideFrame(t, render(t, courseDocument()))
	assertInsideFrame(t, render(t, programmeDocument()))
}

// There is no QR decoder among the modules, so the test reads the one
// embedded image back out of the PDF and compares it module by module with
// the code of the verify URL.
func TestRenderEmbedsTheQRCodeOfTheVerifyURL(t *testing.T) {
	d := courseDocument()
	path := writePDF(t, render(t, d))

	list := strings.Split(strings.TrimSpace(runTool(t, "pdfimages", "-list", path)), "\n")
	if len(list) != 3 { // two header lines, one image
		t.Fatalf("want exactly one image in the PDF:\n%s", strings.Join(list, "\n"))
	}

	prefix := filepath.Join(t.TempDir(), "img")
	runTool(t, "pdfimages", "-png", path, prefix)
	f, err := os.Open(prefix + "-000.png")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}

	q, err := qrcode.New(d.VerifyURL, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	want := q.Bitmap()
	if got, n := img.Bounds().Dx(), len(want)*qrPixelsPerModule; got != n || img.Bounds().Dy() != n {
		t.Fatalf("the image is %v, want %d×%d pixels", img.Bounds(), n, n)
	}
	for y, row := range want {
		for x, dark := range row {
			r, _, _, _ := img.At(x*qrPixelsPerModule+qrPixelsPerModule/2, y*qrPixelsPerModule+qrPixelsPerModule/2).RGBA()
			if (r < 0x8000) != dark {
				t.Fatalf("module %d,%d differs from the QR code of %s", x, y, d.VerifyURL)
			}
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	d := courseDocument()
	first := render(t, d)
	for range 3 {
		if again := render(t, d); !bytes.Equal(first, again) {
			t.Fatal("two renders of the same document differ")
		}
	}
	d.IssuedAt = d.IssuedAt.Add(time.Second)
	if bytes.Equal(first, render(t, d)) {
		t.Error("the issue time is not in the PDF")
	}
}

func TestRenderConcurrently(t *testing.T) {
	const n = 50
	pdfs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { pdfs[i], errs[i] = Render(concurrentDocument(i)) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		// A render that shared state with another would differ from the
		// same document rendered alone, in its fonts or its image.
		if alone := render(t, concurrentDocument(i)); !bytes.Equal(pdfs[i], alone) {
			t.Fatalf("render %d differs from the same document rendered alone", i)
		}
	}
	for _, i := range []int{0, n / 2, n - 1} {
		assertContains(t, testkit.PDFText(t, pdfs[i]), fmt.Sprintf("Jānis Bērziņš %d", i), fmt.Sprintf("K7QM-3XPA-%04d", i),
			"Krīzes intervence sociālajā darbā")
	}
}

func concurrentDocument(i int) Document {
	d := courseDocument()
	d.HolderName = fmt.Sprintf("Jānis Bērziņš %d", i)
	d.Code = fmt.Sprintf("K7QM-3XPA-%04d", i)
	return d
}

func TestRenderRejectsIncompleteDocuments(t *testing.T) {
	for name, change := range map[string]func(*Document){
		"unknown kind":        func(d *Document) { d.Kind = "webinar" },
		"no holder":           func(d *Document) { d.HolderName = " \n " },
		"no title":            func(d *Document) { d.Title = "" },
		"no code":             func(d *Document) { d.Code = "" },
		"no verify URL":       func(d *Document) { d.VerifyURL = "" },
		"no hours":            func(d *Document) { d.Hours = 0 },
		"no issue date":       func(d *Document) { d.IssuedAt = time.Time{} },
		"period backwards":    func(d *Document) { d.From, d.To = d.To, d.From },
		"verify URL too long": func(d *Document) { d.VerifyURL = "https://x.lv/" + strings.Repeat("a", 4000) },
	} {
		d := courseDocument()
		change(&d)
		if _, err := Render(d); err == nil {
			t.Errorf("%s: Render succeeded", name)
		}
	}
}

func TestRenderWithoutPeriodOrMethodology(t *testing.T) {
	d := courseDocument()
	d.From, d.To, d.MethodologyTitle = time.Time{}, time.Time{}, ""
	text := testkit.PDFText(t, render(t, d))
	for _, absent := range []string{"Norises laiks", "Metodika"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q printed without a value: %s", absent, text)
		}
	}
	d = courseDocument()
	d.To = d.From.Add(6 * time.Hour)
	assertContains(t, testkit.PDFText(t, render(t, d)), "Norises laiks: 2026. gada 5. oktobris Izsniegts")
}

// The dates are printed on the calendar of Riga, whatever zone the times
// come in: a cohort that starts at 00:00 on 2 March in Riga (22:00 on 1 March
// in UTC, winter time) and ends at 00:00 on 13 April (21:00 on 12 April in
// UTC, summer time) ran from 2 March to 13 April. The hours agree with their
// number.
func TestRenderDatesAndHoursInRiga(t *testing.T) {
	d := courseDocument()
	d.From = time.Date(2026, time.March, 1, 22, 0, 0, 0, time.UTC)
	d.To = time.Date(2026, time.April, 12, 21, 0, 0, 0, time.UTC)
	d.IssuedAt = time.Date(2026, time.April, 30, 21, 30, 0, 0, time.UTC)
	d.Hours = 21
	assertContains(t, testkit.PDFText(t, render(t, d)),
		"Apjoms: 21 stunda",
		"Norises laiks: 2026. gada 2. marts – 2026. gada 13. aprīlis",
		"Izsniegts: 2026. gada 1. maijs")

	d = programmeDocument()
	d.Hours = 91
	assertContains(t, testkit.PDFText(t, render(t, d)), "Apjoms: 91 akadēmiskā stunda")
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"  Ģirts \n\t Ķļaviņš ":          "Ģirts Ķļaviņš",
		norm.NFD.String("Jānis Bērziņš"): "Jānis Bērziņš",
		"Līga 😀 Ozoliņa":                 "Līga ? Ozoliņa",
		"„Krīzes intervence” – 12":       "„Krīzes intervence” – 12",
		"a\u200bb":                       "ab",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	d := courseDocument()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
