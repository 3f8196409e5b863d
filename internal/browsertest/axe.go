package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mooc/internal/testenv"
)

// The rules Axe runs: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule a page breaks, with the elements that
// break it.
type Violation struct {
	ID      string `json:"id"`     // the rule, e.g. image-alt
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"` // a selector of the element
		HTML    string `json:"html"`
		Failure string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s, %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n\t%s: %s\n\t\t%s", n.Target, n.HTML, strings.ReplaceAll(n.Failure, "\n", "\n\t\t"))
	}
	return b.String()
}

// Violations are the result of an axe run; their String is a readable
// report, one rule after another.
type Violations []Violation

func (vs Violations) String() string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, "\n")
}

// IDs are the rules broken, for tests that expect a given one.
func (vs Violations) IDs() []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// axeSource is axe.min.js, read once per test binary.
var axeSource = sync.OnceValues(func() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	path, err := testenv.NpmInstalled(filepath.Join(root, "tools", "axe"), filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", fmt.Errorf("axe-core: %w", err)
	}
	src, err := os.ReadFile(path)
	return string(src), err
})

// Axe runs axe-core's WCAG 2.1 A and AA rules (tags wcag2a, wcag2aa,
// wcag21a, wcag21aa) on the page the tab shows and returns the rules it
// breaks. axe-core is put into the page for the run, unaffected by the
// page's Content-Security-Policy.
func (tab *Tab) Axe(t testing.TB) Violations {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	var loaded bool
	tab.Eval(t, `typeof window.axe === "object"`, &loaded)
	if !loaded {
		tab.Eval(t, src+"\n;true", nil)
	}
	var vs Violations
	tab.Eval(t, `axe.run(document, {runOnly: {type: "tag", values: `+jsList(axeTags)+`}, resultTypes: ["violations"]})
		.then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map((n) => ({target: n.target.flat().join(" "), html: n.html, failureSummary: n.failureSummary}))})))`, &vs)
	return vs
}

func jsList(ss []string) string {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = jsString(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
