// Package testenv hands tests the real servers they run against: a fresh,
// migrated database (PostgreSQL or the embedded SQLite) and a fresh bucket on
// MinIO or a temporary folder for the disk store.
//
// The servers come from the environment that `make test` prepares
// (MOOC_TEST_DATABASE_URL, MOOC_TEST_S3_*). A missing server is a test
// failure with a message saying what to set, never a skip.
package testenv
