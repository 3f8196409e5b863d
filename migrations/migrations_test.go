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

// Both dialects migrate from empty to the latest version, and again is a no-op.
func TestUpFromEmptyOnBothDialects(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		v, err := migrations.Up(ctx, db, quiet())
		if err != nil {
			t.Fatal(err)
		}
		if v != migrations.Latest() || v < 1 {
			t.Fatalf("version %d, latest %d", v, migrations.Latest())
		}
		for _, table := range []string{"users", "user_roles", "throttle_counters"} {
			if !db.Conn(ctx).Migrator().HasTable(table) {
				t.Errorf("table %s missing", table)
			}
		}
	})
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
