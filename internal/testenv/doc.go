// Package testenv hands tests the real servers they run against: a fresh,
// migrated database (PostgreSQL or the embedded SQLite) and a fresh bucket on
// MinIO or a temporary folder for the disk store.
//
// It is also the one place that provisions those servers. The environment
// may name them (MOOC_TEST_DATABASE_URL, MOOC_TEST_S3_*); otherwise they are
// throwaway ones on free loopback ports: PostgreSQL from the system's
// binaries, MinIO built once into the user's cache folder. `make test` runs
// under the command internal/testenv/cmd/testenv, which starts them once for
// every test binary of the run (Provision); a package's TestMain calls Main,
// which starts them for that binary alone when nothing names them, so a
// plain `go test ./api` works too. A missing server is a test failure with a
// message saying what to set, never a skip.
//
// The browser tests' needs are here too (browser.go): Debian's Chromium,
// installed when missing, and the npm packages a lockfile in the
// repository pins (axe-core in tools/axe), installed by `npm ci`.
package testenv
