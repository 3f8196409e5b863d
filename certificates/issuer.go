package certificates

import (
	"bytes"
	"fmt"
	"os"

	"github.com/jung-kurt/gofpdf"
)

// Issuer is the organisation that issues the certificates and transcripts,
// as printed on them (MOOC_ISSUER_NAME, MOOC_ISSUER_LOGO). Whoever reads a
// PDF learns from it who vouches for it; the seal's certificate names the
// same organisation, so the two can be compared.
type Issuer struct {
	Name string
	Logo []byte // a PNG; none when empty
}

// LoadIssuer reads the issuer's logo file, when one is named. Whether it
// is a PNG at all is checked with the configuration; here, that gofpdf
// can draw it: it reads PNGs its own way (no interlacing, 8 bits a channel
// at most), and a logo it refused would fail every certificate.
func LoadIssuer(name, logoFile string) (Issuer, error) {
	i := Issuer{Name: name}
	if logoFile == "" {
		return i, nil
	}
	logo, err := os.ReadFile(logoFile)
	if err != nil {
		return Issuer{}, fmt.Errorf("MOOC_ISSUER_LOGO: %w", err)
	}
	if err := drawable(logo); err != nil {
		return Issuer{}, fmt.Errorf("MOOC_ISSUER_LOGO: %s cannot be drawn: %w", logoFile, err)
	}
	i.Logo = logo
	return i, nil
}

func drawable(logo []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f := gofpdf.New("P", "mm", "A4", "")
	f.RegisterImageOptionsReader("logo", gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(logo))
	return f.Error()
}

// issuerHeader draws the logo at the left end of the box from left to
// right and from top to bottom (mm), and the issuer's name centred on the
// page in what the logo leaves free on both sides, so it stays centred
// under it. name is printable already.
func (p *certPage) issuerHeader(name string, logo []byte, left, right, top, bottom float64) {
	const gap = 4.0
	height := bottom - top
	centre := (left + right) / 2
	half := (right - left) / 2
	if len(logo) > 0 {
		info := p.f.RegisterImageOptionsReader("issuer-logo", gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(logo))
		if info != nil && info.Width() > 0 && info.Height() > 0 {
			// At most the box's height, and no wider than a fifth of it.
			h := height
			w := h * info.Width() / info.Height()
			if maxW := (right - left) / 5; w > maxW {
				w, h = maxW, maxW*info.Height()/info.Width()
			}
			p.f.ImageOptions("issuer-logo", left, top+(height-h)/2, w, h, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
			half -= w + gap
		}
	}
	if name == "" {
		return
	}
	block := &textBlock{text: name, bold: true, size: 11, min: 7.5, maxLines: 2, colour: accentColour}
	blocks := []*textBlock{block}
	used := p.layoutBlocks(blocks, 2*half, height)
	p.drawBlocks(blocks, centre-half, 2*half, top+(height-used)/2)
}
