package testkit

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Relay is a minimal SMTP server on loopback that records the commands'
// arguments and each message's bytes exactly as they crossed the wire
// (dot-stuffing and line endings included): what a lenient relay would
// accept, for tests of what the platform sends. Tests that need a real
// server's parsing use testenv.SMTP.
type Relay struct {
	Host string
	Port int

	mu       sync.Mutex
	mailFrom []string
	rcptTo   []string
	data     [][]byte
}

// StartRelay starts a Relay for the test, closed when it ends.
func StartRelay(t testing.TB) *Relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	r := &Relay{Host: addr.IP.String(), Port: addr.Port}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(conn)
		}
	}()
	return r
}

// Sent returns the MAIL FROM and RCPT TO arguments and the messages so far.
func (r *Relay) Sent() (mailFrom, rcptTo []string, data [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.mailFrom...), append([]string(nil), r.rcptTo...), append([][]byte(nil), r.data...)
}

func (r *Relay) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	in := bufio.NewReader(conn)
	say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
	say("220 relay.test ESMTP")
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		upper := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(upper, "MAIL FROM:"):
			r.mu.Lock()
			r.mailFrom = append(r.mailFrom, cmd[len("MAIL FROM:"):])
			r.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(upper, "RCPT TO:"):
			r.mu.Lock()
			r.rcptTo = append(r.rcptTo, cmd[len("RCPT TO:"):])
			r.mu.Unlock()
			say("250 ok")
		case upper == "DATA":
			say("354 go on")
			var data bytes.Buffer
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			r.mu.Lock()
			r.data = append(r.data, data.Bytes())
			r.mu.Unlock()
			say("250 queued")
		case upper == "QUIT":
			say("221 bye")
			return
		default: // EHLO, HELO, RSET, NOOP
			say("250 relay.test")
		}
	}
}
