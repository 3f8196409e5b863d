package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"mooc/accounts"
	"mooc/internal/testenv"
)

// By default the service stores argon2id hashes with OWASP's parameters.
func TestStoredHashUsesOWASPParameters(t *testing.T) {
	db := testenv.SQLite(t)
	svc, err := accounts.New(db, accounts.Options{TokenSecret: []byte(strings.Repeat("s", 32))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := svc.Register(ctx, accounts.Registration{
		Email: "ilze@example.lv", Password: "correct horse battery", GivenName: "Ilze", FamilyName: "Kalniņa", Municipality: "Cēsu novads",
	}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := db.Conn(ctx).Raw("SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("stored hash %q", hash)
	}
	p, _, _, err := argon2id.DecodeHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != 19*1024 || p.Iterations != 2 || p.Parallelism != 1 {
		t.Fatalf("params %+v, want m=19456 t=2 p=1", p)
	}
	if _, err := svc.Login(ctx, "ilze@example.lv", "correct horse battery", "127.0.0.1"); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if _, err := svc.Login(ctx, "ilze@example.lv", "wrong password", "127.0.0.1"); !errors.Is(err, accounts.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	// The dummy hash compared for unknown e-mails never lets anyone in.
	if _, err := svc.Login(ctx, "nobody@example.lv", "not a real password", "127.0.0.1"); !errors.Is(err, accounts.ErrInvalidCredentials) {
		t.Fatalf("unknown account: %v", err)
	}
}
