package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// BurstRequest is one request of a burst: an HTTP/1.1 request line,
// headers and an optional body, written as raw bytes.
type BurstRequest struct {
	Method, Path string
	Header       map[string]string // e.g. Authorization, Content-Type
	Body         []byte
}

// BurstReply is the answer to one request of a burst.
type BurstReply struct {
	Status  int
	Body    []byte
	Latency time.Duration // from the release of the burst to the last byte of the reply
	Err     error         // transport error; Status is 0 then
}

// BurstResult is what a burst measured.
type BurstResult struct {
	Replies []BurstReply  // in the order of the requests
	Opening time.Duration // how long opening every connection took (not measured)
	Elapsed time.Duration // from the release to the last reply
}

// Latencies returns the latencies of the requests answered with a status
// for which ok is true, sorted.
func (r BurstResult) Latencies(ok func(status int) bool) []time.Duration {
	var out []time.Duration
	for _, rep := range r.Replies {
		if rep.Err == nil && ok(rep.Status) {
			out = append(out, rep.Latency)
		}
	}
	slices.Sort(out)
	return out
}

// Failed counts the requests that got a transport error or a status for
// which ok is false, and returns the first of them as an error.
func (r BurstResult) Failed(ok func(status int) bool) (int, error) {
	n := 0
	var first error
	for i, rep := range r.Replies {
		if rep.Err == nil && ok(rep.Status) {
			continue
		}
		n++
		if first == nil {
			if rep.Err != nil {
				first = fmt.Errorf("request %d: %w", i, rep.Err)
			} else {
				body := rep.Body
				if len(body) > 400 {
					body = body[:400]
				}
				first = fmt.Errorf("request %d: status %d: %s", i, rep.Status, bytes.TrimSpace(body))
			}
		}
	}
	return n, first
}

// PerSecond is the burst's rate: requests answered per second of Elapsed.
func (r BurstResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Replies)) / r.Elapsed.Seconds()
}

// maxBurst bounds the connections one burst opens.
const maxBurst = 10_000

// Burst sends every request at the same instant, each on a connection of
// its own to addr (host:port, loopback only): first every connection is
// opened, then the requests are released together and each reply is read
// whole. timeout bounds the whole burst after the release; a request not
// answered by then counts as failed.
func Burst(ctx context.Context, addr string, reqs []BurstRequest, timeout time.Duration) (BurstResult, error) {
	if err := CheckLoopback(addr); err != nil {
		return BurstResult{}, err
	}
	if len(reqs) == 0 || len(reqs) > maxBurst {
		return BurstResult{}, fmt.Errorf("bench: a burst holds 1 to %d requests, not %d", maxBurst, len(reqs))
	}
	if timeout <= 0 || timeout > 10*time.Minute {
		return BurstResult{}, fmt.Errorf("bench: a burst's timeout must lie between 0 and 10m")
	}
	raw := make([][]byte, len(reqs))
	for i, r := range reqs {
		raw[i] = encodeRequest(addr, r)
	}

	// Open every connection first, a few at a time.
	opening := time.Now()
	conns := make([]net.Conn, len(reqs))
	closeAll := func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}
	var (
		dialer = net.Dialer{Timeout: 10 * time.Second}
		wg     sync.WaitGroup
		mu     sync.Mutex
		first  error
		next   = make(chan int)
	)
	for range min(64, len(reqs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := dialer.DialContext(ctx, "tcp", addr)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("bench: opening connection %d of the burst: %w", i+1, err)
					}
					mu.Unlock()
					continue
				}
				conns[i] = c
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		closeAll()
		return BurstResult{}, first
	}
	res := BurstResult{Replies: make([]BurstReply, len(reqs)), Opening: time.Since(opening)}

	// Every sender waits at the gate; closing it releases them all.
	gate := make(chan struct{})
	var t0 time.Time
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res.Replies[i] = exchange(c, raw[i], t0, t0.Add(timeout))
		}()
	}
	// Let every goroutine reach the gate before the release.
	time.Sleep(50 * time.Millisecond)
	t0 = time.Now()
	close(gate)
	wg.Wait()
	closeAll()
	for _, rep := range res.Replies {
		res.Elapsed = max(res.Elapsed, rep.Latency)
	}
	return res, ctx.Err()
}

func exchange(c net.Conn, raw []byte, t0, deadline time.Time) BurstReply {
	_ = c.SetDeadline(deadline)
	if _, err := c.Write(raw); err != nil {
		return BurstReply{Err: err, Latency: time.Since(t0)}
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 16<<10), nil)
	if err != nil {
		return BurstReply{Err: err, Latency: time.Since(t0)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	_ = resp.Body.Close() // the reply is read; a close error loses nothing
	lat := time.Since(t0)
	if err != nil {
		return BurstReply{Err: err, Latency: lat}
	}
	return BurstReply{Status: resp.StatusCode, Body: body, Latency: lat}
}

// encodeRequest writes r as HTTP/1.1 with a Content-Length, asking the
// server to close the connection after the reply.
func encodeRequest(host string, r BurstRequest) []byte {
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n")
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + r.Header[k] + "\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n\r\n")
	b.Write(r.Body)
	return b.Bytes()
}
