package certificates

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"mooc/internal/lv"
)

// Transcript is a person's yearly training record as an izziņa: every
// course and programme completed in the year, each with the certificate
// that proves it, the total and the yearly requirement. It is drawn here
// because it shares the certificates' fonts and their Latvian text
// handling; what it counts is the training domain's.
type Transcript struct {
	HolderName    string
	Year          int
	Items         []TranscriptItem
	Hours         int // the total
	RequiredHours int // the yearly requirement
	IssuedAt      time.Time
	Issuer        Issuer // printed above the heading
}

// TranscriptItem is one completed course or programme.
type TranscriptItem struct {
	InPerson  bool // a programme (academic hours); else an online course
	Title     string
	Hours     int
	Date      time.Time // the day it counts on
	Code      string    // its certificate's
	VerifyURL string
}

// Portrait A4 geometry of the transcript, mm.
const (
	transcriptW, transcriptH = 210.0, 297.0
	transcriptMargin         = 20.0
	transcriptBottom         = transcriptH - 22
)

// RenderTranscript draws a transcript. The same Transcript always gives
// the same bytes (its dates come from IssuedAt).
func RenderTranscript(t Transcript) (out []byte, err error) { return renderTranscriptIn(t, cp1257) }

func renderTranscriptIn(t Transcript, cp *codePage) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("certificates: transcript: %v", r)
		}
	}()
	holder := printable(t.HolderName)
	switch {
	case holder == "":
		return nil, errors.New("certificates: transcript: the holder's name is required")
	case t.IssuedAt.IsZero():
		return nil, errors.New("certificates: transcript: the issue date is required")
	}
	year := strconv.Itoa(t.Year)
	type line struct {
		text   string
		bold   bool
		pt     float64
		colour [3]int
		link   string
	}
	// Each item is a few lines kept together on one page.
	var items [][]line
	issuer := printable(t.Issuer.Name)
	texts := []string{holder, issuer}
	for i, it := range t.Items {
		title, code, link := printable(it.Title), printable(it.Code), printable(strings.TrimSpace(it.VerifyURL))
		kind, hours, done := "e-mācību kurss", lv.Hours(it.Hours), "apgūts "
		if it.InPerson {
			kind, hours, done = "klātienes mācības", lv.AcademicHours(it.Hours), "apliecinājums izsniegts "
		}
		lines := []line{
			{text: strconv.Itoa(i+1) + ". „" + title + "”", bold: true, pt: 12, colour: inkColour},
			{text: kind + " · " + hours + " · " + done + lv.Date(it.Date), pt: 10.5, colour: mutedColour},
			{text: "Apliecinājuma kods: " + code, pt: 10.5, colour: inkColour},
		}
		if link != "" {
			lines = append(lines, line{text: "Pārbaudīt: " + link, pt: 9, colour: accentColour, link: strings.TrimSpace(it.VerifyURL)})
		}
		for _, l := range lines {
			texts = append(texts, l.text)
		}
		items = append(items, lines)
	}

	f := gofpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(t.IssuedAt.UTC())
	f.SetModificationDate(t.IssuedAt.UTC())
	f.SetCatalogSort(true)
	f.SetCompression(false)
	f.SetTitle("Izziņa par mācībām "+year+". gadā: "+holder, true)
	f.SetAuthor("Sociālā darba speciālistu e-mācību platforma", true)
	f.SetCreator("Sociālā darba speciālistu e-mācību platforma", true)
	f.SetMargins(0, 0, 0)
	f.SetCellMargin(0)
	f.SetAutoPageBreak(false, 0)
	p := &certPage{f: f, cp: cp}
	if cp == nil || !cp.encodes(texts...) {
		p.cp = nil
	}
	addPDFFonts(f, p.cp)
	f.AddPage()
	textW := transcriptW - 2*transcriptMargin
	// Above the heading.
	p.issuerHeader(issuer, t.Issuer.Logo, transcriptMargin, transcriptW-transcriptMargin, 9, 21)

	// draw writes text wrapped to the text width from y, returning where
	// it ends.
	draw := func(l line, y float64) float64 {
		p.font(l.bold, l.pt)
		p.colour(l.colour)
		for _, s := range p.split(l.text, textW) {
			f.SetXY(transcriptMargin, y)
			f.CellFormat(textW, lineHeight(l.pt), p.text(s), "", 0, "L", false, 0, l.link)
			y += lineHeight(l.pt)
		}
		return y
	}
	height := func(ls []line) float64 {
		h := 0.0
		for _, l := range ls {
			p.font(l.bold, l.pt)
			h += float64(len(p.split(l.text, textW))) * lineHeight(l.pt)
		}
		return h
	}

	p.font(true, 24)
	p.colour(accentColour)
	f.SetXY(transcriptMargin, 22)
	f.CellFormat(textW, 12, p.text("IZZIŅA"), "", 0, "C", false, 0, "")
	p.font(false, 13)
	p.colour(mutedColour)
	f.SetXY(transcriptMargin, 34)
	f.CellFormat(textW, 7, p.text("par profesionālās pilnveides mācībām "+year+". gadā"), "", 0, "C", false, 0, "")
	f.SetDrawColor(accentColour[0], accentColour[1], accentColour[2])
	f.SetLineWidth(0.4)
	f.Line(transcriptW/2-25, 45, transcriptW/2+25, 45)

	y := 52.0
	y = draw(line{text: "Vārds, uzvārds: " + holder, bold: true, pt: 13, colour: inkColour}, y)
	y = draw(line{text: "Gads: " + year, pt: 11, colour: inkColour}, y+1)
	y = draw(line{text: "Izsniegta: " + lv.Date(t.IssuedAt), pt: 11, colour: inkColour}, y+1) + 6

	if len(items) == 0 {
		y = draw(line{text: "Šajā gadā nav pabeigtu mācību.", pt: 11, colour: mutedColour}, y) + 4
	}
	for _, lines := range items {
		if y+height(lines) > transcriptBottom {
			f.AddPage()
			y = transcriptMargin
		}
		for _, l := range lines {
			y = draw(l, y)
		}
		y += 4
	}

	summary := []line{
		{text: "Kopā: " + lv.Hours(t.Hours), bold: true, pt: 13, colour: inkColour},
		{text: "Gada prasība: " + lv.Hours(t.RequiredHours), pt: 11, colour: inkColour},
	}
	if short := t.RequiredHours - t.Hours; short > 0 {
		summary = append(summary, line{text: "Prasība nav izpildīta: trūkst " + lv.Hours(short) + ".", pt: 11, colour: revokedColour})
	} else {
		summary = append(summary, line{text: "Prasība izpildīta.", pt: 11, colour: accentColour})
	}
	if y+height(summary)+4 > transcriptBottom {
		f.AddPage()
		y = transcriptMargin
	}
	f.SetLineWidth(0.3)
	f.Line(transcriptMargin, y, transcriptW-transcriptMargin, y)
	y += 3
	for _, l := range summary {
		y = draw(l, y) + 1
	}
	p.font(false, 8.5)
	p.colour(mutedColour)
	f.SetXY(transcriptMargin, transcriptH-16)
	f.CellFormat(textW, 5, p.text("Katra apliecinājuma derīgumu var pārbaudīt pēc tā koda. Klātienes mācību stundas ir akadēmiskās stundas."), "", 0, "C", false, 0, "")

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificates: transcript: %w", err)
	}
	return buf.Bytes(), nil
}
