package certificates

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mooc/internal/testkit"
)

func sealedCertificate(t testing.TB, s *Seal) []byte {
	t.Helper()
	d := courseDocument()
	d.Issuer = Issuer{Name: s.Certificate().Subject.CommonName}
	pdf, err := s.Sign(render(t, d), d.IssuedAt)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// A sealed certificate verifies in poppler as the issuer's and whole; a
// byte changed in what the signature covers breaks it, and bytes appended
// afterwards (an incremental update that could redraw the page) leave a
// signature that no longer covers the document.
func TestSealedCertificateVerifies(t *testing.T) {
	seal := testSeal(t)
	pdf := sealedCertificate(t, seal)
	testkit.AssertSealed(t, pdf, testIssuer)
	// The claimed time is the issue's; the CMS states the system clock's,
	// which pdfsig shows.
	if !bytes.Contains(pdf, []byte("/M (D:20261123140500+00'00')")) {
		t.Error("the signature dictionary does not claim the issue time")
	}

	// A byte of the page's drawing, inside the first signed range.
	changed := bytes.Clone(pdf)
	at := bytes.Index(changed, []byte("stream\n")) + 20
	changed[at] ^= 0x01
	if out := testkit.PDFSig(t, changed); !strings.Contains(out, "Signature Validation: Digest Mismatch.") ||
		strings.Contains(out, "Signature is Valid") {
		t.Errorf("a changed byte is not reported:\n%s", out)
	}

	appended := append(bytes.Clone(pdf), []byte("1 0 obj\n<< >>\nendobj\n%%EOF\n")...)
	if out := testkit.PDFSig(t, appended); !strings.Contains(out, "Not total document signed") {
		t.Errorf("appended bytes are not reported:\n%s", out)
	}
}

// Signing keeps what was drawn: the text reads the same before and after,
// in the code page's fonts and in the UTF-8 ones, on the certificate, the
// revoked one and the transcript.
func TestSealKeepsThePage(t *testing.T) {
	seal := testSeal(t)
	cyrillic, revoked := courseDocument(), courseDocument()
	cyrillic.HolderName = "Анна Петрова"
	revokedAt := revoked.IssuedAt.AddDate(0, 1, 0)
	revoked.RevokedAt, revoked.RevocationReason = &revokedAt, "Izsniegts kļūdas dēļ"
	transcriptPDF, err := RenderTranscript(transcript(2))
	if err != nil {
		t.Fatal(err)
	}
	for name, plain := range map[string][]byte{
		"code page": render(t, courseDocument()), "utf-8": render(t, cyrillic), "revoked": render(t, revoked), "transcript": transcriptPDF,
	} {
		t.Run(name, func(t *testing.T) {
			sealed, err := seal.Sign(plain, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(sealed, plain) {
				t.Error("the sealed PDF does not start with the rendered one: signing must only append")
			}
			if a, b := testkit.PDFText(t, plain), testkit.PDFText(t, sealed); a != b {
				t.Errorf("the text changed in signing:\n%s\n---\n%s", a, b)
			}
			testkit.AssertSealed(t, sealed, testIssuer)
		})
	}
}

// testLogo is a PNG with transparency, as logos come.
func testLogo(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 300, 120))
	for y := range 120 {
		for x := range 300 {
			img.Set(x, y, color.NRGBA{R: 24, G: 70, B: 120, A: uint8((x + y) % 256)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// issuerWithLogo is the test issuer with testLogo, loaded as the platform
// loads it.
func issuerWithLogo(t testing.TB) Issuer {
	t.Helper()
	logoFile := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logoFile, testLogo(t), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer, err := LoadIssuer(testIssuer, logoFile)
	if err != nil {
		t.Fatal(err)
	}
	return issuer
}

// imageSizes lists the sizes of a PDF's images, as pdfimages -list reads
// them.
func imageSizes(t *testing.T, pdf []byte) []string {
	t.Helper()
	var sizes []string
	for _, line := range strings.Split(runTool(t, "pdfimages", "-list", writePDF(t, pdf)), "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[2] == "image" {
			sizes = append(sizes, f[3]+"x"+f[4])
		}
	}
	return sizes
}

// The issuer's name is on the certificate and the transcript in Latvian
// letters, in the code page's fonts and in the UTF-8 ones, with the logo
// when there is one.
func TestIssuerOnThePDFs(t *testing.T) {
	issuer := issuerWithLogo(t)
	cyrillic := courseDocument()
	cyrillic.HolderName = "Анна Петрова" // not in the code page: the UTF-8 fonts
	for name, d := range map[string]Document{"code page": courseDocument(), "utf-8": cyrillic} {
		t.Run(name, func(t *testing.T) {
			d.Issuer = issuer
			pdf := render(t, d)
			assertContains(t, testkit.PDFText(t, pdf), testIssuer, "APLIECINĀJUMS")
			if sizes := imageSizes(t, pdf); !strings.Contains(strings.Join(sizes, " "), "300x120") {
				t.Errorf("no logo among the images %v", sizes)
			}
			// Laid on white at start-up: no soft mask to compress anew per page.
			if list := runTool(t, "pdfimages", "-list", writePDF(t, pdf)); strings.Contains(list, "smask") {
				t.Errorf("the logo kept its alpha channel:\n%s", list)
			}
		})
	}
	tr := transcript(2)
	tr.Issuer = issuer
	pdf, err := RenderTranscript(tr)
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, testkit.PDFText(t, pdf), testIssuer, "IZZIŅA")
	if sizes := imageSizes(t, pdf); !strings.Contains(strings.Join(sizes, " "), "300x120") {
		t.Errorf("no logo among the transcript's images %v", sizes)
	}

	// The longest name allowed still fits, in two lines at most.
	long := courseDocument()
	long.Issuer = Issuer{Name: strings.Repeat("Sociālās palīdzības dienests ", 5)[:119], Logo: issuer.Logo}
	assertContains(t, testkit.PDFText(t, render(t, long)), "Sociālās palīdzības dienests")

	if _, err := LoadIssuer(testIssuer, filepath.Join(t.TempDir(), "none.png")); err == nil || !strings.Contains(err.Error(), "MOOC_ISSUER_LOGO") {
		t.Errorf("a missing logo: %v", err)
	}
}

// The transcript the training domain asks for carries the issuer and the
// seal, dated as issued.
func TestSealedTranscript(t *testing.T) {
	seal := testSeal(t)
	svc := New(Deps{Issuer: Issuer{Name: testIssuer}, Seal: seal})
	pdf, err := svc.TranscriptPDF(transcript(3))
	if err != nil {
		t.Fatal(err)
	}
	testkit.AssertSealed(t, pdf, testIssuer)
	if !bytes.Contains(pdf, []byte("/M (D:20270301100000+00'00')")) {
		t.Error("the transcript's signature does not claim its issue time")
	}
	assertContains(t, testkit.PDFText(t, pdf), testIssuer, "Vārds, uzvārds: Ģirts Ķļaviņš")
}

// Rendering alone against rendering and sealing, the issuer printed, with
// and without a logo, and the seal's signature alone (BENCHMARKS.md,
// "Signed certificates").
func BenchmarkSeal(b *testing.B) {
	seal := testSeal(b)
	b.Run("seal", func(b *testing.B) {
		d := courseDocument()
		d.Issuer = Issuer{Name: testIssuer}
		pdf := render(b, d)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := seal.Sign(pdf, d.IssuedAt); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name       string
		logo, seal bool
	}{{"render", false, false}, {"render+seal", false, true}, {"render+logo", true, false}, {"render+logo+seal", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			d := courseDocument()
			d.Issuer = Issuer{Name: testIssuer}
			if c.logo {
				d.Issuer = issuerWithLogo(b)
			}
			b.ReportAllocs()
			for b.Loop() {
				pdf, err := Render(d)
				if err == nil && c.seal {
					_, err = seal.Sign(pdf, d.IssuedAt)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
