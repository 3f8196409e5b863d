package migrations

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

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

// Up applies every pending migration and returns the resulting version.
// Concurrent callers on PostgreSQL (several replicas starting at once)
// serialise on an advisory lock.
func Up(ctx context.Context, db *database.DB, log *slog.Logger) (int64, error) {
	p, err := provider(db, log)
	if err != nil {
		return 0, err
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
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.SQL(), fsys, opts...)
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
