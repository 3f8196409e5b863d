package accounts

import (
	"context"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"mooc/internal/testenv"
)

// By default the service stores argon2id hashes with OWASP's parameters.
func TestStoredHashUsesOWASPParameters(t *testing.T) {
	db := testenv.SQLite(t)
	svc, err := New(db, Options{TokenSecret: []byte(strings.Repeat("s", 32))})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.Register(context.Background(), Registration{
		Email: "ilze@example.lv", Password: "correct horse battery", GivenName: "Ilze", FamilyName: "Kalniņa", Municipality: "Cēsu novads",
	}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	row, err := svc.store.byID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(row.PasswordHash, "$argon2id$") || strings.Contains(row.PasswordHash, "correct horse") {
		t.Fatalf("stored hash %q", row.PasswordHash)
	}
	p, _, _, err := argon2id.DecodeHash(row.PasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != 19*1024 || p.Iterations != 2 || p.Parallelism != 1 {
		t.Fatalf("params %+v, want m=19456 t=2 p=1", p)
	}
	if !svc.hasher.verify("correct horse battery", row.PasswordHash) || svc.hasher.verify("wrong", row.PasswordHash) {
		t.Fatal("verify is wrong")
	}
	if svc.hasher.verify("not a real password", "") {
		t.Fatal("the dummy hash of a missing account verified")
	}
}
