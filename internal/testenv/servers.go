package testenv

// Private servers for fault tests: a PostgreSQL cluster and a MinIO server
// that belong to one test alone, so that it may stop and restart them
// without disturbing any other test. The shared servers of `make test`
// (PostgresURL, MinIO) must never be stopped.
//
// Stop, Start, Freeze and Thaw call t.Fatal on failure, so call them from
// the test's own goroutine.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/media"
)

// startTimeout bounds every wait for a private server to answer.
const startTimeout = 60 * time.Second

// ---------------------------------------------------------------------------
// PostgreSQL

// PG is a private, throwaway PostgreSQL cluster on a loopback port: trust
// authentication, fsync off, removed when the test ends.
type PG struct {
	t     testing.TB
	bin   string // folder of initdb, pg_ctl, pg_isready
	dir   string // the cluster's folder, owned by the user running it
	data  string
	port  int
	owner string // "postgres" when the test runs as root, else "" (the current user)

	mu      sync.Mutex
	running bool
	frozen  bool
}

// OwnPostgres starts a private PostgreSQL cluster for the test. The server
// binaries are those of the newest PostgreSQL under the Debian location
// (/usr/lib/postgresql/<version>/bin), else initdb from PATH. As root the
// cluster belongs to the system user postgres (initdb refuses to run as
// root), as `make test` does it. A missing binary or user is a test
// failure, never a skip.
func OwnPostgres(t testing.TB) *PG {
	t.Helper()
	bin, err := postgresBinDir()
	if err != nil {
		t.Fatalf("testenv: a private PostgreSQL needs its server binaries: %v. "+
			"Run `make test` once (it installs the Debian package postgresql), or install it yourself", err)
	}
	p := &PG{t: t, bin: bin}
	if os.Geteuid() == 0 {
		p.owner = "postgres"
	}
	p.dir = p.clusterDir()
	p.data = filepath.Join(p.dir, "data")
	t.Cleanup(p.cleanup)

	initdb := p.command("initdb", "-D", p.data, "-A", "trust", "-U", "postgres", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb failed: %v\n%s", err, out)
	}
	// A disposable cluster: speed over durability. TCP only, so that no
	// socket path (limited to ~100 bytes) depends on the temporary folder.
	conf := `
# private test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
`
	f, err := os.OpenFile(filepath.Join(p.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("testenv: postgresql.conf: %v", err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("testenv: postgresql.conf: %v", err)
	}

	// The port is free when picked but may be taken before the server
	// binds it: try a few.
	for attempt := 1; ; attempt++ {
		p.port = freePort(t)
		err := p.start()
		if err == nil {
			break
		}
		if log := p.logTail(); attempt < 3 && (strings.Contains(log, "already in use") || strings.Contains(log, "could not create any TCP/IP sockets")) {
			_ = os.Truncate(filepath.Join(p.dir, "postgres.log"), 0) // judge the next attempt by its own lines
			continue
		}
		t.Fatalf("testenv: the private PostgreSQL did not start: %v\n%s", err, p.logTail())
	}
	return p
}

// clusterDir makes a folder the cluster's owner can write to.
func (p *PG) clusterDir() string {
	t := p.t
	dir := t.TempDir()
	if p.owner == "" {
		return dir
	}
	u, err := user.Lookup(p.owner)
	if err != nil {
		t.Fatalf("testenv: running as root, a private PostgreSQL must belong to the system user %s, "+
			"which does not exist (%v). Run `make test` once (it creates that user), or create it: "+
			"useradd --system --user-group --no-create-home %s", p.owner, err, p.owner)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// t.TempDir's parent is private to root (0700); the owner only has to
	// pass through it.
	if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if exec.Command("runuser", "-u", p.owner, "--", "test", "-w", dir).Run() == nil {
		return dir
	}
	// TMPDIR itself is out of the owner's reach: use the system's
	// temporary folder, as scripts/testenv.sh does.
	dir, err = os.MkdirTemp("/tmp", "mooc-test-pg.")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if err := exec.Command("runuser", "-u", p.owner, "--", "test", "-w", dir).Run(); err != nil {
		t.Fatalf("testenv: the user %s cannot write to a temporary folder (tried TMPDIR and /tmp): %v", p.owner, err)
	}
	return dir
}

// command runs a PostgreSQL binary as the cluster's owner, from inside the
// cluster's folder (the owner may not be able to read the caller's).
func (p *PG) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.owner != "" {
		cmd = exec.Command("runuser", append([]string{"-u", p.owner, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = p.dir
	// Settings from the caller's environment must not redirect the tools.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// start runs pg_ctl start, which returns once the server accepts
// connections (a bounded poll of its own), then checks that with
// pg_isready.
func (p *PG) start() error {
	// pg_ctl's output goes to a file, never a pipe: the server it forks
	// could otherwise keep the pipe open and hang the wait for it.
	out, err := os.CreateTemp(p.dir, "pg_ctl.*.out")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := p.command("pg_ctl", "-D", p.data, "-l", filepath.Join(p.dir, "postgres.log"),
		"-o", "-p "+strconv.Itoa(p.port), "-w", "-t", strconv.Itoa(int(startTimeout.Seconds())), "start")
	cmd.Stdout, cmd.Stderr = out, out
	// Counted as running from here on, so that the cleanup stops a server
	// that came up after pg_ctl gave up waiting for it.
	p.mu.Lock()
	p.running = true
	p.mu.Unlock()
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("pg_ctl start: %v: %s", err, strings.TrimSpace(string(b)))
	}
	deadline := time.Now().Add(startTimeout)
	for {
		err := p.command("pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "postgres", "-t", "2").Run()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer on 127.0.0.1:%d after %s: %v", p.port, startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the connection URL of the cluster's postgres database.
func (p *PG) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Port is the loopback port the cluster listens on, across restarts.
func (p *PG) Port() int { return p.port }

// Stop stops the server at once, as a crash would (pg_ctl stop -m
// immediate): connections are cut, nothing is shut down cleanly.
func (p *PG) Stop() {
	p.t.Helper()
	if err := p.thaw(); err != nil { // a stopped process would not take the signal
		p.t.Fatalf("testenv: %v", err)
	}
	if err := p.stop(); err != nil {
		p.t.Fatalf("testenv: stopping the private PostgreSQL: %v\n%s", err, p.logTail())
	}
}

func (p *PG) stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running {
		return nil
	}
	out, err := p.command("pg_ctl", "-D", p.data, "stop", "-m", "immediate", "-w", "-t", "30").CombinedOutput()
	if err != nil {
		p.killPostmaster()
		if _, serr := os.Stat(filepath.Join(p.data, "postmaster.pid")); serr == nil {
			return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
		}
	}
	p.running = false
	return nil
}

// killPostmaster is the last resort when pg_ctl cannot stop the server.
func (p *PG) killPostmaster() {
	b, err := os.ReadFile(filepath.Join(p.data, "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		return
	}
	_ = proc.Kill()
	for i := 0; i < 100; i++ { // up to 5 s for it to go
		if proc.Signal(syscall.Signal(0)) != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = os.Remove(filepath.Join(p.data, "postmaster.pid"))
}

// Start starts the stopped server again on the same port and data, and
// returns once it accepts connections.
func (p *PG) Start() {
	p.t.Helper()
	p.mu.Lock()
	running := p.running
	p.mu.Unlock()
	if running {
		return
	}
	if err := p.start(); err != nil {
		p.t.Fatalf("testenv: restarting the private PostgreSQL: %v\n%s", err, p.logTail())
	}
}

// Freeze stops every process of the cluster with SIGSTOP, as a hung
// server or a network partition looks to clients: connections open (the
// kernel still accepts them) but nothing answers. Thaw undoes it; the
// cleanup thaws a frozen cluster before stopping it. Linux only (/proc).
func (p *PG) Freeze() {
	p.t.Helper()
	if err := p.signalAll("-STOP"); err != nil {
		p.t.Fatalf("testenv: freezing the private PostgreSQL: %v", err)
	}
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

// Thaw resumes a frozen cluster (SIGCONT).
func (p *PG) Thaw() {
	p.t.Helper()
	if err := p.thaw(); err != nil {
		p.t.Fatalf("testenv: thawing the private PostgreSQL: %v", err)
	}
}

func (p *PG) thaw() error {
	p.mu.Lock()
	frozen := p.frozen
	p.mu.Unlock()
	if !frozen {
		return nil
	}
	if err := p.signalAll("-CONT"); err != nil {
		return err
	}
	p.mu.Lock()
	p.frozen = false
	p.mu.Unlock()
	return nil
}

// signalAll sends sig (as kill(1) takes it) to the postmaster and its
// children, the postmaster first so that it forks no new ones meanwhile.
func (p *PG) signalAll(sig string) error {
	b, err := os.ReadFile(filepath.Join(p.data, "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("the cluster is not running: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	postmaster := strings.TrimSpace(first)
	pids := []string{postmaster}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("listing processes: %w", err)
	}
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		if f := strings.Fields(string(stat[i+1:])); len(f) > 1 && f[1] == postmaster {
			pids = append(pids, e.Name())
		}
	}
	if out, err := exec.Command("kill", append([]string{sig}, pids...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("kill %s %v: %v: %s", sig, pids, err, out)
	}
	return nil
}

func (p *PG) cleanup() {
	if err := p.thaw(); err != nil {
		p.t.Errorf("testenv: %v", err)
	}
	if err := p.stop(); err != nil {
		p.t.Errorf("testenv: %v", err)
	}
}

// logTail is the end of the server's log, for failure messages.
func (p *PG) logTail() string { return tail(filepath.Join(p.dir, "postgres.log"), 30) }

// postgresBinDir finds the newest PostgreSQL server binaries.
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVersion := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil || !executable(filepath.Join(d, "initdb")) || !executable(filepath.Join(d, "pg_ctl")) {
			continue
		}
		if v > bestVersion {
			best, bestVersion = d, v
		}
	}
	if best == "" {
		path, err := exec.LookPath("initdb")
		if err != nil {
			return "", errors.New("no initdb and pg_ctl under /usr/lib/postgresql/*/bin, nor initdb on PATH")
		}
		best = filepath.Dir(path)
	}
	for _, tool := range []string{"initdb", "pg_ctl", "pg_isready"} {
		if !executable(filepath.Join(best, tool)) {
			return "", fmt.Errorf("%s lacks %s", best, tool)
		}
	}
	return best, nil
}

// ---------------------------------------------------------------------------
// MinIO

// minioCommit is the MinIO version `make test` builds (scripts/testenv.sh,
// MOOC_MINIO_COMMIT); its binary is cached per version.
const minioCommit = "7aac2a2c5b7c"

// MinIOProc is a private MinIO server on loopback ports. Its data folder
// is kept across Stop and Start, so objects survive a restart.
type MinIOProc struct {
	t         testing.TB
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

// OwnMinIO starts a private MinIO server for the test from the binary that
// `make test` builds into ${XDG_CACHE_HOME:-$HOME/.cache}/mooc/minio/. A
// missing binary is a test failure, never a skip.
func OwnMinIO(t testing.TB) *MinIOProc {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("testenv: a private MinIO needs the MinIO binary that `make test` builds into the user cache folder, "+
			"which is unknown here: %v. Set HOME or XDG_CACHE_HOME and run `make test` once", err)
	}
	bin := filepath.Join(cache, "mooc", "minio", minioCommit, "minio")
	if !executable(bin) {
		t.Fatalf("testenv: a private MinIO needs the MinIO server binary %s, which is missing: "+
			"run `make test` once (it builds MinIO into that folder; later runs reuse it)", bin)
	}
	m := &MinIOProc{
		t: t, bin: bin, dir: t.TempDir(),
		accessKey: "mooc" + randomHex(t, 6), secretKey: randomHex(t, 16),
	}
	if err := os.Mkdir(filepath.Join(m.dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.kill)
	for attempt := 1; ; attempt++ {
		m.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
		m.console = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
		err := m.start()
		if err == nil {
			break
		}
		if attempt < 3 && strings.Contains(strings.ToLower(m.logTail()), "address already in use") {
			_ = os.Truncate(filepath.Join(m.dir, "minio.log"), 0) // judge the next attempt by its own lines
			continue
		}
		t.Fatalf("testenv: the private MinIO did not start: %v\n%s", err, m.logTail())
	}
	return m
}

func (m *MinIOProc) start() error {
	log, err := os.OpenFile(filepath.Join(m.dir, "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own copy
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", m.console,
		"--certs-dir", filepath.Join(m.dir, "certs"), filepath.Join(m.dir, "data"))
	for _, kv := range os.Environ() { // the caller's MINIO_* settings must not leak in
		if !strings.HasPrefix(kv, "MINIO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "MINIO_ROOT_USER="+m.accessKey, "MINIO_ROOT_PASSWORD="+m.secretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1")
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
			return errors.New("the server exited during start-up")
		default:
		}
		if minioAnswers(client, "http://"+m.addr+"/minio/health/live") &&
			minioAnswers(client, "http://"+m.addr+"/minio/health/ready") {
			return nil
		}
		if time.Now().After(deadline) {
			m.kill()
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
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Endpoint is host:port of the S3 API, the same across restarts.
func (m *MinIOProc) Endpoint() string { return m.addr }

// AccessKey is the server's root user.
func (m *MinIOProc) AccessKey() string { return m.accessKey }

// SecretKey is the server's root password.
func (m *MinIOProc) SecretKey() string { return m.secretKey }

// Config is the S3 configuration of bucket on this server.
func (m *MinIOProc) Config(bucket string) media.S3Config {
	return media.S3Config{Endpoint: m.addr, AccessKey: m.accessKey, SecretKey: m.secretKey, Bucket: bucket}
}

// Client is a minio-go client of the server, for looking behind the
// service's back (listing objects and unfinished uploads).
func (m *MinIOProc) Client() *minio.Client {
	m.t.Helper()
	c, err := minio.New(m.addr, &minio.Options{
		Creds: credentials.NewStaticV4(m.accessKey, m.secretKey, ""), Region: "us-east-1",
	})
	if err != nil {
		m.t.Fatalf("testenv: MinIO client: %v", err)
	}
	return c
}

// Stop kills the server (SIGKILL), as a crash would, and waits until it
// is gone.
func (m *MinIOProc) Stop() {
	m.t.Helper()
	m.kill()
}

func (m *MinIOProc) kill() {
	m.mu.Lock()
	cmd, exited := m.cmd, m.exited
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		m.t.Errorf("testenv: the private MinIO (pid %d) did not end after SIGKILL", cmd.Process.Pid)
	}
}

// Start starts the stopped server again on the same ports and data, and
// returns once it answers.
func (m *MinIOProc) Start() {
	m.t.Helper()
	m.mu.Lock()
	running := m.cmd != nil
	m.mu.Unlock()
	if running {
		return
	}
	if err := m.start(); err != nil {
		m.t.Fatalf("testenv: restarting the private MinIO: %v\n%s", err, m.logTail())
	}
}

func (m *MinIOProc) logTail() string { return tail(filepath.Join(m.dir, "minio.log"), 30) }

// ---------------------------------------------------------------------------

// freePort returns a loopback TCP port nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: no free loopback port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

var secretLike = regexp.MustCompile(`(?i)(password|secret)[=:]\s*\S+`)

// tail returns the last n lines of a log file, for failure messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "----- last lines of " + filepath.Base(path) + " -----\n" +
		secretLike.ReplaceAllString(strings.Join(lines, "\n"), "$1=***") + "\n-----"
}

// Objects lists the keys under prefix in bucket, sorted.
func (m *MinIOProc) Objects(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	for o := range m.Client().ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return keys, o.Err
		}
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	return keys, nil
}

// Upload is an unfinished multipart upload and the bytes its parts hold.
type Upload struct {
	Key, UploadID string
	Bytes         int64
	Parts         int
}

// IncompleteUploads lists the multipart uploads in bucket that were
// neither completed nor aborted, with the size of their parts.
func (m *MinIOProc) IncompleteUploads(ctx context.Context, bucket string) ([]Upload, error) {
	core := minio.Core{Client: m.Client()}
	var out []Upload
	for up := range core.ListIncompleteUploads(ctx, bucket, "", true) {
		if up.Err != nil {
			return out, up.Err
		}
		u := Upload{Key: up.Key, UploadID: up.UploadID}
		marker := 0
		for {
			res, err := core.ListObjectParts(ctx, bucket, up.Key, up.UploadID, marker, 1000)
			if err != nil {
				return out, err
			}
			for _, p := range res.ObjectParts {
				u.Bytes += p.Size
				u.Parts++
			}
			if !res.IsTruncated {
				break
			}
			marker = res.NextPartNumberMarker
		}
		out = append(out, u)
	}
	return out, nil
}
