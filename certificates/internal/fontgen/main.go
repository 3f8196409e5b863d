// Command fontgen writes the Windows-1257 font definitions the certificates
// are drawn with: the Go fonts cut down to the characters of that code page,
// and gofpdf's definitions of them (widths and encoding). `go generate` in
// the certificates package runs it; its test fails when the files there are
// not what it would write.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"mooc/certificates/internal/cpmap"
)

// codePage is the Baltic code page: every Latvian letter, the Latvian
// quotes, the dashes and the ellipsis, in one byte each.
const codePage = "cp1257"

// faces are the fonts, by the base name of their files.
var faces = []struct {
	name string
	ttf  []byte
}{{"goregular", goregular.TTF}, {"gobold", gobold.TTF}}

func main() {
	out := flag.String("out", "fonts", "directory to write the definitions into")
	flag.Parse()
	files, err := generate()
	if err != nil {
		log.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// generate returns the files by name: for each face its definition (.json)
// and its zlib-compressed font file (.z), and the code page's map, which the
// package encodes text with.
func generate() (map[string][]byte, error) {
	// gofpdf ships the code page maps, with the glyph names its encodings
	// are written in, beside its sources.
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jung-kurt/gofpdf").Output()
	if err != nil {
		return nil, fmt.Errorf("locating gofpdf: %w", err)
	}
	maps := filepath.Join(strings.TrimSpace(string(out)), "font")
	tmp, err := os.MkdirTemp("", "fontgen")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }() // a leftover temp dir is only litter
	files := map[string][]byte{}
	// MakeFont writes the encoding as differences from cp1252, whose map
	// it looks for beside the other.
	for _, m := range []string{codePage, "cp1252"} {
		b, err := os.ReadFile(filepath.Join(maps, m+".map"))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, m+".map"), b, 0o644); err != nil {
			return nil, err
		}
		if m == codePage {
			files[m+".map"] = b
		}
	}
	runes, err := repertoire(files[codePage+".map"])
	if err != nil {
		return nil, err
	}
	for _, face := range faces {
		if err := drawable(face.name, face.ttf, runes); err != nil {
			return nil, err
		}
		// Whole, the two fonts would add some 135 kB (compressed) to every
		// certificate; the code page needs under a third of their glyphs.
		cut := gofpdf.UTF8CutFont(bytes.Clone(face.ttf), string(runes))
		ttf := filepath.Join(tmp, face.name+".ttf")
		if err := os.WriteFile(ttf, cut, 0o644); err != nil {
			return nil, err
		}
		if err := gofpdf.MakeFont(ttf, filepath.Join(tmp, codePage+".map"), tmp, nil, true); err != nil {
			return nil, fmt.Errorf("%s: %w", face.name, err)
		}
		for _, ext := range []string{".json", ".z"} {
			b, err := os.ReadFile(filepath.Join(tmp, face.name+ext))
			if err != nil {
				return nil, err
			}
			files[face.name+ext] = b
		}
	}
	return files, nil
}

// repertoire lists the printable characters of a gofpdf code page map.
func repertoire(m []byte) ([]rune, error) {
	chars, err := cpmap.Parse(m)
	runes := make([]rune, len(chars))
	for i, ch := range chars {
		runes[i] = ch.Rune
	}
	return runes, err
}

// drawable fails unless the font has a glyph for every character, so that
// no encodable text can come out as empty boxes.
func drawable(name string, ttf []byte, runes []rune) error {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return err
	}
	var buf sfnt.Buffer
	for _, r := range runes {
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			return fmt.Errorf("%s has no glyph for %q", name, r)
		}
	}
	return nil
}
