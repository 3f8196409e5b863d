package svgchart

import (
	"encoding/xml"
	"html/template"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is any element of a parsed chart.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) walk(fn func(node)) {
	fn(n)
	for _, c := range n.Nodes {
		c.walk(fn)
	}
}

// parse holds the chart to be well-formed XML and labelled for assistive
// technology: role img, named by its own title and description.
func parse(t *testing.T, out template.HTML) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal([]byte(out), &root); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out)
	}
	if root.XMLName.Local != "svg" || root.attr("role") != "img" {
		t.Fatalf("root %s role %q", root.XMLName.Local, root.attr("role"))
	}
	ids := map[string]string{}
	root.walk(func(n node) {
		if id := n.attr("id"); id != "" {
			ids[id] = n.XMLName.Local + ":" + n.Text
		}
	})
	for _, id := range strings.Fields(root.attr("aria-labelledby")) {
		if ids[id] == "" {
			t.Errorf("aria-labelledby names %q, which is not in the chart", id)
		}
	}
	if ids["c-title"] != "title:Pabeiguši <kursi> & grupas" || !strings.HasPrefix(ids["c-desc"], "desc:") {
		t.Errorf("title and description: %v", ids)
	}
	if strings.Contains(string(out), "style=") {
		t.Error("a style attribute: the CSP forbids inline styles")
	}
	return root
}

func texts(root node) string {
	var all []string
	root.walk(func(n node) {
		if n.XMLName.Local == "text" {
			all = append(all, n.Text)
		}
	})
	return strings.Join(all, "|")
}

// bars are the value and the length (height or width) of each bar.
func bars(t *testing.T, root node, length string) (values, lengths []float64) {
	t.Helper()
	root.walk(func(n node) {
		if n.XMLName.Local == "rect" && n.attr("class") == "bar" {
			v, err1 := strconv.ParseFloat(n.attr("data-value"), 64)
			l, err2 := strconv.ParseFloat(n.attr(length), 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("bar %v", n.Attrs)
			}
			values, lengths = append(values, v), append(lengths, l)
		}
	})
	return values, lengths
}

func proportional(t *testing.T, values, lengths []float64) {
	t.Helper()
	var ratio float64
	for i := range values {
		if values[i] == 0 {
			if lengths[i] != 0 {
				t.Errorf("a bar of 0 is %v long", lengths[i])
			}
			continue
		}
		r := lengths[i] / values[i]
		if ratio == 0 {
			ratio = r
		}
		if math.Abs(r-ratio) > 0.1 {
			t.Errorf("bar %d: %v long for %v, want %v per unit", i, lengths[i], values[i], ratio)
		}
	}
	if ratio == 0 {
		t.Error("no bar has a length")
	}
}

var sample = Chart{ID: "c", Title: "Pabeiguši <kursi> & grupas", Desc: "Pabeigušo skaits", Items: []Item{
	{Label: "Krīzes intervence", Value: 40, Text: "40 no 90"},
	{Label: "Kopienas sociālais darbs ar ļoti garu nosaukumu, kas neietilpst", Value: 10},
	{Label: "Tukšs", Value: 0},
	{Label: "Ģimenes", Value: 25},
}}

func TestVertical(t *testing.T) {
	root := parse(t, Vertical(sample))
	values, heights := bars(t, root, "height")
	if len(values) != 4 {
		t.Fatalf("%d bars", len(values))
	}
	proportional(t, values, heights)
	all := texts(root)
	for _, want := range []string{"40 no 90", "|10|", "|0|", "25", "Ģimenes"} {
		if !strings.Contains("|"+all+"|", want) {
			t.Errorf("labels %q lack %q", all, want)
		}
	}
}

func TestHorizontal(t *testing.T) {
	root := parse(t, Horizontal(sample))
	values, widths := bars(t, root, "width")
	proportional(t, values, widths)
	all := texts(root)
	for _, want := range []string{"Krīzes intervence", "40 no 90", "Kopienas sociālais darbs ar ļoti…", "Ģimenes"} {
		if !strings.Contains(all, want) {
			t.Errorf("labels %q lack %q", all, want)
		}
	}
	// The whole label is the bar's tooltip.
	if !strings.Contains(string(Horizontal(sample)), "<title>Kopienas sociālais darbs ar ļoti garu nosaukumu, kas neietilpst: 10</title>") {
		t.Error("the long label's tooltip")
	}
}

func TestFunnel(t *testing.T) {
	steps := Chart{ID: "c", Title: sample.Title, Desc: "d", Items: []Item{
		{Label: "Uzņemti", Value: 200}, {Label: "1. nedēļa", Value: 150}, {Label: "Tests", Value: 50, Text: "50 (25 %)"}, {Label: "Apliecinājums", Value: 0},
	}}
	root := parse(t, Funnel(steps))
	values, widths := bars(t, root, "width")
	proportional(t, values, widths)
	// Each bar is centred on the same axis.
	var centres []float64
	root.walk(func(n node) {
		if n.attr("class") == "bar" {
			x, _ := strconv.ParseFloat(n.attr("x"), 64)
			w, _ := strconv.ParseFloat(n.attr("width"), 64)
			centres = append(centres, x+w/2)
		}
	})
	for _, c := range centres {
		if math.Abs(c-centres[0]) > 0.2 {
			t.Errorf("centres %v", centres)
		}
	}
	if !strings.Contains(texts(root), "50 (25 %)") {
		t.Error(texts(root))
	}
}

func TestMap(t *testing.T) {
	c := Chart{ID: "c", Title: sample.Title, Desc: "d", Items: []Item{
		{Label: "Rīga", Value: 30, Text: "30 no 50"}, {Label: "Latgale", Value: 5}, {Label: "Kurzeme", Value: 0},
	}}
	root := parse(t, Map(c))
	regions := map[string]string{}
	root.walk(func(n node) {
		if n.attr("class") == "region" {
			regions[n.attr("data-region")] = n.attr("data-value")
		}
	})
	want := map[string]string{"Rīga": "30", "Vidzeme": "0", "Kurzeme": "0", "Zemgale": "0", "Latgale": "5"}
	for k, v := range want {
		if regions[k] != v {
			t.Errorf("regions %v, want %v", regions, want)
		}
	}
	all := texts(root)
	for _, w := range []string{"Rīga", "30 no 50", "Vidzeme", "Latgale", "|5"} {
		if !strings.Contains(all, w) {
			t.Errorf("labels %q lack %q", all, w)
		}
	}
	// The largest region is the darkest, an empty one the lightest.
	fills := map[string]string{}
	root.walk(func(n node) {
		if n.attr("class") == "region" {
			for _, p := range n.Nodes {
				if p.XMLName.Local == "polygon" {
					fills[n.attr("data-region")] = p.attr("fill")
				}
			}
		}
	})
	if fills["Rīga"] != shades[len(shades)-1] || fills["Kurzeme"] != shades[0] || fills["Latgale"] == shades[0] {
		t.Errorf("fills %v", fills)
	}
}

// The bars' colour and the text keep WCAG's contrast against the
// background: 3:1 for graphics (1.4.11), 4.5:1 for text.
func TestContrast(t *testing.T) {
	for _, c := range []struct {
		fg   string
		want float64
	}{{Bar, 3}, {Ink, 4.5}, {Rule, 3}} {
		if r := contrast(c.fg, Paper); r < c.want {
			t.Errorf("%s on %s: %.2f:1, want %.1f:1", c.fg, Paper, r, c.want)
		}
	}
	for _, s := range shades {
		if r := contrast(Ink, s); r < 4.5 {
			t.Errorf("outline %s on shade %s: %.2f:1", Ink, s, r)
		}
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	ch := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}
