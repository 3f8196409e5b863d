package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a child process the run started: a replica, MinIO or haproxy.
// Its output goes to a log file in the run's folder.
type proc struct {
	name   string
	args   []string
	env    []string
	log    string
	cmd    *exec.Cmd
	exited chan struct{}
}

func (p *proc) start() error {
	out, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = out.Close() }() // the child has its own copy
	cmd := exec.Command(p.args[0], p.args[1:]...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = out, out
	// A group of its own: Ctrl-C of the run reaches the children through
	// the run's clean-up, not all at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(p.exited)
	return nil
}

func (p *proc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *proc) pid() int {
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// kill sends sig and waits up to 30 s for the process to end (then kills it).
func (p *proc) kill(sig syscall.Signal) {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(sig) // fails only when it has just ended
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// tail is the last lines of the process's log, for error messages.
func (p *proc) tail(n int) string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// waitHTTP waits until url answers 200 (while p runs) or the timeout passes.
func waitHTTP(ctx context.Context, p *proc, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		if p != nil && !p.running() {
			return fmt.Errorf("%s exited during start-up:\n%s", p.name, p.tail(30))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			tail := ""
			if p != nil {
				tail = ":\n" + p.tail(30)
			}
			return fmt.Errorf("%s gave no 200 after %s%s", url, timeout, tail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort is a loopback port nothing listened on a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// erasureMinIO is MinIO over four drive folders of one node on loopback:
// erasure coding with two data and two parity shards, as a small erasure
// set runs it.
type erasureMinIO struct {
	proc
	addr, accessKey, secretKey string
}

func newErasureMinIO(bin, dir string) (*erasureMinIO, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	console, err := freePort()
	if err != nil {
		return nil, err
	}
	for i := 1; i <= 4; i++ {
		if err := os.MkdirAll(filepath.Join(dir, "minio", "d"+strconv.Itoa(i)), 0o700); err != nil {
			return nil, err
		}
	}
	m := &erasureMinIO{addr: "127.0.0.1:" + strconv.Itoa(port), accessKey: "moocbench", secretKey: randomHex(16)}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") && !strings.HasPrefix(kv, "_MINIO_") {
			env = append(env, kv)
		}
	}
	// _MINIO_SERVER_LOCAL: the four drives share one file system (and, in
	// a container, one device), which MinIO otherwise refuses for an
	// erasure set; MINIO_CI_CD turns the same check off in older releases.
	env = append(env, "MINIO_ROOT_USER="+m.accessKey, "MINIO_ROOT_PASSWORD="+m.secretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1", "_MINIO_SERVER_LOCAL=on")
	m.proc = proc{
		name: "MinIO (4 drives)",
		args: []string{bin, "server", "--quiet", "--address", m.addr, "--console-address", "127.0.0.1:" + strconv.Itoa(console),
			filepath.Join(dir, "minio", "d{1...4}")},
		env: env, log: filepath.Join(dir, "minio.log"),
	}
	return m, nil
}

func (m *erasureMinIO) up(ctx context.Context) error {
	if err := m.start(); err != nil {
		return err
	}
	return waitHTTP(ctx, &m.proc, "http://"+m.addr+"/minio/health/ready", 60*time.Second)
}

// replica is one `mooc serve` process.
type replica struct {
	proc
	id   string
	addr string // 127.0.0.1:port
}

func (r *replica) url() string { return "http://" + r.addr }

func (r *replica) up(ctx context.Context) error {
	if err := r.start(); err != nil {
		return err
	}
	return waitHTTP(ctx, &r.proc, r.url()+"/readyz", 90*time.Second)
}

// haproxyConfig is the balancer in front of the replicas: round robin,
// a replica taken out after two failed /readyz checks 500 ms apart and
// back after two good ones, and a request whose connection failed sent
// again to another replica (which is safe: nothing reached the dead one).
func haproxyConfig(listen string, replicas []*replica) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 4096
    nbthread 2

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend mooc
    bind %s
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2 maxconn 512
`, listen)
	for _, r := range replicas {
		fmt.Fprintf(&b, "    server %s %s check\n", r.id, r.addr)
	}
	return b.String()
}

// checkHAProxyConfig asks haproxy whether haproxy's configuration is valid before
// it starts, so a bad one fails with haproxy's own words.
func checkHAProxyConfig(bin, file string) error {
	out, err := exec.Command(bin, "-c", "-f", file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("haproxy -c: %v\n%s", err, out)
	}
	return nil
}
