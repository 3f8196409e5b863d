package testenv_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mooc/internal/testenv"
)

// A page of another origin reads captions and plays videos from the test
// MinIO by signed link: the server answers a request that carries Origin
// with Access-Control-Allow-Origin (MINIO_API_CORS_ALLOW_ORIGIN; MinIO has
// no bucket CORS), for a whole GET and for a ranged one, as a <video>
// sends.
func TestMinIOSignedLinksAllowOtherOrigins(t *testing.T) {
	store := testenv.S3Store(t)
	ctx := context.Background()
	const captions = "WEBVTT\n\n00:00.000 --> 00:01.000\nSveiki!\n"
	if _, err := store.Put(ctx, "captions/lv.vtt", strings.NewReader(captions), int64(len(captions)), "text/vtt"); err != nil {
		t.Fatal(err)
	}
	link, err := store.SignedURL(ctx, "captions/lv.vtt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	const origin = "http://127.0.0.1:8123"
	for _, rng := range []string{"", "bytes=0-5"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
			t.Fatalf("GET (Range %q) = %s: %s", rng, resp.Status, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != origin && got != "*" {
			t.Errorf("GET (Range %q) from %s: Access-Control-Allow-Origin = %q, want %s or *", rng, origin, got, origin)
		}
	}
}
