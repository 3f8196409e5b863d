package accounts

import (
	"github.com/alexedwards/argon2id"
)

// OWASPParams are the argon2id parameters OWASP's password storage cheat
// sheet recommends (m=19 MiB, t=2, p=1).
var OWASPParams = argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

type hasher struct {
	params argon2id.Params
	// dummy is compared against when the e-mail is unknown, so a login for a
	// missing account costs as much as one with a wrong password and timing
	// does not reveal who is registered.
	dummy string
}

func newHasher(p argon2id.Params) (*hasher, error) {
	dummy, err := argon2id.CreateHash("not a real password", &p)
	if err != nil {
		return nil, err
	}
	return &hasher{params: p, dummy: dummy}, nil
}

func (h *hasher) hash(password string) (string, error) {
	return argon2id.CreateHash(password, &h.params)
}

func (h *hasher) verify(password, hash string) bool {
	if hash == "" {
		hash = h.dummy
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok && hash != h.dummy
}
