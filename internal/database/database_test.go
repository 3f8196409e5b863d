package database_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mooc/internal/database"
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
	defer db.Close()
	if err := db.Conn(context.Background()).Exec("CREATE TABLE probe (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mooc.db")); err != nil {
		t.Fatalf("the database is not in the data folder: %v", err)
	}
}
