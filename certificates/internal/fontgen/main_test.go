package main

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded definitions must be what the generator writes. Font files
// are compared uncompressed: another Go release may compress the same bytes
// differently, which changes nothing on the page.
func TestFontsAreGenerated(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "fonts")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%s holds %d files, the generator writes %d", dir, len(entries), len(want))
	}
	for name, w := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v (run go generate in the certificates package)", err)
			continue
		}
		if strings.HasSuffix(name, ".z") {
			got, w = inflate(t, got), inflate(t, w)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s is not what the generator writes (run go generate in the certificates package)", name)
		}
	}
}

func inflate(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
