package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every message a template or handler names exists in both catalogues,
// and the two catalogues have the same keys: a page never shows a key
// instead of a text, in either language.
func TestCataloguesCoverEveryMessage(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	for k := range cs["lv"] {
		if _, ok := cs["en"][k]; !ok {
			t.Errorf("%q is in lv.json only", k)
		}
	}
	for k := range cs["en"] {
		if _, ok := cs["lv"][k]; !ok {
			t.Errorf("%q is in en.json only", k)
		}
	}
	var used []string
	plain := regexp.MustCompile(`(?:L\.T|loc\.T\(|refuse\(c, r, [a-zA-Z.]+, ) ?"([a-z_]+\.[a-z_.]+)"`)
	counted := regexp.MustCompile(`L\.N [^"{}]*"([a-z_.]+)"`)
	flashes := regexp.MustCompile(`"((?:flash|error)\.[a-z_]+)"`)
	_ = fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(filepath.Clean(path))
		if err != nil {
			return err
		}
		for _, m := range plain.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
		for _, m := range flashes.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
		for _, m := range counted.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1]+".one", m[1]+".other")
		}
		return nil
	})
	if len(used) < 100 {
		t.Fatalf("found only %d message keys in use; the patterns no longer match the templates", len(used))
	}
	for _, k := range used {
		for _, l := range []string{"lv", "en"} {
			if _, ok := cs[l][k]; !ok {
				t.Errorf("%s.json lacks %q", l, k)
			}
		}
	}
	// Keys built at run time: lesson kinds, languages, application states.
	for _, k := range []string{"kind.video", "kind.reading", "kind.interview", "kind.case_story", "kind.client_conversation",
		"application.applied", "application.accepted", "application.waitlisted", "application.withdrawn", "language.lv", "language.en"} {
		if !cs.has(k) {
			t.Errorf("lv.json lacks %q", k)
		}
	}
}
