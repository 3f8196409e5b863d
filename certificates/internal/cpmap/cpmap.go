package cpmap

import (
	"bufio"
	"bytes"
	"fmt"
)

// Char is one printable character of a code page.
type Char struct {
	Code byte
	Rune rune
}

// Parse reads a map of lines such as "!E0 U+0101 amacron" and returns its
// printable characters: control codes and unassigned codes (.notdef) are
// left out.
func Parse(m []byte) ([]Char, error) {
	var out []Char
	sc := bufio.NewScanner(bytes.NewReader(m))
	for sc.Scan() {
		var code, r int
		var name string
		if _, err := fmt.Sscanf(sc.Text(), "!%x U+%x %s", &code, &r, &name); err != nil {
			return nil, fmt.Errorf("code page map: %q: %w", sc.Text(), err)
		}
		if code >= 0x20 && code <= 0xff && name != ".notdef" {
			out = append(out, Char{Code: byte(code), Rune: rune(r)})
		}
	}
	return out, sc.Err()
}
