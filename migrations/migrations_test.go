package migrations_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

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
