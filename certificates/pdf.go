package certificates

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"mooc/internal/lv"
)

// Document is everything printed on a certificate.
type Document struct {
	Code             string    // e.g. "K7QM-3XPA-9RTB"
	HolderName       string    // "Ģirts Ķļaviņš"
	Kind             string    // "course" (e-mācību kurss, online) or "programme" (klātienes mācības, in-person)
	Title            string    // course or programme title
	MethodologyTitle string    // the methodology it belongs to
	Hours            int       // 12 for online courses; 88..100 academic hours for programmes
	From, To         time.Time // cohort or programme dates
	// CompletedAt is when the last requirement was met. When set, an
	// online course's certificate states its date instead of the cohort's
	// period, and a programme's period ends on it at the latest.
	CompletedAt time.Time
	IssuedAt    time.Time
	VerifyURL   string // printed and encoded as a QR code
	// RevokedAt, when set, marks the certificate ATSAUKTS (revoked) with
	// the date and the reason across it.
	RevokedAt        *time.Time
	RevocationReason string
	// Issuer is printed above the heading; the service sets it.
	Issuer Issuer
}

// Page geometry in millimetres, A4 landscape.
const (
	pageW, pageH = 297.0, 210.0
	pdfMarginX   = 30.0 // text never comes closer to the paper edge than this
	ptToMM       = 25.4 / 72
	lineSpacing  = 1.22
)

var (
	inkColour    = [3]int{34, 38, 46}
	accentColour = [3]int{24, 70, 120}
	mutedColour  = [3]int{92, 99, 112}
)

// textBlock is a run of centred text that may wrap and shrink to fit.
type textBlock struct {
	text      string
	bold      bool
	size, min float64 // preferred and smallest font size, pt
	maxLines  int
	gap       float64 // space above, mm
	colour    [3]int

	// set by layout
	lines   []string
	usedPt  float64
	clipped bool
}

func lineHeight(pt float64) float64 { return pt * ptToMM * lineSpacing }

func (b *textBlock) height() float64 { return b.gap + float64(len(b.lines))*lineHeight(b.usedPt) }

// certPage lays out text in UTF-8 and hands it to gofpdf in the encoding
// of the document's fonts.
type certPage struct {
	f    *gofpdf.Fpdf
	cp   *codePage // nil: UTF-8 fonts
	bold bool      // of the current font
}

func (p *certPage) font(bold bool, pt float64) {
	style := ""
	if bold {
		style = "B"
	}
	p.bold = bold
	p.f.SetFont(pdfFontFamily, style, pt)
}

func (p *certPage) colour(c [3]int) { p.f.SetTextColor(c[0], c[1], c[2]) }

// text is s as the current font draws it.
func (p *certPage) text(s string) string {
	if p.cp == nil {
		return s
	}
	return p.cp.encode(s)
}

// width of s in the current font, mm.
func (p *certPage) width(s string) float64 {
	if p.cp == nil {
		return p.f.GetStringWidth(s)
	}
	_, size := p.f.GetFontSize()
	return float64(p.cp.width(s, p.bold)) * size / 1000
}

// split wraps s into lines at most width mm wide in the current font.
func (p *certPage) split(s string, width float64) []string {
	if p.cp == nil {
		return p.f.SplitText(s, width)
	}
	_, size := p.f.GetFontSize()
	return p.cp.split(s, p.bold, (width-2*p.f.GetCellMargin())*1000/size)
}

// fit chooses the largest size, in half points from size down to minPt, at
// which text wraps into at most maxLines lines of the given width; text that
// needs more lines even at minPt gets them, and the caller decides.
func (p *certPage) fit(text string, bold bool, size, minPt float64, maxLines int, width float64) (float64, []string) {
	for pt := size; pt >= minPt-1e-9; pt -= 0.5 {
		p.font(bold, pt)
		if lines := p.split(text, width); len(lines) <= maxLines {
			return pt, p.balance(text, width, lines)
		}
	}
	p.font(bold, minPt)
	return minPt, p.balance(text, width, p.split(text, width))
}

// balance rewraps text into the same number of lines at the narrowest width
// that allows it, so that a title does not end in one orphaned word under
// two full lines.
func (p *certPage) balance(text string, width float64, lines []string) []string {
	if len(lines) < 2 {
		return lines
	}
	lo, hi := width/float64(len(lines)), width
	for hi-lo > 0.5 {
		mid := (lo + hi) / 2
		if len(p.split(text, mid)) <= len(lines) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return p.split(text, hi)
}

// ellipsize shortens line until it and a trailing "…" fit the width, in the
// current font.
func (p *certPage) ellipsize(line string, width float64) string {
	r := []rune(strings.TrimSpace(line))
	for len(r) > 0 && p.width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// layoutBlocks sizes the blocks to fill at most height mm of a column width
// mm wide. It first lets each block shrink within its range, then shrinks
// them all together; only text too long for any legible size is cut, with
// an ellipsis, so that nothing ever runs off the page.
func (p *certPage) layoutBlocks(blocks []*textBlock, width, height float64) float64 {
	total := 0.0
	for scale := 1.0; ; scale -= 0.1 {
		total = 0
		for _, b := range blocks {
			b.usedPt, b.lines = p.fit(b.text, b.bold, b.size*scale, b.min*scale, b.maxLines, width)
			total += b.height()
		}
		if total <= height || scale < 0.55 {
			break
		}
	}
	for total > height {
		var longest *textBlock
		for _, b := range blocks {
			if len(b.lines) > 1 && (longest == nil || len(b.lines) > len(longest.lines)) {
				longest = b
			}
		}
		if longest == nil {
			break
		}
		longest.lines = longest.lines[:len(longest.lines)-1]
		longest.clipped = true
		total -= lineHeight(longest.usedPt)
	}
	for _, b := range blocks {
		if b.clipped {
			p.font(b.bold, b.usedPt)
			b.lines[len(b.lines)-1] = p.ellipsize(b.lines[len(b.lines)-1], width)
		}
	}
	return total
}

// drawBlocks draws the blocks centred between left and left+width, from top.
func (p *certPage) drawBlocks(blocks []*textBlock, left, width, top float64) {
	y := top
	for _, b := range blocks {
		y += b.gap
		p.font(b.bold, b.usedPt)
		p.colour(b.colour)
		lh := lineHeight(b.usedPt)
		for _, line := range b.lines {
			p.f.SetXY(left, y)
			p.f.CellFormat(width, lh, p.text(line), "", 0, "C", false, 0, "")
			y += lh
		}
	}
}

// oneLine fits a single line into width by shrinking it down to minPt and, past
// that, cutting it. It leaves that font selected.
func (p *certPage) oneLine(text string, bold bool, size, minPt, width float64) string {
	pt, lines := p.fit(text, bold, size, minPt, 1, width)
	p.font(bold, pt)
	if len(lines) > 1 {
		return p.ellipsize(text, width)
	}
	return text
}

// Render draws the certificate on one A4 landscape page.
//
// The same Document always gives the same bytes: the PDF's dates come from
// IssuedAt and its resources are written in a fixed order.
func Render(d Document) (out []byte, err error) { return renderIn(d, cp1257) }

// renderIn draws in the fonts of the code page cp when it encodes every
// text of the page, else (and when cp is nil) in the UTF-8 fonts.
func renderIn(d Document, cp *codePage) (out []byte, err error) {
	// gofpdf panics on some inputs (its tables are indexed by rune, for one);
	// a certificate that cannot be drawn must fail its request or its bulk
	// job, not take the process down.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("certificates: render: %v", r)
		}
	}()

	var subtitle, achieved string
	switch d.Kind {
	case "course":
		subtitle, achieved = "par e-mācību kursa apguvi", "sekmīgi apguva e-mācību kursu"
	case "programme":
		subtitle, achieved = "par klātienes mācību programmas apguvi", "sekmīgi apguva mācību programmu"
	default:
		return nil, fmt.Errorf("certificates: render: unknown kind %q", d.Kind)
	}
	holder, title, methodology := printable(d.HolderName), printable(d.Title), printable(d.MethodologyTitle)
	code, verifyURL, issuer := printable(d.Code), strings.TrimSpace(d.VerifyURL), printable(d.Issuer.Name)
	link := printable(verifyURL)
	revokedOn, reason := "", ""
	if d.RevokedAt != nil {
		revokedOn, reason = "Atsaukts "+lv.DateIn(*d.RevokedAt), printable(d.RevocationReason)
		if reason != "" {
			reason = "Iemesls: " + reason
		}
	}
	switch {
	case holder == "" || title == "" || code == "" || verifyURL == "":
		return nil, errors.New("certificates: render: holder name, title, code and verify URL are required")
	case d.Hours <= 0:
		return nil, errors.New("certificates: render: hours must be positive")
	case d.IssuedAt.IsZero():
		return nil, errors.New("certificates: render: issue date is required")
	case !d.From.IsZero() && !d.To.IsZero() && d.To.Before(d.From):
		return nil, errors.New("certificates: render: the period ends before it starts")
	}
	qr, err := qrPNG(verifyURL)
	if err != nil {
		return nil, fmt.Errorf("certificates: render: QR code: %w", err)
	}

	f := gofpdf.New("L", "mm", "A4", "")
	// Fixed dates and catalogue order make repeated renders byte-identical,
	// so a re-issued PDF can be compared with the stored one.
	f.SetCreationDate(d.IssuedAt.UTC())
	f.SetModificationDate(d.IssuedAt.UTC())
	if d.RevokedAt != nil {
		f.SetModificationDate(d.RevokedAt.UTC())
	}
	f.SetCatalogSort(true)
	// The fonts and the image come compressed already, which leaves the
	// page's few kilobytes of drawing operators: gofpdf would allocate a
	// new megabyte-sized compressor for them and for the image's palette.
	f.SetCompression(false)
	f.SetTitle("Apliecinājums "+code, true)
	f.SetSubject("Apliecinājums "+subtitle+": „"+title+"”", true)
	f.SetAuthor("Sociālā darba speciālistu e-mācību platforma", true)
	f.SetCreator("Sociālā darba speciālistu e-mācību platforma", true)
	f.SetKeywords("apliecinājums, "+code, true)
	f.SetMargins(0, 0, 0)
	f.SetCellMargin(0)
	f.SetAutoPageBreak(false, 0)
	p := &certPage{f: f, cp: cp}
	if cp == nil || !cp.encodes(holder, title, methodology, code, link, revokedOn, reason, issuer) {
		p.cp = nil
	}
	addPDFFonts(f, p.cp)
	f.AddPage()

	f.SetDrawColor(accentColour[0], accentColour[1], accentColour[2])
	f.SetLineWidth(1.2)
	f.Rect(10, 10, pageW-20, pageH-20, "D")
	f.SetLineWidth(0.3)
	f.Rect(13, 13, pageW-26, pageH-26, "D")
	// Between the frame and the heading.
	p.issuerHeader(issuer, d.Issuer.Logo, 20, pageW-20, 15.5, 25.5)

	textW := pageW - 2*pdfMarginX

	p.font(true, 30)
	p.colour(accentColour)
	f.SetXY(pdfMarginX, 26)
	f.CellFormat(textW, 14, p.text("APLIECINĀJUMS"), "", 0, "C", false, 0, "")
	p.font(false, 14)
	p.colour(mutedColour)
	f.SetXY(pdfMarginX, 40)
	f.CellFormat(textW, 8, p.text(subtitle), "", 0, "C", false, 0, "")
	f.SetLineWidth(0.4)
	f.Line(pageW/2-25, 52, pageW/2+25, 52)

	// The middle of the page: who, what and within which methodology. It
	// takes what lies between the heading and the bottom row and is centred
	// in it vertically, so short texts do not leave a hole under them.
	// A revoked certificate gives the top of it to the revocation.
	middleTop, middleBottom := 56.0, 130.0
	if d.RevokedAt != nil {
		middleTop = p.revokedStamp(revokedOn, reason, 55) + 3
	}
	blocks := []*textBlock{
		{text: holder, bold: true, size: 28, min: 16, maxLines: 2, colour: inkColour},
		{text: achieved, size: 13, min: 11, maxLines: 1, gap: 5, colour: mutedColour},
		{text: "„" + title + "”", bold: true, size: 19, min: 12, maxLines: 3, gap: 3, colour: accentColour},
	}
	if methodology != "" {
		blocks = append(blocks, &textBlock{text: "Metodika: " + methodology, size: 12, min: 10, maxLines: 2, gap: 5, colour: inkColour})
	}
	used := p.layoutBlocks(blocks, textW, middleBottom-middleTop)
	p.drawBlocks(blocks, pdfMarginX, textW, middleTop+(middleBottom-middleTop-used)/2)

	// The bottom row: facts on the left, the QR code and its link on the right.
	const qrSize, qrTop = 42.0, 134.0
	qrLeft := pageW - pdfMarginX - qrSize
	factsW := qrLeft - 12 - pdfMarginX

	// What happened: an online course states the day it was completed, not
	// a cohort period that may not have ended; a programme states when it
	// was held, up to the day its participant completed it.
	from, to := d.From, d.To
	completed := !d.CompletedAt.IsZero()
	switch {
	case completed && d.Kind == "course":
		from, to = time.Time{}, time.Time{}
	case completed && (to.IsZero() || d.CompletedAt.Before(to)):
		to = d.CompletedAt
	}
	period := ""
	switch {
	case from.IsZero() && to.IsZero():
	case from.IsZero() || to.IsZero() || lv.Date(from) == lv.Date(to):
		period = lv.Date(from)
		if from.IsZero() {
			period = lv.Date(to)
		}
	default:
		period = lv.Date(from) + " – " + lv.Date(to)
	}
	hours := lv.Hours(d.Hours)
	if d.Kind == "programme" {
		hours = lv.AcademicHours(d.Hours)
	}
	facts := [][2]string{{"Apjoms:", hours}}
	if period != "" {
		facts = append(facts, [2]string{"Norises laiks:", period})
	}
	if completed {
		facts = append(facts, [2]string{"Apgūts:", lv.Date(d.CompletedAt)})
	}
	facts = append(facts,
		[2]string{"Izsniegts:", lv.Date(d.IssuedAt)},
		[2]string{"Apliecinājuma kods:", code})
	const factPt, factStep = 11.0, 7.5
	labelW := 0.0
	p.font(false, factPt)
	for _, fact := range facts {
		labelW = max(labelW, p.width(fact[0]))
	}
	labelW += 3
	y := qrTop + qrSize/2 - float64(len(facts))*factStep/2
	for _, fact := range facts {
		p.font(false, factPt)
		p.colour(mutedColour)
		f.SetXY(pdfMarginX, y)
		f.CellFormat(labelW, factStep, p.text(fact[0]), "", 0, "L", false, 0, "")
		value := p.oneLine(fact[1], true, factPt, 7, factsW-labelW)
		p.colour(inkColour)
		f.SetXY(pdfMarginX+labelW, y)
		f.CellFormat(factsW-labelW, factStep, p.text(value), "", 0, "L", false, 0, "")
		y += factStep
	}

	f.RegisterImageOptionsReader("verify-qr", gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	f.ImageOptions("verify-qr", qrLeft, qrTop, qrSize, qrSize, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, verifyURL)

	// The caption is centred under the code but may not cross the frame, so
	// a long URL moves left into the free space under the facts instead;
	// past the left margin it shrinks and then breaks.
	const captionRight = pageW - 20
	const captionW = captionRight - pdfMarginX
	caption := &textBlock{text: "Pārbaudīt apliecinājuma derīgumu:", size: 8.5, min: 7, maxLines: 1, colour: mutedColour}
	linkBlock := &textBlock{text: link, size: 8.5, min: 6.5, maxLines: 2, gap: 0.5, colour: accentColour}
	captionBlocks := []*textBlock{caption, linkBlock}
	p.layoutBlocks(captionBlocks, captionW, pageH-16-(qrTop+qrSize+2))
	widest := 0.0
	for _, b := range captionBlocks {
		p.font(b.bold, b.usedPt)
		for _, line := range b.lines {
			widest = max(widest, p.width(line))
		}
	}
	centre := min(qrLeft+qrSize/2, captionRight-widest/2)
	p.drawBlocks(captionBlocks, centre-captionW/2, captionW, qrTop+qrSize+1)
	linkTop := qrTop + qrSize + 1 + caption.height() + linkBlock.gap
	f.LinkString(centre-widest/2, linkTop, widest, linkBlock.height()-linkBlock.gap, verifyURL)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificates: render: %w", err)
	}
	return buf.Bytes(), nil
}

// revokedColour is the red of the revocation stamp.
var revokedColour = [3]int{176, 32, 32}

// revokedStamp draws the revocation in a red frame across the page from
// top: ATSAUKTS, its date ("Atsaukts 2026. gada 5. decembrī") and the
// reason. It hides nothing of the certificate (which is laid out below
// it) and returns where it ends.
func (p *certPage) revokedStamp(revokedOn, reason string, top float64) float64 {
	const stampW = 190.0
	left := (pageW - stampW) / 2
	inner := stampW - 16
	lines := []*textBlock{
		{text: "ATSAUKTS", bold: true, size: 32, min: 32, maxLines: 1, colour: revokedColour},
		{text: revokedOn, bold: true, size: 13, min: 11, maxLines: 1, gap: 0.5, colour: revokedColour},
	}
	if reason != "" {
		lines = append(lines, &textBlock{text: reason, size: 10, min: 8, maxLines: 1, gap: 0.5, colour: revokedColour})
	}
	h := p.layoutBlocks(lines, inner, 30) + 5
	p.f.SetDrawColor(revokedColour[0], revokedColour[1], revokedColour[2])
	p.f.SetLineWidth(1.2)
	p.f.Rect(left, top, stampW, h, "D")
	p.f.SetLineWidth(0.4)
	p.f.Rect(left+1.5, top+1.5, stampW-3, h-3, "D")
	p.drawBlocks(lines, left+8, inner, top+2.5)
	return top + h
}
