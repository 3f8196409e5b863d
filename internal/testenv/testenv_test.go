package testenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mooc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The shared servers answer: given, or started by Main for this binary.
func TestSharedServers(t *testing.T) {
	db := testenv.Postgres(t)
	var one int
	if err := db.Conn(context.Background()).Raw("SELECT 1").Scan(&one).Error; err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	cfg := testenv.MinIO(t)
	if err := testenv.CheckMinIO(context.Background(), cfg.Endpoint, cfg.AccessKey, cfg.SecretKey, cfg.Secure); err != nil {
		t.Fatal(err)
	}
	testenv.S3Store(t)
}

// A private cluster survives a crash and a freeze.
func TestOwnPostgresStopStartFreeze(t *testing.T) {
	pg := testenv.OwnPostgres(t)
	ping := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, pg.URL())
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close(context.Background()) }()
		return conn.Ping(ctx)
	}
	if err := ping(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	pg.Stop()
	if err := ping(2 * time.Second); err == nil {
		t.Fatal("a stopped cluster answers")
	}
	pg.Start()
	if err := ping(10 * time.Second); err != nil {
		t.Fatalf("after Start: %v", err)
	}
	pg.Freeze()
	if err := ping(500 * time.Millisecond); err == nil {
		t.Fatal("a frozen cluster answers")
	}
	pg.Thaw()
	if err := ping(10 * time.Second); err != nil {
		t.Fatalf("after Thaw: %v", err)
	}
}

// Given servers that do not answer are errors that say what to set.
func TestChecksSayWhatToSet(t *testing.T) {
	ctx := context.Background()
	err := testenv.CheckDatabase(ctx, "postgres://u:hunter2@127.0.0.1:1/db?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "MOOC_TEST_DATABASE_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("CheckDatabase = %v, want an error naming MOOC_TEST_DATABASE_URL without the password", err)
	}
	if err := testenv.CheckMinIO(ctx, "http://127.0.0.1:9000", "a", "b", false); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Fatalf("CheckMinIO with a scheme = %v", err)
	}
	if err := testenv.CheckMinIO(ctx, "127.0.0.1:1", "", "", false); err == nil || !strings.Contains(err.Error(), "MOOC_TEST_S3_ACCESS_KEY") {
		t.Fatalf("CheckMinIO without keys = %v", err)
	}
}
