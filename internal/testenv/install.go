package testenv

// What the test environment installs: Debian packages (apt-get, through
// sudo when not root) and Go tools built once with `go install` into the
// user's cache folder. Both hold a file lock, so that test binaries and
// worktrees running at the same time neither fight over dpkg's lock nor
// build the same tool twice.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// The MinIO server the suite is tested against (a Go module version).
const (
	minioModule  = "github.com/minio/minio"
	minioVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"
)

// golangci-lint, run by `make test` (scripts/lint.sh).
const (
	golangciLintModule  = "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	golangciLintVersion = "v2.15.0"
)

// MinIOVersion is the version of the throwaway MinIO server.
func MinIOVersion() string { return minioVersion }

// logf writes a progress line to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "testenv: "+format+"\n", args...)
}

// cacheDir is the folder of the tools built for the tests,
// ${XDG_CACHE_HOME:-$HOME/.cache}/mooc.
func cacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("the user cache folder, where the test tools are built once, is unknown: %v; set HOME or XDG_CACHE_HOME", err)
	}
	return filepath.Join(dir, "mooc"), nil
}

// withLock runs fn holding an exclusive lock on the file name in the cache
// folder.
func withLock(name string, fn func() error) error {
	dir, err := cacheDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // closing releases the lock
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return fn()
}

// MinIOBinary returns the pinned MinIO server, building it first if the
// cache lacks it (about 2.5 minutes on an idle 2-core machine).
func MinIOBinary() (string, error) {
	// Cached per commit, the last part of the pseudo-version.
	key := minioVersion[strings.LastIndexByte(minioVersion, '-')+1:]
	return goTool(minioModule, minioVersion, "minio", key, "about 2.5 minutes")
}

// GolangciLintBinary returns the pinned golangci-lint, building it first if
// the cache lacks it.
func GolangciLintBinary() (string, error) {
	return goTool(golangciLintModule, golangciLintVersion, "golangci-lint", golangciLintVersion, "about 2 minutes")
}

// goTool returns <cache>/<name>/<key>/<name>, built with `go install
// module@version` unless it is there.
func goTool(module, version, name, key, takes string) (string, error) {
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, name, key)
	bin := filepath.Join(dir, name)
	if executable(bin) {
		return bin, nil
	}
	err = withLock(name+".lock", func() error {
		if executable(bin) { // built while this process waited for the lock
			return nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		stage, err := os.MkdirTemp(dir, ".build.")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(stage) }()
		logf("building %s@%s into %s; the first build takes %s on an idle 2-core machine, later runs reuse it",
			module, version, dir, takes)
		// Built outside the repository so that its go.mod plays no part.
		cmd := exec.Command("go", "install", module+"@"+version)
		cmd.Dir = stage
		cmd.Env = append(os.Environ(), "GOBIN="+stage, "GOFLAGS=-mod=mod", "GOWORK=off")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s@%s failed (see the go output above): %w", module, version, err)
		}
		return os.Rename(filepath.Join(stage, name), bin)
	})
	if err != nil {
		return "", err
	}
	return bin, nil
}

// installPackages installs the Debian packages given (apt-get update once
// per process, then apt-get install), through sudo when not root.
func installPackages(pkgs ...string) error {
	if len(pkgs) == 0 {
		return nil
	}
	var sudo []string
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			return fmt.Errorf("missing Debian packages: %s. Install them as root: "+
				"apt-get update && apt-get install -y --no-install-recommends %[1]s", strings.Join(pkgs, " "))
		}
		sudo = []string{"sudo"}
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("missing: %s (Debian package names), and apt-get is not available; install their equivalents by hand",
			strings.Join(pkgs, " "))
	}
	return withLock("apt.lock", func() error {
		logf("installing Debian packages: %s", strings.Join(pkgs, " "))
		run := func(args ...string) error {
			args = append(append(sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"), args...)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			return cmd.Run()
		}
		if !aptUpdated {
			if err := run("update", "-q"); err != nil {
				return fmt.Errorf("apt-get update failed: %w", err)
			}
			aptUpdated = true
		}
		if err := run(append([]string{"install", "-y", "-q", "--no-install-recommends"}, pkgs...)...); err != nil {
			return fmt.Errorf("apt-get install %s failed: %w", strings.Join(pkgs, " "), err)
		}
		return nil
	})
}

// InstallCommands installs the Debian packages named, each unless a
// command of its name is on PATH.
func InstallCommands(names ...string) error {
	var missing []string
	for _, name := range names {
		if name = strings.TrimSpace(name); name != "" && !onPath(name) {
			missing = append(missing, name)
		}
	}
	return installPackages(missing...)
}

var aptUpdated bool // guarded by the apt lock

// missingPackages lists the Debian packages the suite needs and lacks:
// the PostgreSQL server when no database is given (its client otherwise,
// for make bench's psql), pdftotext, curl, Node.js and npm (the OpenAPI
// lint and axe-core), Chromium (the web pages' tests, internal/browsertest),
// CA certificates and a C compiler for -race.
func missingPackages(haveDatabase bool) []string {
	var pkgs []string
	if haveDatabase {
		if _, err := findPostgresBinDir(); err != nil && !onPath("psql") {
			pkgs = append(pkgs, "postgresql-client")
		}
	} else if _, err := findPostgresBinDir(); err != nil {
		pkgs = append(pkgs, "postgresql")
	}
	if !onPath("pdftotext") {
		pkgs = append(pkgs, "poppler-utils")
	}
	if !onPath("curl") {
		pkgs = append(pkgs, "curl")
	}
	// Node.js and npm run Redocly CLI on the served OpenAPI document
	// (scripts/openapi-lint.sh).
	if !onPath("node") {
		pkgs = append(pkgs, "nodejs")
	}
	if !onPath("npm") {
		pkgs = append(pkgs, "npm")
	}
	if _, err := findChromium(); err != nil {
		pkgs = append(pkgs, "chromium")
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err != nil {
		pkgs = append(pkgs, "ca-certificates")
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	if !onPath(cc) {
		pkgs = append(pkgs, "gcc", "libc6-dev")
	}
	return pkgs
}

func onPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// PGTool finds a PostgreSQL client program (psql, pgbench): in the newest
// server binaries, else on PATH. With install, the Debian package
// postgresql, which ships both, is installed when it is missing.
func PGTool(name string, install bool) (string, error) {
	find := func() (string, error) {
		if dir, err := findPostgresBinDir(); err == nil && executable(filepath.Join(dir, name)) {
			return filepath.Join(dir, name), nil
		}
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
		return "", errors.New(name + " is missing (the Debian package postgresql ships it)")
	}
	path, err := find()
	if err == nil || !install {
		return path, err
	}
	if ierr := installPackages("postgresql"); ierr != nil {
		return "", fmt.Errorf("%v; %v", err, ierr)
	}
	return find()
}
