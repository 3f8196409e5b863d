package migrations_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/migrations"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Both dialects migrate a database with no schema at all (not a clone of
// the migrated template the other tests use) to the latest version, and
// again is a no-op.
func TestUpFromEmptyOnBothDialects(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testenv.Empty(t, d)
			tables, err := db.Conn(ctx).Migrator().GetTables()
			if err != nil {
				t.Fatal(err)
			}
			if len(tables) != 0 {
				t.Fatalf("the database is not empty: %v", tables)
			}
			if migrations.Latest() < 7 {
				t.Fatalf("latest version %d, but seven migrations are embedded", migrations.Latest())
			}
			for run := 1; run <= 2; run++ {
				v, err := migrations.Up(ctx, db, quiet())
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				var recorded int64
				if err := db.Conn(ctx).Raw("SELECT MAX(version_id) FROM goose_db_version WHERE is_applied = ?", true).Scan(&recorded).Error; err != nil {
					t.Fatal(err)
				}
				var applied int
				if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0").Scan(&applied).Error; err != nil {
					t.Fatal(err)
				}
				// Versions may skip numbers; every embedded file is applied once.
				if v != migrations.Latest() || recorded != v || applied != migrations.Count() {
					t.Fatalf("run %d: Up says version %d, the database records %d in %d rows, latest is %d of %d files", run, v, recorded, applied, migrations.Latest(), migrations.Count())
				}
			}
			for _, table := range []string{"users", "user_roles", "throttle_counters", "courses", "cohorts", "enrolments",
				"attempts", "certificates", "certificate_jobs", "programmes", "applications", "media"} {
				if !db.Conn(ctx).Migrator().HasTable(table) {
					t.Errorf("table %s missing", table)
				}
			}
		})
	}
}

func TestRefusesANewerSchema(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := db.Conn(ctx).Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", migrations.Latest()+1, true).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := migrations.Up(ctx, db, quiet()); !errors.Is(err, migrations.ErrSchemaTooNew) {
			t.Fatalf("want ErrSchemaTooNew, got %v", err)
		}
	})
}

// Replicas starting together on PostgreSQL wait for the migration lock in
// PostgreSQL itself: one held elsewhere keeps Up waiting, and Up goes on
// as soon as it is released (goose's own locker polled every 5 s), while
// three replicas migrating at once all end at the latest version.
func TestReplicasWaitForTheMigrationLock(t *testing.T) {
	ctx := context.Background()
	db := testenv.Empty(t, database.Postgres)
	holder, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Close() }()
	if _, err := holder.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrations.LockKey); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := migrations.Up(ctx, db, quiet())
			done <- err
		}()
	}
	// Wait until all three are queued on the lock in PostgreSQL.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := holder.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND ((classid::bigint << 32) | objid::bigint) = $1`, migrations.LockKey).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 replicas wait for the migration lock", waiting)
		}
		runtime.Gosched()
	}
	select {
	case err := <-done:
		t.Fatalf("Up finished while the lock was held elsewhere: %v", err)
	default:
	}
	released := time.Now()
	if _, err := holder.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrations.LockKey); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// Far below the 5 s a polling locker would take for the second and third.
	if waited := time.Since(released); waited > 4*time.Second {
		t.Errorf("the replicas took %s after the lock was released", waited)
	}
	var applied int
	if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0").Scan(&applied).Error; err != nil {
		t.Fatal(err)
	}
	if applied != migrations.Count() {
		t.Fatalf("%d migrations recorded, %d embedded", applied, migrations.Count())
	}
}
