package certificates

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
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
// is a PNG at all is checked with the configuration; here it is laid on
// white, as the page is, and written again as an opaque 8-bit PNG:
// gofpdf splits a transparent PNG's alpha channel out and compresses both
// parts anew for every document, which would take longer than the rest
// of the page, and refuses 16-bit and interlaced ones outright.
func LoadIssuer(name, logoFile string) (Issuer, error) {
	i := Issuer{Name: name}
	if logoFile == "" {
		return i, nil
	}
	raw, err := os.ReadFile(logoFile)
	if err != nil {
		return Issuer{}, fmt.Errorf("MOOC_ISSUER_LOGO: %w", err)
	}
	logo, err := opaquePNG(raw)
	if err == nil {
		err = drawable(logo)
	}
	if err != nil {
		return Issuer{}, fmt.Errorf("MOOC_ISSUER_LOGO: %s cannot be drawn: %w", logoFile, err)
	}
	i.Logo = logo
	return i, nil
}

// opaquePNG lays a PNG on white and encodes it without transparency.
func opaquePNG(raw []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, flat); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
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
