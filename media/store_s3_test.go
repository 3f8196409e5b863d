package media_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/testenv"
	"mooc/media"
)

func TestS3Store(t *testing.T) {
	runStoreSuite(t, func(t *testing.T) media.ObjectStore { return testenv.S3Store(t) })
}

// presignV4 signs a GET for bucket/key as of signedAt, independently of
// minio-go, so the test can make a correctly signed link that is already
// expired (minio-go always signs as of now).
func presignV4(cfg media.S3Config, key string, signedAt time.Time, expires time.Duration) string {
	const region = "us-east-1"
	amzDate := signedAt.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	scope := day + "/" + region + "/s3/aws4_request"
	q := url.Values{
		"X-Amz-Algorithm":     {"AWS4-HMAC-SHA256"},
		"X-Amz-Credential":    {cfg.AccessKey + "/" + scope},
		"X-Amz-Date":          {amzDate},
		"X-Amz-Expires":       {strconv.Itoa(int(expires / time.Second))},
		"X-Amz-SignedHeaders": {"host"},
	}
	// Keys are restricted to characters that need no escaping in a path.
	path := "/" + cfg.Bucket + "/" + key
	query := strings.ReplaceAll(q.Encode(), "+", "%20")
	canonical := strings.Join([]string{"GET", path, query, "host:" + cfg.Endpoint + "\n", "host", "UNSIGNED-PAYLOAD"}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+cfg.SecretKey), day)
	for _, part := range []string{region, "s3", "aws4_request"} {
		k = hmacSHA256(k, part)
	}
	scheme := "http"
	if cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + cfg.Endpoint + path + "?" + query + "&X-Amz-Signature=" + hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func TestS3StoreExpiredLink(t *testing.T) {
	cfg := testenv.MinIO(t)
	s, err := media.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "c/v.mp4", []byte("video bytes"), "video/mp4")

	// The hand-made signature is right: signed as of now, MinIO serves it.
	status, body, _ := get(t, presignV4(cfg, "c/v.mp4", time.Now(), time.Minute), "")
	if status != http.StatusOK || string(body) != "video bytes" {
		t.Fatalf("fresh hand-presigned link = %d %q, want 200", status, body)
	}
	// The same signature made two hours ago with a one-minute lifetime is
	// refused because it expired.
	status, body, _ = get(t, presignV4(cfg, "c/v.mp4", time.Now().Add(-2*time.Hour), time.Minute), "")
	if status != http.StatusForbidden || !strings.Contains(string(body), "expired") {
		t.Errorf("expired link = %d %q, want 403 saying it expired", status, body)
	}
}

func TestS3StorePublicURL(t *testing.T) {
	cfg := testenv.MinIO(t)
	minioURL, err := url.Parse("http://" + cfg.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Secure {
		minioURL.Scheme = "https"
	}
	// A reverse proxy that keeps the client's Host, like an ingress in front
	// of MinIO: links must be signed for the proxy's address to work.
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(minioURL)
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(proxy.Close)

	cfg.PublicURL = proxy.URL
	s, err := media.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "p/lesson.mp4", []byte("0123456789abcdefghij"), "video/mp4")
	link, err := s.SignedURL(t.Context(), "p/lesson.mp4", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, proxy.URL+"/") {
		t.Fatalf("SignedURL = %s, want it on the public address %s", link, proxy.URL)
	}
	status, body, _ := get(t, link, "bytes=10-19")
	if status != http.StatusPartialContent || string(body) != "abcdefghij" {
		t.Errorf("ranged GET through the public address = %d %q", status, body)
	}

	// Presigning is local: it works even when the public address does not
	// answer, so a slow CDN cannot stall the API.
	cfg.PublicURL = closedAddr(t)
	s2, err := media.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := s2.SignedURL(ctx, "p/lesson.mp4", time.Minute); err != nil {
		t.Errorf("SignedURL with an unreachable public address: %v", err)
	}
}

// closedAddr returns host:port where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// Against a closed port the store is built all the same (a replica starts
// without storage), and every call that needs storage, a signed link
// included, says it is unavailable.
func TestS3StoreUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	s, err := media.NewS3Store(ctx, media.S3Config{Endpoint: closedAddr(t), AccessKey: "k", SecretKey: "s", Bucket: "nowhere"})
	if err != nil {
		t.Fatalf("NewS3Store against a closed port = %v, want a store that waits for storage", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, media.ErrStorageUnavailable) {
		t.Errorf("Ping = %v, want ErrStorageUnavailable", err)
	}
	if _, err := s.SignedURL(ctx, "p/lesson.mp4", time.Minute); !errors.Is(err, media.ErrStorageUnavailable) {
		t.Errorf("SignedURL = %v, want ErrStorageUnavailable", err)
	}
	if _, err := s.Stat(ctx, "p/lesson.mp4"); !errors.Is(err, media.ErrStorageUnavailable) {
		t.Errorf("Stat = %v, want ErrStorageUnavailable", err)
	}
}
