package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/media"
)

func TestPartSizeFor(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct{ size, want int64 }{
		{1, media.MinPartSize},
		{6 * MiB, media.MinPartSize},
		{64 * media.MinPartSize, media.MinPartSize},
		{1 << 30, 16 * MiB},
		{4 << 30, 64 * MiB},
		{100 << 30, 64 * MiB},
		{1 << 40, 105 * MiB}, // 10000 parts of 64 MiB fall short of 1 TiB
	} {
		got := media.PartSizeFor(c.size)
		if got != c.want {
			t.Errorf("PartSizeFor(%d) = %d, want %d", c.size, got, c.want)
		}
		if parts := (c.size + got - 1) / got; parts > media.MaxParts {
			t.Errorf("PartSizeFor(%d) = %d makes %d parts", c.size, got, parts)
		}
	}
}

// fixture is one service over a real database and one store backend.
type fixture struct {
	svc     *media.Service
	db      *database.DB
	objects media.ObjectStore
	owner   accounts.Principal
	now     time.Time
}

func newFixture(t *testing.T, db *database.DB, storage string) *fixture {
	t.Helper()
	var objects media.ObjectStore
	if storage == "s3" {
		objects = testenv.S3Store(t)
	} else {
		objects = testenv.DiskStore(t)
	}
	f := &fixture{db: db, objects: objects, now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.svc = media.NewService(db, objects, 64<<20, slog.New(slog.DiscardHandler))
	media.SetClock(f.svc, func() time.Time { return f.now })
	f.owner = accounts.Principal{UserID: uuid.NewString(), Roles: []string{accounts.RoleAuthor}}
	err := db.Conn(context.Background()).Exec(
		"INSERT INTO users (id, email, password_hash, given_name, family_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		f.owner.UserID, f.owner.UserID+"@example.lv", "x", "Līga", "Ozoliņa", f.now, f.now).Error
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// send uploads content as the upload's parts and returns them for completion.
func (f *fixture) send(t *testing.T, up media.Upload, content []byte) []media.Part {
	t.Helper()
	var parts []media.Part
	for _, p := range up.Parts {
		start := int64(p.Number-1) * up.PartSize
		status, etag := putPart(t, p.URL, content[start:min(start+up.PartSize, int64(len(content)))])
		if status != 200 {
			t.Fatalf("PUT part %d = %d", p.Number, status)
		}
		parts = append(parts, media.Part{Number: p.Number, ETag: etag})
	}
	return parts
}

func (f *fixture) rows(t *testing.T) map[string]string {
	t.Helper()
	var rows []struct{ ID, Status string }
	if err := f.db.Conn(context.Background()).Table("media").Select("id, status").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = r.Status
	}
	return out
}

// A completion that assembled the object but failed before the record was
// updated can be retried: the retry checks what the first attempt left.
func TestCompleteUploadRetryAfterAssembly(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		t.Run(storage, func(t *testing.T) {
			f := newFixture(t, testenv.SQLite(t), storage)
			ctx := context.Background()
			content := pngBytes(t)
			up, err := f.svc.BeginUpload(ctx, f.owner, "shēma.png", "text/html", int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			parts := f.send(t, up, content)
			if _, err := f.objects.CompleteUpload(ctx, "media/"+up.ID, uploadID(t, f, up.ID), parts); err != nil {
				t.Fatal(err)
			}
			if info, err := f.objects.Stat(ctx, "media/"+up.ID); err != nil || info.ContentType != "application/octet-stream" {
				t.Fatalf("assembled object %+v, %v: the declared text/html must not reach storage", info, err)
			}
			m, err := f.svc.CompleteUpload(ctx, f.owner, up.ID, parts)
			if err != nil {
				t.Fatalf("CompleteUpload after the object was assembled: %v", err)
			}
			h := sha256.Sum256(content)
			if m.Status != media.StatusReady || m.ContentType != "image/png" || m.Size != int64(len(content)) || m.SHA256 != hex.EncodeToString(h[:]) {
				t.Fatalf("completed %+v", m)
			}
			// Once completed, storage serves the type sniffed from the bytes.
			if info, err := f.objects.Stat(ctx, m.ObjectKey); err != nil || info.ContentType != "image/png" {
				t.Fatalf("stored object %+v, %v", info, err)
			}
		})
	}
}

func uploadID(t *testing.T, f *fixture, id string) string {
	t.Helper()
	var row struct{ UploadID string }
	if err := f.db.Conn(context.Background()).Table("media").Select("upload_id").Where("id = ?", id).Scan(&row).Error; err != nil || row.UploadID == "" {
		t.Fatalf("upload id of %s: %q, %v", id, row.UploadID, err)
	}
	return row.UploadID
}

// Refused parts leave the upload open for a corrected list; an abort then
// removes it, and it cannot be completed or aborted again.
func TestUploadInvalidPartsThenAbort(t *testing.T) {
	f := newFixture(t, testenv.SQLite(t), "disk")
	ctx := context.Background()
	content := pngBytes(t)
	up, err := f.svc.BeginUpload(ctx, f.owner, "a.png", "image/png", int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	parts := f.send(t, up, content)
	storageID := uploadID(t, f, up.ID)
	bad := []media.Part{{Number: 1, ETag: `"0123456789abcdef0123456789abcdef"`}}
	if _, err := f.svc.CompleteUpload(ctx, f.owner, up.ID, bad); !errors.Is(err, media.ErrInvalidParts) {
		t.Fatalf("complete with a wrong ETag: %v", err)
	}
	if st := f.rows(t)[up.ID]; st != media.StatusUploading {
		t.Fatalf("status %q after refused parts", st)
	}
	other := accounts.Principal{UserID: uuid.NewString(), Roles: []string{accounts.RoleAuthor}}
	if err := f.svc.AbortUpload(ctx, other, up.ID); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("abort by another author: %v", err)
	}
	if err := f.svc.AbortUpload(ctx, f.owner, up.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CompleteUpload(ctx, f.owner, up.ID, parts); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("complete after abort: %v", err)
	}
	if _, err := f.objects.CompleteUpload(ctx, "media/"+up.ID, storageID, parts); !errors.Is(err, media.ErrUploadNotFound) {
		t.Fatalf("storage upload after abort: %v", err)
	}
	if n := len(f.rows(t)); n != 0 {
		t.Fatalf("%d rows after abort", n)
	}
}

func TestSweepStaleUploads(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				f := newFixture(t, db, storage)
				ctx := context.Background()
				content := pngBytes(t)
				begin := func() (media.Upload, string) {
					t.Helper()
					up, err := f.svc.BeginUpload(ctx, f.owner, "lekcija.mp4", "video/mp4", 6<<20)
					if err != nil {
						t.Fatal(err)
					}
					return up, uploadID(t, f, up.ID)
				}

				start := f.now
				abandoned, abandonedUpload := begin()
				f.send(t, media.Upload{ID: abandoned.ID, PartSize: abandoned.PartSize, Parts: abandoned.Parts[:1]}, make([]byte, 6<<20))
				// A completion that died after assembling its object.
				crashed, _ := begin()
				if err := db.Conn(ctx).Exec("UPDATE media SET status = ? WHERE id = ?", media.StatusCompleting, crashed.ID).Error; err != nil {
					t.Fatal(err)
				}
				if _, err := f.objects.Put(ctx, "media/"+crashed.ID, bytes.NewReader(content), int64(len(content)), "image/png"); err != nil {
					t.Fatal(err)
				}
				ready, err := f.svc.Upload(ctx, f.owner, "shēma.png", bytes.NewReader(content))
				if err != nil {
					t.Fatal(err)
				}
				f.now = start.Add(47 * time.Hour)
				recent, recentUpload := begin()

				f.now = start.Add(48*time.Hour + time.Minute)
				n, err := f.svc.SweepStaleUploads(ctx, 48*time.Hour)
				if err != nil || n != 2 {
					t.Fatalf("sweep removed %d, %v; want 2", n, err)
				}
				rows := f.rows(t)
				if _, ok := rows[abandoned.ID]; ok {
					t.Error("the abandoned upload's row is still there")
				}
				if _, ok := rows[crashed.ID]; ok {
					t.Error("the crashed completion's row is still there")
				}
				if rows[recent.ID] != media.StatusUploading || rows[ready.ID] != media.StatusReady || len(rows) != 2 {
					t.Errorf("rows after the sweep: %v", rows)
				}
				probe := []media.Part{{Number: 1, ETag: "0123456789abcdef0123456789abcdef"}}
				if _, err := f.objects.CompleteUpload(ctx, "media/"+abandoned.ID, abandonedUpload, probe); !errors.Is(err, media.ErrUploadNotFound) {
					t.Errorf("the abandoned storage upload: %v, want ErrUploadNotFound", err)
				}
				if _, err := f.objects.CompleteUpload(ctx, "media/"+recent.ID, recentUpload, probe); !errors.Is(err, media.ErrInvalidParts) {
					t.Errorf("the recent storage upload: %v, want it open (ErrInvalidParts)", err)
				}
				if _, err := f.objects.Stat(ctx, "media/"+crashed.ID); !errors.Is(err, media.ErrObjectNotFound) {
					t.Errorf("the crashed completion's object: %v", err)
				}
				rc, err := f.objects.Open(ctx, ready.ObjectKey, 0, -1)
				if err != nil {
					t.Fatalf("ready media's object: %v", err)
				}
				got, _ := io.ReadAll(rc)
				_ = rc.Close()
				if !bytes.Equal(got, content) {
					t.Error("ready media's object changed")
				}

				// Nothing is left to sweep until the recent upload is stale too.
				if n, err := f.svc.SweepStaleUploads(ctx, 48*time.Hour); err != nil || n != 0 {
					t.Fatalf("second sweep removed %d, %v", n, err)
				}
				f.now = start.Add(200 * time.Hour)
				if n, err := f.svc.SweepStaleUploads(ctx, 48*time.Hour); err != nil || n != 1 {
					t.Fatalf("late sweep removed %d, %v; want the recent upload", n, err)
				}
				if rows := f.rows(t); len(rows) != 1 || rows[ready.ID] != media.StatusReady {
					t.Fatalf("rows after the late sweep: %v", rows)
				}
			})
		})
	}
}

func TestRunSweeperStopsWithContext(t *testing.T) {
	f := newFixture(t, testenv.SQLite(t), "disk")
	up, err := f.svc.BeginUpload(context.Background(), f.owner, "a.mp4", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.RunSweeper(ctx, time.Hour, time.Minute); close(done) }()
	// The first sweep runs at once; wait for its effect, not for a time.
	for deadline := time.Now().Add(10 * time.Second); len(f.rows(t)) != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("upload %s never swept", up.ID)
		}
	}
	cancel()
	<-done
}
