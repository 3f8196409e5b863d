package media_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/testenv"
	"mooc/media"
)

func TestDiskStore(t *testing.T) {
	runStoreSuite(t, func(t *testing.T) media.ObjectStore { return testenv.DiskStore(t) })
}

// signedDiskStore builds a disk store with a secret the test knows, so the
// test can sign links itself, including ones SignedURL would never make.
func signedDiskStore(t *testing.T, dir string) (*media.DiskStore, string, []byte) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/media/objects"
	secret := []byte("0123456789abcdef-test-secret")
	s, err := media.NewDiskStore(dir, base+"/", secret)
	if err != nil {
		_ = srv.Listener.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return s, base, secret
}

func signLink(base string, secret []byte, key string, expires int64) string {
	exp := strconv.FormatInt(expires, 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(key + "\n" + exp))
	return base + "/" + key + "?expires=" + exp + "&signature=" + hex.EncodeToString(m.Sum(nil))
}

type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
}

func wantProblem(t *testing.T, link string, status int, code string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var p problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", link, err)
	}
	if resp.StatusCode != status || p.Status != status || p.Code != code {
		t.Errorf("GET %s = %d %+v, want %d with code %q", link, resp.StatusCode, p, status, code)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("GET %s: Content-Type %q, want application/problem+json", link, ct)
	}
}

func TestDiskStoreSignedLinks(t *testing.T) {
	s, base, secret := signedDiskStore(t, t.TempDir())
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	mustPut(t, s, "c/v.mp4", content, "video/mp4")
	now := time.Now().Unix()

	// The documented format, signed by hand, is accepted: this pins the
	// scheme other services may rely on.
	status, body, _ := get(t, signLink(base, secret, "c/v.mp4", now+60), "")
	if status != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("hand-signed link = %d %q, want 200 with the content", status, body)
	}
	link, err := s.SignedURL(t.Context(), "c/v.mp4", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, base+"/c/v.mp4?expires=") {
		t.Errorf("SignedURL = %s, want it under %s", link, base)
	}

	wantProblem(t, signLink(base, secret, "c/v.mp4", now-60), http.StatusForbidden, "link_expired")
	wantProblem(t, tamperSignature(t, link), http.StatusForbidden, "invalid_signature")
	wantProblem(t, signLink(base, []byte("another-secret-of-16+bytes"), "c/v.mp4", now+60), http.StatusForbidden, "invalid_signature")
	// Moving the expiry forward breaks the signature.
	wantProblem(t, strings.Replace(link, "expires=", "expires=9", 1), http.StatusForbidden, "invalid_signature")
	wantProblem(t, base+"/c/v.mp4", http.StatusForbidden, "invalid_signature")
	wantProblem(t, signLink(base, secret, "c/missing.mp4", now+60), http.StatusNotFound, "not_found")
	wantProblem(t, signLink(base, secret, "c", now+60), http.StatusNotFound, "not_found")
	// Outside the mount point nothing is served, signed or not.
	wantProblem(t, signLink(strings.TrimSuffix(base, "/objects"), secret, "c/v.mp4", now+60), http.StatusNotFound, "not_found")
}

func TestDiskStoreHandlerHTTP(t *testing.T) {
	s, base, secret := signedDiskStore(t, t.TempDir())
	content := bytes.Repeat([]byte("abcdefghij"), 100)
	info := mustPut(t, s, "h/doc.pdf", content, "application/pdf")
	link := signLink(base, secret, "h/doc.pdf", time.Now().Unix()+60)

	resp, err := http.Head(link)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 1000 || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("HEAD = %d, length %d, headers %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if etag != `"`+info.ETag+`"` {
		t.Errorf("ETag header %q, want the stored ETag %q", etag, info.ETag)
	}

	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", resp.StatusCode)
	}

	status, body, _ := get(t, link, "bytes=990-")
	if status != http.StatusPartialContent || string(body) != "abcdefghij" {
		t.Errorf("open-ended range = %d %q", status, body)
	}
	if status, _, _ := get(t, link, "bytes=5000-6000"); status != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("unsatisfiable range = %d, want 416", status)
	}

	resp, err = http.Post(link, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405", resp.StatusCode)
	}
}

// TestDiskStoreLeavesNoTrace checks on the filesystem what the suite can
// only check through the interface: rejected keys wrote nothing anywhere,
// and failed or cancelled uploads left no temporary file behind.
func TestDiskStoreLeavesNoTrace(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "store")
	s, _, _ := signedDiskStore(t, dir)
	ctx := t.Context()
	mustPut(t, s, "ok.txt", []byte("ok"), "text/plain")
	before := regularFiles(t, root)

	for _, k := range []string{"../x", "../../escape", "/abs", "a//b", "a/../b", "a/../../b"} {
		if _, err := s.Put(ctx, k, strings.NewReader("evil"), 4, "text/plain"); !errors.Is(err, media.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	boom := errors.New("boom")
	if _, err := s.Put(ctx, "half", io.MultiReader(strings.NewReader("half"), failingReader{boom}), -1, ""); !errors.Is(err, boom) {
		t.Errorf("failing Put = %v", err)
	}
	if _, err := s.Put(ctx, "long", strings.NewReader("longer than said"), 4, ""); err == nil {
		t.Error("Put of a body longer than its size succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cr := &cancelAfter{r: newGenReader(8<<20, 0), n: 1 << 20, cancel: cancel}
	if _, err := s.Put(cctx, "cancelled", cr, -1, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Put = %v, want context.Canceled", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}

	if after := regularFiles(t, root); !slices.Equal(before, after) {
		t.Errorf("files on disk changed from %q to %q", before, after)
	}
}

func regularFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files at all: the walk is not looking at the store")
	}
	return files
}

func TestDiskStorePingUnavailable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, _, _ := signedDiskStore(t, dir)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping on a healthy store: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, media.ErrStorageUnavailable) {
		t.Errorf("Ping after the directory vanished = %v, want ErrStorageUnavailable", err)
	}
}

func TestNewDiskStoreRejectsWeakSecret(t *testing.T) {
	if _, err := media.NewDiskStore(t.TempDir(), "http://localhost/objects", []byte("short")); err == nil {
		t.Error("NewDiskStore accepted a 5-byte secret")
	}
}
