package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Asking for help or the version is not a failure: it prints and returns
// nil (exit 0), without reading the configuration.
func TestHelpAndVersion(t *testing.T) {
	broken := func(k string) string { return map[string]string{"MOOC_ADDR": "bogus"}[k] }
	for _, arg := range []string{"help", "--help", "-h"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, broken, &out, nil); err != nil {
			t.Errorf("mooc %s: %v", arg, err)
		}
		if !strings.Contains(out.String(), "Usage: mooc") || !strings.Contains(out.String(), "migrate") {
			t.Errorf("mooc %s printed %q", arg, out.String())
		}
	}
	for _, arg := range []string{"version", "--version"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, broken, &out, nil); err != nil || strings.TrimSpace(out.String()) != version {
			t.Errorf("mooc %s: %q, %v", arg, out.String(), err)
		}
	}
}

// A bad listen address is refused with the rest of the configuration,
// before the database is touched.
func TestBadAddrRefusedBeforeMigrating(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"MOOC_ADDR": "bogus", "MOOC_DATA_DIR": dir}[k]
	}, &out, nil)
	if err == nil || !strings.Contains(err.Error(), "configuration") || !strings.Contains(err.Error(), "MOOC_ADDR") {
		t.Fatalf("want a configuration error naming MOOC_ADDR, got %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, "mooc.db")); serr == nil {
		t.Fatal("the database was created before the address was checked")
	}
}
