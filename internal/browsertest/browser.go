package browsertest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mooc/internal/testenv"
)

// stepTimeout bounds one step of a test (a navigation, a wait for a
// selector, an axe run) on a busy 2-core machine under -race.
const stepTimeout = 30 * time.Second

// Browser is one Chromium process of a test.
type Browser struct {
	ctx context.Context // the browser's first tab; new tabs are opened from it
	out *syncBuffer     // Chromium's own output, for failure messages
}

// Start starts Chromium for the test and closes it when the test ends.
// Chromium is installed (Debian package chromium) when it is missing; when
// it cannot be installed or does not start, the test fails.
func Start(t testing.TB) *Browser {
	t.Helper()
	path, err := testenv.Chromium()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	out := &syncBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(out),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// Cleanups run last first: the browser ends before its profile folder
	// (t.TempDir above) is removed.
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits until the process has gone
	})
	// The first run starts the browser, tied to ctx, which has no
	// deadline; the timeout only bounds the start.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	if err := waitStep(started); err != nil {
		t.Fatalf("browsertest: starting %s: %v\n%s", path, err, out.tail())
	}
	return &Browser{ctx: ctx, out: out}
}

// syncBuffer collects a process's output from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last lines written, for a failure message.
func (b *syncBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(b.buf.String()), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// moduleRoot is the folder of go.mod above the test's working folder (the
// package's folder).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working folder; run the tests with go test inside the module")
		}
		dir = parent
	}
}
