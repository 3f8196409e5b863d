// Package svgchart draws the few charts the team's reports need as inline
// SVG, on the server, with no script and no style attribute (the pages'
// Content Security Policy allows neither inline): vertical bars, horizontal
// bars, a funnel of steps and a schematic map of Latvia's five planning
// regions.
//
// Every chart is an <svg role="img"> labelled by its own <title> and
// <desc>, and writes each bar's number as text beside it, so that no
// meaning rests on colour or length alone; the page puts a table of the
// same numbers right after it for screen readers. Bars are a dark blue
// against white (6.6:1, past the 3:1 that WCAG 1.4.11 asks of graphics),
// text is near-black.
package svgchart

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Colours of the charts.
const (
	Ink   = "#1b1f24" // text and outlines: 16:1 on white
	Bar   = "#1f5f99" // bars: 6.6:1 on white
	Paper = "#ffffff"
	Rule  = "#6b7580" // the axis: 4.8:1 on white
)

// Item is one category of a chart.
type Item struct {
	Label string // the category, written beside or under its bar
	Value int    // the bar's length; negative counts as 0
	// Text is written at the bar's end; the value when empty (say "12 no 40").
	Text string
}

// Chart is what every kind of chart draws.
type Chart struct {
	// ID prefixes the ids of the chart's title and description; it must be
	// unique in the page.
	ID    string
	Title string
	Desc  string
	Items []Item
}

func (it Item) text() string {
	if it.Text != "" {
		return it.Text
	}
	return fmt.Sprint(max(it.Value, 0))
}

func (c Chart) most() int {
	m := 0
	for _, it := range c.Items {
		m = max(m, it.Value)
	}
	return m
}

// scale is the length of value on a scale of full for the chart's largest.
func scale(value, most int, full float64) float64 {
	if most <= 0 || value <= 0 {
		return 0
	}
	return float64(value) / float64(most) * full
}

// esc escapes text for an SVG element or attribute.
func esc(s string) string { return html.EscapeString(s) }

// short cuts a label to n characters, with an ellipsis; the whole label is
// the bar's tooltip (<title>) and in the table.
func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// svg opens the chart's element with its title and description.
func (c Chart) open(b *strings.Builder, w, h int) {
	class := "chart"
	if w >= 600 { // too small to read when shrunk to a phone's width: the page lets it scroll
		class += " wide"
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="%s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, sans-serif" font-size="14" fill="%s">`,
		class, w, h, w, h, esc(c.ID), esc(c.ID), Ink)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="%s"/>`, w, h, Paper)
}

func done(b *strings.Builder) template.HTML {
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text in it was escaped
}

// f writes a length with one decimal at most.
func f(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") }

// Vertical draws upright bars side by side, each labelled under it and
// numbered over it: for a few short categories (weeks, say).
func Vertical(c Chart) template.HTML {
	const (
		slot, barW    = 84, 52
		top, plotH    = 28, 200
		left, labelsH = 16, 44
		height        = top + plotH + labelsH
	)
	w := max(left*2+slot*len(c.Items), 320)
	var b strings.Builder
	c.open(&b, w, height)
	most := c.most()
	base := top + plotH
	for i, it := range c.Items {
		h := scale(it.Value, most, plotH)
		x := left + i*slot + (slot-barW)/2
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(it.Label), esc(it.text()))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%s" width="%d" height="%s" fill="%s" data-value="%d"/>`, x, f(float64(base)-h), barW, f(h), Bar, max(it.Value, 0))
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="middle" font-weight="600">%s</text>`, x+barW/2, f(float64(base)-h-8), esc(it.text()))
		label := short(it.Label, 12)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13">%s</text>`, x+barW/2, base+20, esc(label))
		b.WriteString(`</g>`)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`, left, base, w-left, base, Rule)
	return done(&b)
}

// Horizontal draws a bar per line, the label on the left and the number at
// the bar's end: for many or long categories (courses, municipalities).
func Horizontal(c Chart) template.HTML {
	return lines(c, lineLayout{labelW: 260, textW: 110, rowH: 30, barH: 20, label: 34})
}

// Funnel draws steps one under another, each a bar centred on the same
// axis, as long as its count against the largest step's (the first, in a
// funnel), with the count and the share of the first beside it:
// enrolled, each week done, the final test passed, certified.
func Funnel(c Chart) template.HTML {
	return lines(c, lineLayout{labelW: 230, textW: 120, rowH: 34, barH: 24, label: 30, centred: true})
}

// lineLayout is how lines draws its bars.
type lineLayout struct {
	labelW, textW, rowH, barH int
	label                     int  // characters of a label written in full
	centred                   bool // on a common axis (a funnel), else from the left
}

// lines draws a bar per line: Horizontal and Funnel.
func lines(c Chart, l lineLayout) template.HTML {
	const w, top = 720, 8
	plotW := float64(w - l.labelW - l.textW - 16)
	centre := float64(l.labelW) + plotW/2
	h := top*2 + l.rowH*max(len(c.Items), 1)
	var b strings.Builder
	c.open(&b, w, h)
	most := c.most()
	for i, it := range c.Items {
		y := top + i*l.rowH
		bw := scale(it.Value, most, plotW)
		x, textX := float64(l.labelW), float64(l.labelW)+bw+6
		if l.centred {
			x, textX = centre-bw/2, float64(l.labelW)+plotW+8
		}
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(it.Label), esc(it.text()))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13">%s</text>`, l.labelW-8, y+l.barH/2+5, esc(short(it.Label, l.label)))
		fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%d" width="%s" height="%d" fill="%s" data-value="%d"/>`, f(x), y, f(bw), l.barH, Bar, max(it.Value, 0))
		fmt.Fprintf(&b, `<text x="%s" y="%d" font-weight="600">%s</text>`, f(textX), y+l.barH/2+5, esc(it.text()))
		b.WriteString(`</g>`)
	}
	axis, dash := float64(l.labelW), ""
	if l.centred {
		axis, dash = centre, ` stroke-dasharray="3 3"`
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s" stroke-width="1"%s/>`, f(axis), top-4, f(axis), h-top+4, Rule, dash)
	return done(&b)
}
