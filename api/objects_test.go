package api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/media"
)

// linkPath is the request URI of a link made by the store, for app.Test.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// tamper flips the last hex digit of the signature.
func tamper(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sig := []byte(q.Get("signature"))
	if len(sig) == 0 {
		t.Fatalf("no signature in %s", link)
	}
	if sig[len(sig)-1] == '0' {
		sig[len(sig)-1] = '1'
	} else {
		sig[len(sig)-1] = '0'
	}
	q.Set("signature", string(sig))
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

func objectBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestObjectDownloads(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	content := objectBytes(1000, 1)
	// Mixed case: routing is case-insensitive, keys are not.
	const key = "lessons/L1/Intro.MP4"
	info, err := s.objects.Put(ctx, key, bytes.NewReader(content), int64(len(content)), "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.SignedURL(ctx, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	path := linkPath(t, link)
	get := func(header map[string]string) reply {
		return s.do(request{method: "GET", path: path, header: header})
	}

	r := get(nil).expect(t, 200)
	if !bytes.Equal(r.body, content) {
		t.Fatalf("full GET returned %d bytes that differ from the %d stored", len(r.body), len(content))
	}
	for h, want := range map[string]string{
		"Content-Type": "video/mp4", "Content-Length": "1000", "Accept-Ranges": "bytes",
		"ETag": `"` + info.ETag + `"`, "X-Content-Type-Options": "nosniff",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "private, max-age=") {
		t.Errorf("Cache-Control = %q", cc)
	}
	if _, err := http.ParseTime(r.header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", r.header.Get("Last-Modified"), err)
	}

	ranges := []struct {
		spec, contentRange string
		want               []byte
	}{
		{"bytes=100-199", "bytes 100-199/1000", content[100:200]},
		{"bytes=990-", "bytes 990-999/1000", content[990:]},
		{"bytes=-10", "bytes 990-999/1000", content[990:]},
		{"bytes=995-5000", "bytes 995-999/1000", content[995:]},
		{"bytes=0-0", "bytes 0-0/1000", content[:1]},
		{"bytes=-5000", "bytes 0-999/1000", content},
	}
	for _, c := range ranges {
		r := get(map[string]string{"Range": c.spec})
		if r.status != 206 || !bytes.Equal(r.body, c.want) || r.header.Get("Content-Range") != c.contentRange ||
			r.header.Get("Content-Length") != strconv.Itoa(len(c.want)) || r.header.Get("Content-Type") != "video/mp4" {
			t.Errorf("Range %s = %d, %d bytes, Content-Range %q, Content-Length %q; want 206 with %d bytes and %q",
				c.spec, r.status, len(r.body), r.header.Get("Content-Range"), r.header.Get("Content-Length"), len(c.want), c.contentRange)
		}
	}
	// Ranges a server may ignore get the whole object.
	for _, spec := range []string{"bytes=0-1,5-6", "items=0-5", "bytes=9-2", "bytes=x-"} {
		if r := get(map[string]string{"Range": spec}); r.status != 200 || !bytes.Equal(r.body, content) {
			t.Errorf("Range %s = %d with %d bytes, want 200 with the whole object", spec, r.status, len(r.body))
		}
	}
	for _, spec := range []string{"bytes=1000-", "bytes=5000-6000", "bytes=-0"} {
		r := get(map[string]string{"Range": spec})
		r.problem(t, 416, "range_not_satisfiable")
		if cr := r.header.Get("Content-Range"); cr != "bytes */1000" {
			t.Errorf("Range %s: Content-Range %q, want bytes */1000", spec, cr)
		}
	}

	// A resumed download only gets a range of the version it started on.
	if r := get(map[string]string{"Range": "bytes=0-9", "If-Range": `"` + info.ETag + `"`}); r.status != 206 {
		t.Errorf("If-Range with the current ETag = %d, want 206", r.status)
	}
	if r := get(map[string]string{"Range": "bytes=0-9", "If-Range": `"stale"`}); r.status != 200 || len(r.body) != 1000 {
		t.Errorf("If-Range with another ETag = %d with %d bytes, want 200 with all", r.status, len(r.body))
	}
	if r := get(map[string]string{"If-None-Match": `"` + info.ETag + `"`}); r.status != 304 || len(r.body) != 0 {
		t.Errorf("If-None-Match with the current ETag = %d with %d bytes, want 304", r.status, len(r.body))
	}

	resp, err := s.app.Test(httptest.NewRequest("HEAD", path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != 1000 || len(body) != 0 ||
		resp.Header.Get("Content-Type") != "video/mp4" || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("HEAD = %d, length %d, %d body bytes, headers %v", resp.StatusCode, resp.ContentLength, len(body), resp.Header)
	}

	s.do(request{method: "GET", path: tamper(t, link)}).problem(t, 403, "invalid_signature")
	s.do(request{method: "GET", path: "/objects/" + key}).problem(t, 403, "invalid_signature")
	// The signature covers the key.
	if _, err := s.objects.Put(ctx, "lessons/L1/secret.mp4", strings.NewReader("secret"), 6, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	s.do(request{method: "GET", path: strings.Replace(path, "Intro.MP4", "secret.mp4", 1)}).problem(t, 403, "invalid_signature")
	s.do(request{method: "GET", path: strings.Replace(path, "Intro.MP4", "intro.mp4", 1)}).problem(t, 403, "invalid_signature")

	gone, err := s.objects.SignedURL(ctx, "lessons/L1/gone.mp4", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s.do(request{method: "GET", path: linkPath(t, gone)}).problem(t, 404, "not_found")

	// A download signature does not allow a PUT, which would overwrite or
	// plant objects.
	s.do(request{method: "PUT", path: path, body: []byte("overwritten")}).problem(t, 403, "invalid_signature")
	if r := get(nil); !bytes.Equal(r.body, content) {
		t.Error("a PUT through a download link changed the object")
	}
	s.do(request{method: "POST", path: path, body: []byte("x")}).problem(t, 405, "method_not_allowed")
}

func TestObjectLinksExpire(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	if _, err := s.objects.Put(ctx, "e/v.mp4", strings.NewReader("video"), 5, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	id, err := s.objects.CreateUpload(ctx, "e/upload.mp4", "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	links := func(objects media.ObjectStore) (download, part string) {
		t.Helper()
		download, err := objects.SignedURL(ctx, "e/v.mp4", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		part, err = objects.PartURL(ctx, "e/upload.mp4", id, 1, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return download, part
	}
	download, _ := links(s.objects)
	s.do(request{method: "GET", path: linkPath(t, download)}).expect(t, 200)
	// Links signed an hour ago for a minute expired 59 minutes ago.
	download, part := links(s.objects.(*media.DiskStore).At(func() time.Time { return time.Now().Add(-time.Hour) }))
	s.do(request{method: "GET", path: linkPath(t, download)}).problem(t, 403, "link_expired")
	s.do(request{method: "PUT", path: linkPath(t, part), body: []byte("late")}).problem(t, 403, "link_expired")
}

func TestObjectPartUploads(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	const key = "uploads/lecture.webm"
	id, err := s.objects.CreateUpload(ctx, key, "video/webm")
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.PartURL(ctx, key, id, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	path := linkPath(t, link)

	// A retried part replaces the first attempt.
	first := objectBytes(3000, 2)
	r := s.do(request{method: "PUT", path: path, body: first}).expect(t, 200)
	firstETag := r.header.Get("ETag")
	content := objectBytes(4000, 3)
	r = s.do(request{method: "PUT", path: path, body: content}).expect(t, 200)
	sum := md5.Sum(content)
	etag := r.header.Get("ETag")
	if want := `"` + hex.EncodeToString(sum[:]) + `"`; etag != want || etag == firstETag {
		t.Fatalf("ETag %q, want %q (the MD5 of the second attempt)", etag, want)
	}

	// Part URLs name the upload, the part and the key: none can be swapped.
	s.do(request{method: "PUT", path: tamper(t, link), body: []byte("x")}).problem(t, 403, "invalid_signature")
	s.do(request{method: "PUT", path: strings.Replace(path, "part=1", "part=2", 1), body: []byte("x")}).problem(t, 403, "invalid_signature")
	s.do(request{method: "PUT", path: strings.Replace(path, "lecture.webm", "other.webm", 1), body: []byte("x")}).problem(t, 403, "invalid_signature")
	s.do(request{method: "GET", path: path}).problem(t, 403, "invalid_signature")

	// Announcing more than a part may hold is refused before any byte is
	// read.
	req := httptest.NewRequest("PUT", path, strings.NewReader("tiny"))
	req.Header.Set("Content-Length", strconv.FormatInt(media.MaxPartSize+1, 10))
	req.ContentLength = media.MaxPartSize + 1
	if resp, err := s.app.Test(req, 5000); err != nil {
		t.Errorf("PUT announcing an oversized part: %v", err)
	} else {
		_ = resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("PUT announcing an oversized part = %d, want 413", resp.StatusCode)
		}
	}

	info, err := s.objects.CompleteUpload(ctx, key, id, []media.Part{{Number: 1, ETag: etag}})
	if err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	if info.Size != 4000 || info.ContentType != "video/webm" {
		t.Errorf("CompleteUpload = %+v", info)
	}
	download, err := s.objects.SignedURL(ctx, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r = s.do(request{method: "GET", path: linkPath(t, download)}).expect(t, 200)
	if !bytes.Equal(r.body, content) || r.header.Get("Content-Type") != "video/webm" {
		t.Errorf("download after completion: %d bytes, type %q", len(r.body), r.header.Get("Content-Type"))
	}

	// The upload is gone, parts and all.
	s.do(request{method: "PUT", path: path, body: []byte("late")}).problem(t, 404, "upload_not_found")
	if files := filesUnder(t, filepath.Join(s.diskDir, "tmp")); len(files) != 0 {
		t.Errorf("completed upload left %q behind", files)
	}
}

func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

// serve runs the app on a real socket: app.Test buffers whole responses,
// which would hide exactly what the streaming tests look for.
func serve(t *testing.T, s *server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.app.Listener(ln) }()
	t.Cleanup(func() {
		if err := s.app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// genBody yields size deterministic bytes without holding them, hashing them
// as it goes, and samples HeapInuse every sampleEvery bytes: in a request
// body, that sees the heap while the server is mid-request.
type genBody struct {
	block              []byte
	pos                int
	remaining          int64
	sampleEvery, since int64
	samples            int
	peak               uint64
	sha, md5           hash.Hash
}

func newGenBody(size, sampleEvery int64) *genBody {
	// An odd block length keeps the data from lining up with any buffer.
	return &genBody{block: objectBytes(1<<20+13, 42), remaining: size, sampleEvery: sampleEvery, sha: sha256.New(), md5: md5.New()}
}

func (g *genBody) Read(p []byte) (int, error) {
	if g.remaining == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.remaining)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], g.block[g.pos:])
		n += c
		g.pos = (g.pos + c) % len(g.block)
	}
	g.sha.Write(p)
	g.md5.Write(p)
	g.remaining -= int64(n)
	g.since += int64(n)
	if g.sampleEvery > 0 && (g.since >= g.sampleEvery || g.remaining == 0) {
		g.since = 0
		g.samples++
		g.peak = max(g.peak, heapInuse())
	}
	return n, nil
}

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func heapBase() uint64 {
	runtime.GC()
	return heapInuse()
}

const maxHeapGrowth = 32 << 20

// A 64 MiB download must stream from the file: the Fiber adaptor that used
// to serve links held whole responses in memory.
func TestObjectDownloadStreams(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	const size = 64 << 20
	src := newGenBody(size, 0)
	if _, err := s.objects.Put(ctx, "big/video.mp4", src, size, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.SignedURL(ctx, "big/video.mp4", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, s)
	target := base + linkPath(t, link)

	before := heapBase()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 200 || resp.ContentLength != size {
		t.Fatalf("GET = %d with length %d", resp.StatusCode, resp.ContentLength)
	}
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var n, since int64
	peak := before
	for {
		m, err := resp.Body.Read(buf)
		h.Write(buf[:m])
		n += int64(m)
		if since += int64(m); since >= 4<<20 {
			since = 0
			peak = max(peak, heapInuse())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the body after %d bytes: %v", n, err)
		}
	}
	growth := int64(peak) - int64(before)
	t.Logf("heap grew by at most %.1f MiB while downloading %d MiB", float64(growth)/(1<<20), size>>20)
	if growth > maxHeapGrowth {
		t.Errorf("heap grew by %d MiB while downloading a %d MiB object; the limit is %d MiB", growth>>20, size>>20, maxHeapGrowth>>20)
	}
	if n != size || !bytes.Equal(h.Sum(nil), src.sha.Sum(nil)) {
		t.Errorf("downloaded %d bytes with another sha256 than the %d stored", n, size)
	}

	// A range deep into the file comes from the right place over a real
	// connection too.
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Range", "bytes=50000000-50000099")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp2.Body)
	_ = resp2.Body.Close()
	rc, err := s.objects.Open(ctx, "big/video.mp4", 50000000, 100)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(rc)
	_ = rc.Close()
	if resp2.StatusCode != 206 || !bytes.Equal(part, want) || resp2.Header.Get("Content-Range") != "bytes 50000000-50000099/67108864" {
		t.Errorf("deep range = %d with %d bytes, Content-Range %q", resp2.StatusCode, len(part), resp2.Header.Get("Content-Range"))
	}
}

// A part larger than the API's own body limit (65 MiB here) is accepted and
// streamed to disk, not buffered.
func TestObjectPartUploadStreams(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	ctx := context.Background()
	const key, size = "big/part.bin", 80 << 20
	id, err := s.objects.CreateUpload(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.objects.PartURL(ctx, key, id, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, s)

	body := newGenBody(size, 4<<20)
	before := heapBase()
	req, err := http.NewRequest("PUT", base+linkPath(t, link), body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	growth := int64(body.peak) - int64(before)
	t.Logf("heap grew by at most %.1f MiB over %d samples while uploading %d MiB", float64(growth)/(1<<20), body.samples, size>>20)
	if body.samples < 15 {
		t.Fatalf("only %d heap samples", body.samples)
	}
	if growth > maxHeapGrowth {
		t.Errorf("heap grew by %d MiB while uploading an %d MiB part; the limit is %d MiB", growth>>20, size>>20, maxHeapGrowth>>20)
	}
	etag := resp.Header.Get("ETag")
	if want := `"` + hex.EncodeToString(body.md5.Sum(nil)) + `"`; etag != want {
		t.Fatalf("ETag %q, want %q", etag, want)
	}
	info, err := s.objects.CompleteUpload(ctx, key, id, []media.Part{{Number: 1, ETag: etag}})
	if err != nil || info.Size != size {
		t.Fatalf("CompleteUpload = %+v, %v", info, err)
	}
	rc, err := s.objects.Open(ctx, key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil || !bytes.Equal(h.Sum(nil), body.sha.Sum(nil)) {
		t.Errorf("stored part differs from the one sent (%v)", err)
	}
}
