package main

import (
	"strings"
	"testing"
)

// A run rewrites its own sections and keeps the ones other commands wrote.
func TestKeepOtherSections(t *testing.T) {
	previous := "# Benchmarks\n\nold intro\n\n## Last run\n\nold figures\n\n## Signed certificates (issue 19)\n\nsealed 315/s\n\n## Deployment: three replicas (issue 20)\n\n4,000/s\n"
	report := "# Benchmarks\n\nintro\n\n## Last run\n\nnew figures\n"
	got := keepOtherSections(report, previous)
	for _, want := range []string{"new figures", "## Signed certificates (issue 19)\n\nsealed 315/s", "## Deployment: three replicas (issue 20)\n\n4,000/s"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old figures") || strings.Count(got, "## Last run") != 1 {
		t.Errorf("the run's own section is not replaced:\n%s", got)
	}
}
