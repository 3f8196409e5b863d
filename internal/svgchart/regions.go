package svgchart

import (
	"fmt"
	"html/template"
	"strings"
)

// Regions are Latvia's five planning regions, in the order the map and
// the reports list them, as the reports name them.
var Regions = []string{"Rīga", "Vidzeme", "Kurzeme", "Zemgale", "Latgale"}

// region is one planning region's schematic shape and where its label
// goes: not a survey map, but each region where a reader expects it
// (Kurzeme west, Rīga by the gulf, Vidzeme north-east, Zemgale south,
// Latgale south-east).
type region struct {
	points string
	x, y   int
}

var shapes = map[string]region{
	"Kurzeme": {"10,150 60,60 170,40 215,110 230,200 215,270 30,280", 115, 165},
	"Rīga":    {"215,110 265,120 300,80 340,120 345,200 300,230 230,200", 285, 160},
	"Zemgale": {"215,270 230,200 300,230 345,200 420,240 440,300 230,320", 330, 280},
	"Vidzeme": {"300,80 330,20 460,10 560,60 580,160 470,200 420,240 345,200 340,120", 460, 110},
	"Latgale": {"420,240 470,200 580,160 595,250 540,330 440,300", 520, 262},
}

// shades fill the regions lighter to darker by their share of the
// largest; the outline and the written number carry the meaning, the
// shade only repeats it.
var shades = []string{"#eef4fa", "#c6dcf0", "#8fb9e0", "#5b93c9"}

// Map draws the five planning regions, each outlined, shaded by its value
// and labelled with its name and Text (or value) on a white plate. Items
// are matched to regions by Label; a region without an item shows 0.
func Map(c Chart) template.HTML {
	const w, h = 610, 340
	byName := map[string]Item{}
	for _, it := range c.Items {
		byName[it.Label] = it
	}
	most := c.most()
	var b strings.Builder
	c.open(&b, w, h)
	for _, name := range Regions {
		s, it := shapes[name], byName[name]
		if it.Label == "" {
			it = Item{Label: name}
		}
		shade := shades[0]
		if most > 0 && it.Value > 0 {
			shade = shades[min(len(shades)-1, 1+(it.Value*(len(shades)-1)-1)/most)]
		}
		fmt.Fprintf(&b, `<g class="region" data-region="%s" data-value="%d"><title>%s: %s</title>`, esc(name), max(it.Value, 0), esc(name), esc(it.text()))
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, s.points, shade, Ink)
		text := it.text()
		plate := 12 + 8*max(len([]rune(name)), len([]rune(text)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="44" rx="4" fill="%s" stroke="%s" stroke-width="1"/>`, s.x-plate/2, s.y-24, plate, Paper, Ink)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13">%s</text>`, s.x, s.y-7, esc(name))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="700">%s</text>`, s.x, s.y+13, esc(text))
		b.WriteString(`</g>`)
	}
	return done(&b)
}
