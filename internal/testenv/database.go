package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"mooc/internal/database"
	"mooc/migrations"
)

// Dialects lists both database backends; tests that must hold on both run
// once per entry.
var Dialects = []database.Dialect{database.Postgres, database.SQLite}

// ForEachDialect runs fn as a subtest per database backend.
func ForEachDialect(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, DB(t, d)) })
	}
}

// DB returns a fresh, migrated database of the given dialect, dropped or
// removed when the test ends.
func DB(t testing.TB, d database.Dialect) *database.DB {
	t.Helper()
	if d == database.SQLite {
		return SQLite(t)
	}
	return Postgres(t)
}

// SQLite returns a migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *database.DB {
	t.Helper()
	db, err := database.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "mooc.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := migrations.Up(context.Background(), db, quiet()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// PostgresAdminURL is the server tests create their databases on:
// MOOC_TEST_DATABASE_URL, else a throwaway cluster that Main starts for the
// test binary.
func PostgresAdminURL(t testing.TB) string {
	t.Helper()
	u, err := sharedDatabaseURL()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return u
}

var templateOnce struct {
	sync.Mutex
	name string
}

// Postgres returns a fresh database cloned from a migrated template, so each
// test starts empty without paying for the migrations again.
func Postgres(t testing.TB) *database.DB {
	t.Helper()
	admin := openAdmin(t)
	tmpl := ensureTemplate(t, admin)
	name := "mooc_t_" + dbSuffix()
	templateOnce.Lock() // PostgreSQL refuses two clones of one template at the same instant
	err := admin.Conn(context.Background()).Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)).Error
	templateOnce.Unlock()
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Conn(context.Background()).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
	})
	db, err := database.OpenPostgres(context.Background(), withDatabase(t, PostgresAdminURL(t), name))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL returns the URL of a fresh, migrated database (for tests that
// start the whole service from its configuration).
func PostgresURL(t testing.TB) string {
	t.Helper()
	db := Postgres(t)
	var name string
	if err := db.Conn(context.Background()).Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	return withDatabase(t, PostgresAdminURL(t), name)
}

func openAdmin(t testing.TB) *database.DB {
	t.Helper()
	admin, err := database.OpenPostgres(context.Background(), PostgresAdminURL(t))
	if err != nil {
		t.Fatalf("testenv: PostgreSQL at %s does not answer: %v; %s", redactURL(PostgresAdminURL(t)), err, needDatabase)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return admin
}

// ensureTemplate creates, once per schema, a migrated template database.
// Its name carries the migrations' checksum, so runs share it until a
// migration changes; an advisory lock keeps parallel test binaries from
// building it twice.
func ensureTemplate(t testing.TB, admin *database.DB) string {
	t.Helper()
	templateOnce.Lock()
	defer templateOnce.Unlock()
	if templateOnce.name != "" {
		return templateOnce.name
	}
	name := "mooc_tmpl_" + migrations.Checksum()
	ctx := context.Background()
	conn, err := admin.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock(4242)") }() // the lock also ends with the connection
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		build := name + "_build"
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)")
		if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+build); err != nil {
			t.Fatalf("create template: %v", err)
		}
		db, err := database.OpenPostgres(ctx, withDatabase(t, PostgresAdminURL(t), build))
		if err != nil {
			t.Fatal(err)
		}
		_, err = migrations.Up(ctx, db, quiet())
		_ = db.Close()
		if err != nil {
			t.Fatalf("migrate template: %v", err)
		}
		// Renamed only once complete, so an interrupted build is never cloned.
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+build+" RENAME TO "+name); err != nil {
			t.Fatalf("finish template: %v", err)
		}
	}
	templateOnce.name = name
	return name
}

func withDatabase(t testing.TB, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("MOOC_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func dbSuffix() string {
	n := 8
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Empty returns a database of the given dialect with no schema at all:
// on PostgreSQL a new database built from template0 (not the migrated
// template DB clones), on SQLite a new file. For tests of the migrations
// themselves; it is dropped or removed when the test ends.
func Empty(t testing.TB, d database.Dialect) *database.DB {
	t.Helper()
	if d == database.SQLite {
		db, err := database.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "empty.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	admin := openAdmin(t)
	name := "mooc_e_" + dbSuffix()
	if err := admin.Conn(context.Background()).Exec("CREATE DATABASE " + name + " TEMPLATE template0").Error; err != nil {
		t.Fatalf("create empty test database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Conn(context.Background()).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
	})
	db, err := database.OpenPostgres(context.Background(), withDatabase(t, PostgresAdminURL(t), name))
	if err != nil {
		t.Fatalf("open empty test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
