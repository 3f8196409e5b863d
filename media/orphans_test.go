package media_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/media"
)

// The orphan sweep removes what no row has known for the minimum age: an
// object stored by a process that died before its row was written, and a
// multipart upload begun and never finished; it keeps what rows know, what
// is younger, and what lies under no owner's prefix.
func TestOrphanSweep(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				f := newFixture(t, db, storage)
				ctx := context.Background()
				content := pngBytes(t)
				put := func(key string) media.ObjectInfo {
					t.Helper()
					info, err := f.objects.Put(ctx, key, bytes.NewReader(content), int64(len(content)), "image/png")
					if err != nil {
						t.Fatal(err)
					}
					return info
				}

				// Stored first, so it is as old as the old orphan at least
				// however coarse the store's clock.
				foreign := "exports/" + uuid.NewString()
				put(foreign)
				orphan := "media/" + uuid.NewString()
				oldest := put(orphan).LastModified
				known, err := f.svc.Upload(ctx, f.owner, "shēma.png", bytes.NewReader(content))
				if err != nil {
					t.Fatal(err)
				}
				// The young orphan is stored after the old one, however coarse
				// the store's clock: put again until its time is later.
				young := "media/" + uuid.NewString()
				youngAt := put(young).LastModified
				for !youngAt.After(oldest) {
					youngAt = put(young).LastModified
				}

				swept := prometheus.NewCounter(prometheus.CounterOpts{Name: "swept"})
				aborted := prometheus.NewCounter(prometheus.CounterOpts{Name: "aborted"})
				// The clock an hour past the young orphan: it is exactly the
				// minimum age, not older, and the old one is.
				sweep := media.NewOrphanSweep(media.OrphanDeps{Objects: f.objects, Owners: []media.KeyOwner{f.svc}, Uploads: f.svc,
					MinAge: time.Hour, Swept: swept, Aborted: aborted, Log: slog.New(slog.DiscardHandler),
					Now: func() time.Time { return youngAt.Add(time.Hour) }})
				done, err := sweep.Sweep(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if done != (media.OrphansSwept{Objects: 1, Unowned: 1}) {
					t.Errorf("swept %+v, want the old orphan, and one unowned object kept", done)
				}
				if got := testutil.ToFloat64(swept); got != 1 {
					t.Errorf("objects swept metric %v", got)
				}
				if _, err := f.objects.Stat(ctx, orphan); !errors.Is(err, media.ErrObjectNotFound) {
					t.Errorf("the old orphan: %v, want it removed", err)
				}
				for _, key := range []string{known.ObjectKey, young, foreign} {
					if _, err := f.objects.Stat(ctx, key); err != nil {
						t.Errorf("%s: %v, want it kept", key, err)
					}
				}

				// A resumable upload under way keeps its row; the stale-upload
				// sweep is the one to abort it once abandoned. An upload no row
				// knows (its process died before writing one) is aborted.
				resumable, err := f.svc.BeginUpload(ctx, f.owner, "lekcija.mp4", "video/mp4", 6<<20)
				if err != nil {
					t.Fatal(err)
				}
				lost := "media/" + uuid.NewString()
				lostUpload, err := f.objects.CreateUpload(ctx, lost, "video/mp4")
				if err != nil {
					t.Fatal(err)
				}
				// Two hours on, the young orphan and the lost upload are old.
				later := time.Now().Add(2 * time.Hour)
				sweep = media.NewOrphanSweep(media.OrphanDeps{Objects: f.objects, Owners: []media.KeyOwner{f.svc}, Uploads: f.svc,
					Swept: swept, Aborted: aborted, Now: func() time.Time { return later }})
				if done, err := sweep.Sweep(ctx); err != nil || done != (media.OrphansSwept{Objects: 1, Uploads: 1, Unowned: 1}) {
					t.Fatalf("the later sweep: %+v, %v", done, err)
				}
				if _, err := f.objects.Stat(ctx, young); !errors.Is(err, media.ErrObjectNotFound) {
					t.Errorf("the young orphan, now old: %v, want it removed", err)
				}
				if _, err := f.objects.Stat(ctx, known.ObjectKey); err != nil {
					t.Errorf("known media: %v", err)
				}
				open := map[string]bool{}
				for u, err := range f.objects.Uploads(ctx) {
					if err != nil {
						t.Fatal(err)
					}
					open[u.UploadID] = true
				}
				if open[lostUpload] || !open[uploadID(t, f, resumable.ID)] || len(open) != 1 {
					t.Errorf("uploads left open %v: want only the resumable one", open)
				}
				if got := testutil.ToFloat64(swept); got != 2 {
					t.Errorf("objects swept metric %v after two sweeps", got)
				}
				if got := testutil.ToFloat64(aborted); got != 1 {
					t.Errorf("uploads aborted metric %v", got)
				}
			})
		})
	}
}
