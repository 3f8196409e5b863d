package testkit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clock is a clock a test moves: the real time plus an offset, so that
// what the database or storage stamps stays in step with it, while a
// test skips past a lease or an age without waiting for it.
type Clock struct{ offset atomic.Int64 }

// Now is the clock's time; hand it to a service as its Now.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Gate holds whoever waits at it until the test opens it (a hung relay or
// storage), and says when the first arrived.
type Gate struct {
	once    sync.Once
	arrived chan struct{}
	open    chan struct{}
}

// NewGate returns a closed gate.
func NewGate() *Gate { return &Gate{arrived: make(chan struct{}), open: make(chan struct{})} }

// Wait blocks until the gate opens or ctx ends.
func (g *Gate) Wait(ctx context.Context) error {
	g.once.Do(func() { close(g.arrived) })
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Arrived is closed once someone waits at the gate.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Open lets everyone through, now and later.
func (g *Gate) Open() { close(g.open) }

// Eventually polls cond until it holds and returns its value, failing the
// test after a minute with what cond last saw. For a state another
// goroutine reaches (a heartbeat written), never as a pause.
func Eventually[T any](tb testing.TB, what string, cond func() (T, bool)) T {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		v, ok := cond()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waited a minute for %s: %+v", what, v)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
