package database_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// A data folder whose name holds URI characters still gets its own file.
func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kursi #1?v=2 100%")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if err := db.Conn(context.Background()).Exec("CREATE TABLE probe (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mooc.db")); err != nil {
		t.Fatalf("the database is not in the data folder: %v", err)
	}
}

func TestPoolSize(t *testing.T) {
	db := testenv.Postgres(t)
	if got := db.SQL().Stats().MaxOpenConnections; got != database.DefaultPoolSize {
		t.Fatalf("a new handle opens up to %d connections, want %d", got, database.DefaultPoolSize)
	}
	db.SetPoolSize(3)
	if got := db.SQL().Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("after SetPoolSize(3): %d", got)
	}
}
