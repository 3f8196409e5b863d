package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplaceSectionKeepsTheOthers(t *testing.T) {
	doc := "# Benchmarks\n\nintro\n\n" + sectionTitle + "\n\nold figures\n\n## Signed certificates (issue 19)\n\ntheirs\n"
	got := replaceSection(doc, sectionTitle+"\n\nnew figures\n")
	want := "# Benchmarks\n\nintro\n\n" + sectionTitle + "\n\nnew figures\n## Signed certificates (issue 19)\n\ntheirs\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// At the end, and appended when missing.
	if got := replaceSection("# B\n\n"+sectionTitle+"\n\nold\n", sectionTitle+"\n\nnew\n"); got != "# B\n\n"+sectionTitle+"\n\nnew\n" {
		t.Errorf("last section: got %q", got)
	}
	if got := replaceSection("# B\n", sectionTitle+"\n"); got != "# B\n\n"+sectionTitle+"\n" {
		t.Errorf("appended: got %q", got)
	}
}

func TestHAProxyConfigChecksEveryReplica(t *testing.T) {
	cfg := haproxyConfig("127.0.0.1:9000", []*replica{{id: "r1", addr: "127.0.0.1:9001"}, {id: "r2", addr: "127.0.0.1:9002"}})
	for _, want := range []string{"bind 127.0.0.1:9000", "balance roundrobin", "option httpchk GET /readyz", "retry-on conn-failure",
		"option redispatch", "server r1 127.0.0.1:9001 check", "server r2 127.0.0.1:9002 check"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the configuration lacks %q:\n%s", want, cfg)
		}
	}
	// haproxy itself accepts it, where it is installed.
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/haproxy"); err != nil {
			return
		}
	}
	file := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkHAProxyConfig(bin, file); err != nil {
		t.Error(err)
	}
}

func TestLostRepliesCountRowsWithoutA201(t *testing.T) {
	r := rushResult{Created: 598, Conflicts: 2, Rows: 600}
	if lost := r.lostReplies(); lost != 2 {
		t.Errorf("lost = %d, want 2", lost)
	}
}
