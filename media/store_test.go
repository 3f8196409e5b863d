package media_test

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"mooc/media"
)

var validKeyCases = []struct {
	key   string
	valid bool
}{
	{"a", true},
	{"courses/42/lessons/7/video.mp4", true},
	{"A-Z_a-z.0-9", true},
	{".hidden", true},
	{"...", true},
	{"a/.../b", true},
	{"x..y", true},
	{"a/b.", true},
	{strings.Repeat("k", 512), true},
	{strings.Repeat("k/", 255) + "kk", true},

	{"", false},
	{strings.Repeat("k", 513), false},
	{"/abs", false},
	{"/", false},
	{"a/", false},
	{"a//b", false},
	{".", false},
	{"..", false},
	{"../x", false},
	{"a/..", false},
	{"a/../b", false},
	{"./a", false},
	{"a/./b", false},
	{"a b", false},
	{`a\b`, false},
	{`..\x`, false},
	{"a\x00b", false},
	{"é", false},
	{"a?b", false},
	{"a#b", false},
	{"%2e%2e/x", false},
	{"a:b", false},
	{"~/x", false},
}

func TestValidKey(t *testing.T) {
	for _, c := range validKeyCases {
		err := media.ValidKey(c.key)
		if c.valid && err != nil {
			t.Errorf("ValidKey(%q) = %v, want nil", c.key, err)
		}
		if !c.valid && !errors.Is(err, media.ErrInvalidKey) {
			t.Errorf("ValidKey(%q) = %v, want ErrInvalidKey", c.key, err)
		}
	}
}

func FuzzValidKey(f *testing.F) {
	for _, c := range validKeyCases {
		f.Add(c.key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := media.ValidKey(key)
		if err != nil {
			if !errors.Is(err, media.ErrInvalidKey) {
				t.Fatalf("ValidKey(%q) = %v, not ErrInvalidKey", key, err)
			}
			return
		}
		if strings.HasPrefix(key, "/") {
			t.Fatalf("accepted %q, which starts with /", key)
		}
		if key == "" || len(key) > media.MaxKeyLen {
			t.Fatalf("accepted %q of length %d", key, len(key))
		}
		for _, seg := range strings.Split(key, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("accepted %q with segment %q", key, seg)
			}
		}
		// What the disk store relies on: the key is already clean and
		// stays inside the directory it is joined to.
		if path.Clean(key) != key || !filepath.IsLocal(filepath.FromSlash(key)) {
			t.Fatalf("accepted %q, which is not a clean local path", key)
		}
		if strings.ContainsAny(key, "\\\x00 ?#%") {
			t.Fatalf("accepted %q with a byte outside [A-Za-z0-9._-/]", key)
		}
	})
}
