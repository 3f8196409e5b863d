package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gabriel-vasile/mimetype"
)

func TestVideoIsMP4OfExactSize(t *testing.T) {
	for _, size := range []int64{24, 3072, videoBlock - 1, 3*videoBlock + 17} {
		v := NewVideo(size, 1)
		all, err := io.ReadAll(v)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(all)) != size {
			t.Fatalf("size %d: read %d bytes", size, len(all))
		}
		if !bytes.HasPrefix(all, MP4Head) {
			t.Fatalf("size %d: no MP4 head", size)
		}
		if size >= 3072 {
			if mt := mimetype.Detect(all[:3072]); !mt.Is("video/mp4") {
				t.Fatalf("sniffed as %s, want video/mp4", mt)
			}
		}
	}
	a, _ := io.ReadAll(io.LimitReader(NewVideo(1<<22, 7), 1<<22))
	b, _ := io.ReadAll(io.LimitReader(NewVideo(1<<22, 7), 1<<22))
	if !bytes.Equal(a, b) {
		t.Fatal("one seed gave two streams")
	}
}

func TestMultipartLengthIsExact(t *testing.T) {
	for _, size := range []int64{24, 100_000, 5<<20 + 3} {
		m, err := NewMultipart("file", "lekcija.mp4", "video/mp4", NewVideo(size, 2), size)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(m.Body)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(raw)) != m.ContentLength {
			t.Fatalf("size %d: body has %d bytes, Content-Length says %d", size, len(raw), m.ContentLength)
		}
		_, params, err := mime.ParseMediaType(m.ContentType)
		if err != nil {
			t.Fatal(err)
		}
		part, err := multipart.NewReader(bytes.NewReader(raw), params["boundary"]).NextPart()
		if err != nil {
			t.Fatal(err)
		}
		if part.FormName() != "file" || part.FileName() != "lekcija.mp4" {
			t.Fatalf("part %q %q", part.FormName(), part.FileName())
		}
		content, err := io.ReadAll(part)
		if err != nil || int64(len(content)) != size || !bytes.HasPrefix(content, MP4Head) {
			t.Fatalf("part content: %d bytes, %v", len(content), err)
		}
	}
}

func TestMultipartRefusesAShortContent(t *testing.T) {
	m, err := NewMultipart("file", "x.mp4", "video/mp4", NewVideo(100, 1), 200)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(m.Body); err == nil {
		t.Fatal("a short content went unnoticed")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond, 0.001: time.Millisecond} {
		if got := Percentile(d, q); got != want {
			t.Errorf("p%v = %v, want %v", q*100, got, want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("empty")
	}
}

func TestLoadStopsAtTheRequestBound(t *testing.T) {
	var calls atomic.Int64
	r := Load{Concurrency: 8, Duration: 10 * time.Second, MaxRequests: 1000}.Run(context.Background(), func(context.Context) error {
		if calls.Add(1)%100 == 0 {
			return errors.New("every hundredth fails")
		}
		return nil
	})
	if calls.Load() != 1000 || r.Requests != 1000 || r.Errors != 10 || len(r.Latencies) != 990 || r.FirstErr == nil {
		t.Fatalf("calls %d, result %+v", calls.Load(), r)
	}
}

func TestLoadStopsAtTheTimeBound(t *testing.T) {
	start := time.Now()
	r := Load{Concurrency: 4, Duration: 200 * time.Millisecond, MaxRequests: 1 << 40}.Run(context.Background(), func(ctx context.Context) error {
		select {
		case <-time.After(time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if took := time.Since(start); took > 2*time.Second || r.Errors != 0 || len(r.Latencies) == 0 {
		t.Fatalf("took %v, result errors %d latencies %d", took, r.Errors, len(r.Latencies))
	}
}

func TestReadOwnProcess(t *testing.T) {
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatalf("reading /proc: %v", err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Fatalf("memory %+v", m)
	}
	if _, err := ReadCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	w, err := WatchPeak(os.Getpid(), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	p, err := w.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if p.Growth() < 32<<20 {
		t.Fatalf("touching 64 MiB grew the RSS by %d bytes only (%+v)", p.Growth(), p)
	}
	_ = buf[len(buf)-1]
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8080", "http://127.0.0.1:8080", "[::1]:9000", "http://localhost:1", "127.3.2.1"} {
		if err := CheckLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:80", "http://example.com", "0.0.0.0:80", "", "http://192.168.1.1:9000"} {
		if err := CheckLoopback(bad); err == nil {
			t.Errorf("%s passed", bad)
		}
	}
}

// BenchmarkVideo is how fast the generated upload stream is produced: it
// must be far above any upload rate it feeds.
func BenchmarkVideo(b *testing.B) {
	const size = 256 << 20
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{NewVideo(size, 1)}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMultipart is the client's side of the upload benchmark alone:
// generated video through the multipart writer and the pipe.
func BenchmarkMultipart(b *testing.B) {
	const size = 256 << 20
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		m, err := NewMultipart("file", "video.mp4", "video/mp4", NewVideo(size, 1), size)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, m.Body, buf)
		if err != nil || n != m.ContentLength {
			b.Fatalf("%d of %d bytes: %v", n, m.ContentLength, err)
		}
	}
}

// BenchmarkLoad is the overhead of the load runner itself per request.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		Load{Concurrency: 64, Duration: time.Minute, MaxRequests: 10_000}.Run(context.Background(), func(context.Context) error { return nil })
	}
}
