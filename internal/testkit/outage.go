package testkit

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Outage is a TCP relay in front of a real server that a test can take
// down and bring back: down, it drops every open connection and refuses
// new ones at once, as a stopped server would; up, it relays again. The
// server itself (a real MinIO, say) never changes, so what a test sees is
// the platform's handling of the outage, not a stand-in's.
type Outage struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewOutage relays a loopback port to target (host:port), up at first;
// it is closed when the test ends.
func NewOutage(t testing.TB, target string) *Outage {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &Outage{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	o.wg.Add(1)
	go o.accept()
	t.Cleanup(o.close)
	return o
}

// Addr is the relay's host:port, to configure in place of the target's.
func (o *Outage) Addr() string { return o.ln.Addr().String() }

// Down cuts every connection and refuses new ones until Up.
func (o *Outage) Down() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = true
	for c := range o.conns {
		_ = c.Close()
	}
}

// Up relays again.
func (o *Outage) Up() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = false
}

func (o *Outage) accept() {
	defer o.wg.Done()
	for {
		c, err := o.ln.Accept()
		if err != nil {
			return
		}
		o.mu.Lock()
		if o.down {
			o.mu.Unlock()
			_ = c.Close()
			continue
		}
		o.conns[c] = struct{}{}
		o.mu.Unlock()
		o.wg.Add(1)
		go o.relay(c)
	}
}

func (o *Outage) relay(c net.Conn) {
	defer o.wg.Done()
	defer o.forget(c)
	s, err := net.Dial("tcp", o.target)
	if err != nil {
		return
	}
	o.mu.Lock()
	if o.down {
		o.mu.Unlock()
		_ = s.Close()
		return
	}
	o.conns[s] = struct{}{}
	o.mu.Unlock()
	defer o.forget(s)
	var once sync.WaitGroup
	once.Add(2)
	pipe := func(dst, src net.Conn) {
		defer once.Done()
		_, _ = io.Copy(dst, src)
		// One side finished: end both, as a proxy that forwards a close does.
		_ = dst.Close()
		_ = src.Close()
	}
	go pipe(s, c)
	go pipe(c, s)
	once.Wait()
}

func (o *Outage) forget(c net.Conn) {
	_ = c.Close()
	o.mu.Lock()
	delete(o.conns, c)
	o.mu.Unlock()
}

func (o *Outage) close() {
	_ = o.ln.Close()
	o.Down()
	o.wg.Wait()
}
