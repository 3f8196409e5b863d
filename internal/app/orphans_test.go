package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mooc/internal/app"
	"mooc/internal/testkit"
	"mooc/media"
)

// The orphan sweep is wired to every domain that stores objects and counts
// what it removes in the served metrics.
func TestOrphanSweepIsWired(t *testing.T) {
	cfg := platformConfig(t)
	cfg.OrphanMinAge, cfg.OrphanSweepEvery = time.Hour, time.Hour
	clk := &testkit.Clock{}
	platform, err := app.New(context.Background(), cfg, app.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = platform.Close() }()
	ctx := context.Background()
	for _, key := range []string{"certificates/LOST-0001.pdf", "media/0b7e5bde-6d6c-4a43-9b7b-3f1d1c1f9e55", "exports/kept"} {
		if _, err := platform.Objects.Put(ctx, key, bytes.NewReader([]byte("x")), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	if done, err := platform.Orphans.Sweep(ctx); err != nil || done.Objects != 0 {
		t.Fatalf("a sweep of young objects removed %d, %v", done.Objects, err)
	}
	clk.Advance(2 * time.Hour)
	if done, err := platform.Orphans.Sweep(ctx); err != nil || done != (media.OrphansSwept{Objects: 2, Unowned: 1}) {
		t.Fatalf("swept %+v, %v; want both orphans, the unowned object kept", done, err)
	}
	if _, err := platform.Objects.Stat(ctx, "certificates/LOST-0001.pdf"); !errors.Is(err, media.ErrObjectNotFound) {
		t.Errorf("the lost PDF: %v", err)
	}
	rec := httptest.NewRecorder()
	platform.Metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{"mooc_orphan_objects_swept_total 2", "mooc_orphan_uploads_aborted_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	platform.Start(app.OrphanSweeper) // runs, and stops with Close
}
