package testenv

// The one implementation of a throwaway PostgreSQL cluster: the shared
// cluster of a test run (Provision, Main) and the private clusters of fault
// tests (OwnPostgres) are both a pgCluster.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds every wait for a server to answer.
const startTimeout = 60 * time.Second

// Settings of a disposable cluster: speed over durability. TCP only, so
// that no socket path (limited to ~100 bytes) depends on the temporary
// folder.
const pgSettings = `
# throwaway test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
`

// pgCluster is a throwaway PostgreSQL cluster on a loopback port, with
// trust authentication. As root it belongs to the system user postgres,
// because initdb refuses to run as root.
type pgCluster struct {
	bin   string // folder of initdb, pg_ctl, pg_isready
	dir   string // the cluster's folder, owned by the user running it
	data  string
	port  int
	owner string // "postgres" when running as root, else "" (the current user)

	mu      sync.Mutex
	running bool
	frozen  bool
}

// newPGCluster creates and starts a cluster in a new temporary folder.
// maxConnections and sharedBuffers go into its postgresql.conf. On error
// nothing is left behind.
func newPGCluster(maxConnections int, sharedBuffers string) (_ *pgCluster, err error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin}
	if os.Geteuid() == 0 {
		c.owner = "postgres"
	}
	if c.dir, err = c.makeDir(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = c.close() // the error that made it fail is the one to report
		}
	}()
	c.data = filepath.Join(c.dir, "data")

	initdb := c.command("initdb", "-D", c.data, "-A", "trust", "-U", "postgres", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb (%s) failed: %v\n%s", c.bin, err, out)
	}
	conf := pgSettings + fmt.Sprintf("max_connections = %d\nshared_buffers = %s\n", maxConnections, sharedBuffers)
	if err := appendFile(filepath.Join(c.data, "postgresql.conf"), conf); err != nil {
		return nil, err
	}

	// The port is free when picked but may be taken before the server
	// binds it: try a few.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePortNumber(); err != nil {
			return nil, err
		}
		err := c.start()
		if err == nil {
			return c, nil
		}
		if log := c.logTail(); attempt < 3 && (strings.Contains(log, "already in use") || strings.Contains(log, "could not create any TCP/IP sockets")) {
			_ = os.Truncate(filepath.Join(c.dir, "postgres.log"), 0) // judge the next attempt by its own lines
			continue
		}
		return nil, fmt.Errorf("the throwaway PostgreSQL did not start: %v\n%s", err, c.logTail())
	}
}

// makeDir makes a temporary folder the cluster's owner can write to.
func (c *pgCluster) makeDir() (string, error) {
	if c.owner == "" {
		return os.MkdirTemp("", "mooc-test-pg.")
	}
	uid, gid, err := systemUser(c.owner)
	if err != nil {
		return "", err
	}
	// TMPDIR first; the system's temporary folder when TMPDIR is out of
	// the owner's reach.
	var tried []string
	for _, base := range []string{os.TempDir(), "/tmp"} {
		dir, err := os.MkdirTemp(base, "mooc-test-pg.")
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			tried = append(tried, err.Error())
			_ = os.RemoveAll(dir)
			continue
		}
		if err := exec.Command("runuser", "-u", c.owner, "--", "test", "-w", dir).Run(); err != nil {
			tried = append(tried, fmt.Sprintf("the user %s cannot write to %s", c.owner, dir))
			_ = os.RemoveAll(dir)
			continue
		}
		return dir, nil
	}
	return "", fmt.Errorf("no temporary folder for the cluster: %s", strings.Join(tried, "; "))
}

// systemUser returns the ids of the system user name, creating it when
// missing (as root; the cluster of a root run belongs to it).
func systemUser(name string) (uid, gid int, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		logf("creating the system user %s (initdb refuses to run as root)", name)
		out, uerr := exec.Command("useradd", "--system", "--user-group", "--home-dir", "/var/lib/postgresql",
			"--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput()
		if uerr != nil {
			return 0, 0, fmt.Errorf("running as root, the throwaway PostgreSQL must belong to the system user %s, "+
				"which does not exist and could not be created (useradd: %v: %s); create it: "+
				"useradd --system --user-group --no-create-home %s", name, uerr, strings.TrimSpace(string(out)), name)
		}
		if u, err = user.Lookup(name); err != nil {
			return 0, 0, err
		}
	}
	uid, err = strconv.Atoi(u.Uid)
	if err != nil {
		return 0, 0, err
	}
	gid, err = strconv.Atoi(u.Gid)
	return uid, gid, err
}

// command runs a PostgreSQL binary as the cluster's owner, from inside the
// cluster's folder (the owner may not be able to read the caller's).
func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.owner != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.owner, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
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
func (c *pgCluster) start() error {
	// pg_ctl's output goes to a file, never a pipe: the server it forks
	// could otherwise keep the pipe open and hang the wait for it.
	out, err := os.CreateTemp(c.dir, "pg_ctl.*.out")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(out.Name()) }()
	defer func() { _ = out.Close() }()
	cmd := c.command("pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "postgres.log"),
		"-o", "-p "+strconv.Itoa(c.port), "-w", "-t", strconv.Itoa(int(startTimeout.Seconds())), "start")
	cmd.Stdout, cmd.Stderr = out, out
	// Counted as running from here on, so that close stops a server that
	// came up after pg_ctl gave up waiting for it.
	c.mu.Lock()
	c.running = true
	c.mu.Unlock()
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("pg_ctl start: %v: %s", err, strings.TrimSpace(string(b)))
	}
	deadline := time.Now().Add(startTimeout)
	for {
		err := c.command("pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "-d", "postgres", "-t", "2").Run()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer on 127.0.0.1:%d after %s: %v", c.port, startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the connection URL of the cluster's postgres database.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// stop stops the server at once, as a crash would (pg_ctl stop -m
// immediate).
func (c *pgCluster) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil
	}
	out, err := c.command("pg_ctl", "-D", c.data, "stop", "-m", "immediate", "-w", "-t", "30").CombinedOutput()
	if err != nil {
		c.killPostmaster()
		if _, serr := os.Stat(filepath.Join(c.data, "postmaster.pid")); serr == nil {
			return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
		}
	}
	c.running = false
	return nil
}

// killPostmaster is the last resort when pg_ctl cannot stop the server.
func (c *pgCluster) killPostmaster() {
	pid, err := c.postmasterPID()
	if err != nil {
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
	_ = os.Remove(filepath.Join(c.data, "postmaster.pid"))
}

func (c *pgCluster) postmasterPID() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("the cluster is not running: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("postmaster.pid holds no process id: %q", first)
	}
	return pid, nil
}

// freeze stops every process of the cluster with SIGSTOP; thaw resumes
// them.
func (c *pgCluster) freeze() error {
	if err := c.signalAll(syscall.SIGSTOP); err != nil {
		return err
	}
	c.mu.Lock()
	c.frozen = true
	c.mu.Unlock()
	return nil
}

func (c *pgCluster) thaw() error {
	c.mu.Lock()
	frozen := c.frozen
	c.mu.Unlock()
	if !frozen {
		return nil
	}
	if err := c.signalAll(syscall.SIGCONT); err != nil {
		return err
	}
	c.mu.Lock()
	c.frozen = false
	c.mu.Unlock()
	return nil
}

// signalAll sends sig to the postmaster and its children, the postmaster
// first so that it forks no new ones meanwhile. Linux only (/proc).
func (c *pgCluster) signalAll(sig syscall.Signal) error {
	postmaster, err := c.postmasterPID()
	if err != nil {
		return err
	}
	pids := []int{postmaster}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("listing processes: %w", err)
	}
	parent := strconv.Itoa(postmaster)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		if f := strings.Fields(string(stat[i+1:])); len(f) > 1 && f[1] == parent {
			pids = append(pids, pid)
		}
	}
	var errs []error
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill -%d %d: %w", sig, pid, err))
		}
	}
	return errors.Join(errs...)
}

// close thaws and stops the server and removes its folder.
func (c *pgCluster) close() error {
	err := c.thaw()
	if serr := c.stop(); serr != nil {
		err = errors.Join(err, serr)
	}
	if c.dir != "" {
		if rerr := os.RemoveAll(c.dir); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return err
}

// logTail is the end of the server's log, for failure messages.
func (c *pgCluster) logTail() string { return tail(filepath.Join(c.dir, "postgres.log"), 30) }

// postgresBinDir finds the newest PostgreSQL server binaries, installing
// the Debian package postgresql when there are none.
func postgresBinDir() (string, error) {
	dir, err := findPostgresBinDir()
	if err == nil {
		return dir, nil
	}
	if ierr := installPackages("postgresql"); ierr != nil {
		return "", fmt.Errorf("%v; %v", err, ierr)
	}
	return findPostgresBinDir()
}

func findPostgresBinDir() (string, error) {
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
			return "", errors.New("no PostgreSQL server binaries: no initdb and pg_ctl under /usr/lib/postgresql/*/bin, nor initdb on PATH " +
				"(the Debian package postgresql)")
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

// appendFile appends text to the file at path.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
