package testenv

// What the browser tests (internal/browsertest) need from the machine:
// Debian's Chromium, and npm packages pinned by a lockfile in the
// repository (axe-core), installed with `npm ci` when missing or stale.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ChromiumPath is where Debian's package chromium puts its command.
const ChromiumPath = "/usr/bin/chromium"

// findChromium finds chromium on PATH, else at ChromiumPath.
func findChromium() (string, error) {
	if path, err := exec.LookPath("chromium"); err == nil {
		return path, nil
	}
	if executable(ChromiumPath) {
		return ChromiumPath, nil
	}
	return "", errors.New("chromium is neither on PATH nor at " + ChromiumPath)
}

// Chromium returns Debian's Chromium, installing the package chromium
// (apt-get, through sudo when not root, under the apt lock) when it is
// missing.
func Chromium() (string, error) {
	if path, err := findChromium(); err == nil {
		return path, nil
	}
	if err := installPackages("chromium"); err != nil {
		return "", fmt.Errorf("chromium is missing and could not be installed: %v", err)
	}
	return findChromium()
}

// NpmInstalled returns dir/file, first running `npm ci` in dir when the
// packages its package-lock.json pins are not installed there, or were
// installed from another version of the lockfile. A stamp holding the
// lockfile's SHA-256, written into node_modules after a successful
// `npm ci`, tells which; a file lock in the cache folder keeps two test
// binaries from installing into the same folder at once, and none reads a
// folder another is still filling. Node.js and npm are installed (Debian
// packages nodejs and npm) when missing.
func NpmInstalled(dir, file string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("the lockfile of the npm packages: %w", err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".mooc-package-lock.sha256")
	target := filepath.Join(dir, file)
	key := sha256.Sum256([]byte(dir))
	err = withLock("npm-"+hex.EncodeToString(key[:6])+".lock", func() error {
		if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
			return nil
		}
		var missing []string
		if !onPath("node") {
			missing = append(missing, "nodejs")
		}
		if !onPath("npm") {
			missing = append(missing, "npm")
		}
		if err := installPackages(missing...); err != nil {
			return fmt.Errorf("npm is missing and could not be installed: %v. "+
				"Install Node.js and npm (Debian: apt-get install nodejs npm), or run make test, which installs them", err)
		}
		logf("npm ci in %s (the versions package-lock.json pins)", dir)
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("npm ci in %s failed (see the npm output above): %w", dir, err)
		}
		return os.WriteFile(stamp, []byte(want), 0o644)
	})
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(target); err != nil {
		return "", fmt.Errorf("npm ci in %s did not install %s: %w", dir, file, err)
	}
	return target, nil
}
