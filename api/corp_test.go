package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
)

// A page of another origin may play a video or load captions through a
// signed link of the disk store, as it may from MinIO: the browser honours
// Cross-Origin-Resource-Policy on such no-cors loads, so the link must not
// answer same-origin (helmet's default). The API's replies carry the same
// value, one rule for every response.
func TestCorpAllowsOtherOrigins(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	const captions = "WEBVTT\n\n00:00.000 --> 00:01.000\nSveiki!\n"
	if _, err := s.objects.Put(ctx, "captions/corp.vtt", strings.NewReader(captions), int64(len(captions)), "text/vtt"); err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.SignedURL(ctx, "captions/corp.vtt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	origin := map[string]string{"Origin": "https://pages.example"}
	for _, c := range []struct {
		name string
		r    request
		want int
	}{
		{"signed link", request{method: "GET", path: linkPath(t, link), header: origin}, 200},
		{"API reply", request{method: "GET", path: "/healthz", header: origin}, 200},
		{"API error", request{method: "GET", path: "/api/v1/me", header: origin}, 401},
	} {
		r := s.do(c.r).expect(t, c.want)
		if got := r.header.Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
			t.Errorf("%s: Cross-Origin-Resource-Policy = %q, want cross-origin", c.name, got)
		}
	}
}
