package testenv

// The one implementation of a throwaway MinIO server: the shared server of
// a test run (Provision, Main) and the private servers of fault tests
// (OwnMinIO) are both a minioServer.

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// minioServer is a MinIO server on loopback ports with a single drive in a
// temporary folder, kept across stop and start.
type minioServer struct {
	bin       string
	dir       string
	addr      string // host:port of the S3 API
	console   string
	accessKey string
	secretKey string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// newMinIOServer starts a server in a new temporary folder, building the
// pinned MinIO first if the cache lacks it. On error nothing is left
// behind.
func newMinIOServer() (_ *minioServer, err error) {
	bin, err := MinIOBinary()
	if err != nil {
		return nil, err
	}
	access, err := randomString(6)
	if err != nil {
		return nil, err
	}
	secret, err := randomString(16)
	if err != nil {
		return nil, err
	}
	m := &minioServer{bin: bin, accessKey: "mooc" + access, secretKey: secret}
	if m.dir, err = os.MkdirTemp("", "mooc-test-minio."); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = m.close() // the error that made it fail is the one to report
		}
	}()
	if err := os.Mkdir(filepath.Join(m.dir, "data"), 0o700); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		port, err := freePortNumber()
		if err != nil {
			return nil, err
		}
		console, err := freePortNumber()
		if err != nil {
			return nil, err
		}
		m.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		m.console = net.JoinHostPort("127.0.0.1", strconv.Itoa(console))
		err = m.start()
		if err == nil {
			return m, nil
		}
		if attempt < 3 && strings.Contains(strings.ToLower(m.logTail()), "address already in use") {
			_ = os.Truncate(filepath.Join(m.dir, "minio.log"), 0) // judge the next attempt by its own lines
			continue
		}
		return nil, fmt.Errorf("the throwaway MinIO did not start: %v\n%s", err, m.logTail())
	}
}

func (m *minioServer) start() error {
	log, err := os.OpenFile(filepath.Join(m.dir, "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = log.Close() }() // the child has its own copy
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", m.console,
		"--certs-dir", filepath.Join(m.dir, "certs"), filepath.Join(m.dir, "data"))
	for _, kv := range os.Environ() { // the caller's MINIO_* settings must not leak in
		if !strings.HasPrefix(kv, "MINIO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// CORS for every origin, set here rather than left to MinIO's
	// default: the web pages under test, on an httptest port of their own,
	// fetch captions and play videos from this server by signed link.
	// MinIO's community server has no bucket CORS (PutBucketCors answers
	// NotImplemented), only this server-wide list; compose.yaml sets it too.
	cmd.Env = append(cmd.Env, "MINIO_ROOT_USER="+m.accessKey, "MINIO_ROOT_PASSWORD="+m.secretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1", "MINIO_API_CORS_ALLOW_ORIGIN=*")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", m.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	m.mu.Lock()
	m.cmd, m.exited = cmd, exited
	m.mu.Unlock()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			m.mu.Lock()
			m.cmd = nil
			m.mu.Unlock()
			return errors.New("the server exited during start-up")
		default:
		}
		if minioAnswers(client, "http://"+m.addr+"/minio/health/live") &&
			minioAnswers(client, "http://"+m.addr+"/minio/health/ready") {
			return nil
		}
		if time.Now().After(deadline) {
			_ = m.kill()
			return fmt.Errorf("no answer on %s after %s", m.addr, startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func minioAnswers(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// kill kills the server (SIGKILL), as a crash would, and waits until it is
// gone.
func (m *minioServer) kill() error {
	m.mu.Lock()
	cmd, exited := m.cmd, m.exited
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Kill() // fails only when it has already gone
	select {
	case <-exited:
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the throwaway MinIO (pid %d) did not end after SIGKILL", cmd.Process.Pid)
	}
}

func (m *minioServer) running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cmd != nil
}

// close kills the server and removes its folder.
func (m *minioServer) close() error {
	err := m.kill()
	if m.dir != "" {
		if rerr := os.RemoveAll(m.dir); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return err
}

func (m *minioServer) logTail() string { return tail(filepath.Join(m.dir, "minio.log"), 30) }
