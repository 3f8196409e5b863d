package main

import (
	"os"
	"strings"
)

// keepOtherSections returns the report with every "## " section of the
// file it replaces that the report does not write itself appended, so a
// run of make bench keeps what other commands wrote there (the signed
// certificates' and the deployment's sections, say).
func keepOtherSections(report, previous string) string {
	have := map[string]bool{}
	for _, s := range sections(report) {
		have[s.title] = true
	}
	out := strings.TrimRight(report, "\n") + "\n"
	for _, s := range sections(previous) {
		if !have[s.title] {
			out += "\n" + strings.TrimRight(s.text, "\n") + "\n"
		}
	}
	return out
}

type section struct{ title, text string }

// sections splits a Markdown document at its "## " headings; what comes
// before the first is not a section.
func sections(doc string) []section {
	var out []section
	lines := strings.SplitAfter(doc, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "## ") {
			continue
		}
		s := section{title: strings.TrimSpace(lines[i])}
		var b strings.Builder
		b.WriteString(lines[i])
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "## ") {
			i++
			b.WriteString(lines[i])
		}
		s.text = b.String()
		out = append(out, s)
	}
	return out
}

// writeReport writes the report over path, keeping the other sections.
func writeReport(path, report string) error {
	previous, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, []byte(keepOtherSections(report, string(previous))), 0o644)
}
