package testkit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
)

// Logs keeps what a logger wrote, as JSON records, for tests that check
// what a service said (which replica claimed a job, say).
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger writes every record, debug and up, into l.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Write takes one record: the JSON handler writes each in one call.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Records returns the records with the message msg, oldest first, each
// its attributes by key (with "msg" and "level").
func (l *Logs) Records(tb testing.TB, msg string) []map[string]any {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("testkit: a log line that is not JSON: %q", sc.Text())
		}
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}
