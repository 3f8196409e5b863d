package testenv

import (
	"io"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message that reached the test SMTP server.
type Received struct {
	From, To  string
	Subject   string // decoded
	MessageID string
	Body      string
}

// Inbox is a real SMTP server on a loopback port that keeps what arrives.
type Inbox struct {
	Host string
	Port int
	mu   sync.Mutex
	got  []Received
	wake chan struct{}
}

// SMTP starts an SMTP server for the test, closed when it ends.
func SMTP(t testing.TB) *Inbox {
	t.Helper()
	in := &Inbox{wake: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{inbox: in}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { _ = srv.Close() })
	in.Host, in.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	return in
}

// Addr is host:port.
func (in *Inbox) Addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

// Messages returns what arrived so far.
func (in *Inbox) Messages() []Received {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Received(nil), in.got...)
}

// WaitFor blocks until at least n messages arrived or the timeout passes,
// and returns what arrived.
func (in *Inbox) WaitFor(n int, timeout time.Duration) []Received {
	deadline := time.After(timeout)
	for {
		if got := in.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-in.wake:
		case <-deadline:
			return in.Messages()
		}
	}
}

type session struct {
	inbox    *Inbox
	from, to string
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	s.inbox.mu.Lock()
	s.inbox.got = append(s.inbox.got, Received{From: s.from, To: s.to, Subject: subject, MessageID: msg.Header.Get("Message-ID"), Body: string(body)})
	s.inbox.mu.Unlock()
	select {
	case s.inbox.wake <- struct{}{}:
	default:
	}
	return nil
}
