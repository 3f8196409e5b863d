package database

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect behind a DB.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is the service's database handle.
type DB struct {
	gorm       *gorm.DB
	dialect    Dialect
	statements atomic.Int64
}

// Open connects to PostgreSQL when url is set, otherwise to (and creates)
// the embedded SQLite file mooc.db under dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if url != "" {
		return OpenPostgres(ctx, url)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("database: data dir: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(dataDir, "mooc.db"))
}

// OpenPostgres connects to a PostgreSQL database.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	// Without a connect timeout a server that stopped answering holds a
	// new connection forever; a request should get its 503 instead.
	if !strings.Contains(url, "connect_timeout") {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + "connect_timeout=3"
	}
	g, err := gorm.Open(postgres.Open(url), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", Translate(err))
	}
	sqlDB, _ := g.DB()
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	db, err := finish(ctx, g, Postgres)
	if err == nil {
		db.SetPoolSize(DefaultPoolSize)
	}
	return db, err
}

// OpenSQLite opens (creating when missing) an SQLite file.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	// WAL lets readers run beside the writer; IMMEDIATE transactions take the
	// write lock up front, so two writers queue on busy_timeout instead of
	// one failing with SQLITE_BUSY when it upgrades a read lock.
	// The path goes into a URI, where '#' and '?' would cut it short.
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	dsn := "file:" + escaped + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(20000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	g, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite: %w", err)
	}
	sqlDB, _ := g.DB()
	sqlDB.SetMaxOpenConns(8)
	return finish(ctx, g, SQLite)
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
}

func finish(ctx context.Context, g *gorm.DB, d Dialect) (*DB, error) {
	db := &DB{gorm: g, dialect: d}
	count := func(*gorm.DB) { db.statements.Add(1) }
	cb := g.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("mooc:count", count),
		cb.Row().After("gorm:row").Register("mooc:count", count),
		cb.Raw().After("gorm:raw").Register("mooc:count", count),
		cb.Create().After("gorm:create").Register("mooc:count", count),
		cb.Update().After("gorm:update").Register("mooc:count", count),
		cb.Delete().After("gorm:delete").Register("mooc:count", count),
	} {
		if err != nil {
			return nil, err
		}
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// DefaultPoolSize is the most connections a PostgreSQL handle opens. A
// server with few cores does the most work with few busy connections: on 2
// cores, a burst of enrolments ran 1.6 times as fast over 8 connections as
// over 40, which spent the cores on contention (BENCHMARKS.md). A few
// replicas stay well under PostgreSQL's default max_connections of 100.
const DefaultPoolSize = 8

// SetPoolSize sets the most connections a PostgreSQL handle opens, all of
// them kept open when idle (SQLite keeps its own setting).
func (db *DB) SetPoolSize(n int) {
	if db.dialect != Postgres || n < 1 {
		return
	}
	db.SQL().SetMaxOpenConns(n)
	db.SQL().SetMaxIdleConns(n)
}

// Statements is how many statements have gone through this handle; tests
// use it to pin the number of queries an operation needs.
func (db *DB) Statements() int64 { return db.statements.Load() }

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying database/sql handle (for migrations).
func (db *DB) SQL() *sql.DB {
	s, _ := db.gorm.DB()
	return s
}

// Ping checks the database answers within ctx.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.SQL().PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Close releases every connection.
func (db *DB) Close() error { return db.SQL().Close() }
