package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"

	"mooc/internal/database"
)

//go:embed *.sql
var files embed.FS

// dialectTypes rewrites PostgreSQL type names that SQLite's drivers would
// not recognise. DATETIME matters: the SQLite driver turns only declared
// date/time columns back into time.Time.
var dialectTypes = map[database.Dialect]*strings.Replacer{
	database.SQLite: strings.NewReplacer("TIMESTAMPTZ", "DATETIME"),
}

// ErrSchemaTooNew means the database was migrated by a newer release; this
// binary refuses to run against a schema it does not know.
var ErrSchemaTooNew = errors.New("migrations: database schema is newer than this binary")

// LockKey is the PostgreSQL advisory lock the replicas migrate under.
const LockKey int64 = 0x6d6f6f632d6d6967 // "mooc-mig"

// Up applies every pending migration and returns the resulting version.
// Concurrent callers on PostgreSQL (several replicas starting at once)
// serialise on an advisory lock, each waiting in PostgreSQL for the one
// before to finish: the next starts the moment the lock is free, instead
// of polling for it (goose's session locker asks every 5 s).
func Up(ctx context.Context, db *database.DB, log *slog.Logger) (int64, error) {
	p, err := provider(db, log)
	if err != nil {
		return 0, err
	}
	if db.Dialect() == database.Postgres {
		unlock, err := advisoryLock(ctx, db.SQL())
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: read version: %w", database.Translate(err))
	}
	if current > target {
		return current, fmt.Errorf("%w (database at %d, binary knows %d)", ErrSchemaTooNew, current, target)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", database.Translate(err))
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return target, nil
}

// Checksum identifies the embedded history; tests key their template
// databases on it so a changed migration never reuses a stale template.
func Checksum() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Count is how many migrations this binary carries (versions may skip
// numbers).
func Count() int {
	entries, _ := fs.ReadDir(files, ".")
	n := 0
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &v); err == nil {
			n++
		}
	}
	return n
}

// Latest is the newest schema version this binary carries.
func Latest() int64 {
	entries, _ := fs.ReadDir(files, ".")
	var latest int64
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &v); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

func provider(db *database.DB, log *slog.Logger) (*goose.Provider, error) {
	fsys, err := forDialect(db.Dialect())
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithSlog(log)}
	dialect := goose.DialectSQLite3
	if db.Dialect() == database.Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db.SQL(), fsys, opts...)
}

// advisoryLock waits for the migration lock on a connection of its own,
// which holds it until unlock; the lock is also released if the process
// dies, with its session.
func advisoryLock(ctx context.Context, db *sql.DB) (unlock func(), err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", database.Translate(err))
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", LockKey); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("migrations: lock: %w", database.Translate(err))
	}
	return func() {
		// A fresh context: the caller's may be cancelled, and the lock must
		// go back before the connection returns to the pool.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", LockKey)
		_ = conn.Close()
	}, nil
}

// forDialect returns the embedded files as the given dialect should read them.
func forDialect(d database.Dialect) (fs.FS, error) {
	r, ok := dialectTypes[d]
	if !ok {
		return files, nil
	}
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(r.Replace(string(b))), Mode: 0o444}
	}
	return out, nil
}
