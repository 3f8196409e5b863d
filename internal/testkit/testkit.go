package testkit

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"

	"mooc/accounts"
)

// Hashing keeps the many registrations of the suite fast. Production uses
// accounts.OWASPParams, which a test in accounts checks; a hash carries
// its parameters, so a server with the default settings still verifies
// passwords hashed with these.
var Hashing = argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password is the password of everyone Person describes.
const Password = "correct horse battery"

// Person returns a valid registration for email.
func Person(email string) accounts.Registration {
	return accounts.Registration{
		Email: email, Password: Password, GivenName: "Līga", FamilyName: "Ozoliņa", Municipality: "Ogres novads",
		Workplace: "Ogres novada sociālais dienests", Position: "sociālā darbiniece",
	}
}

// SignUp registers n people through the service (quicker than HTTP, for
// tests whose subject is something else), gives each the roles, and logs
// them in. person(i) describes the i-th; nil means Person with a numbered
// e-mail. A few are signed up at a time; ids and tokens come back in
// order. Failures are reported from the calling goroutine.
func SignUp(tb testing.TB, users *accounts.Service, n int, person func(i int) accounts.Registration, roles ...string) (ids, tokens []string) {
	tb.Helper()
	if person == nil {
		person = func(i int) accounts.Registration { return Person(fmt.Sprintf("persona.%d@example.lv", i)) }
	}
	const addr = "198.51.100.7"
	ids, tokens = make([]string, n), make([]string, n)
	errs := make([]error, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(n, 4) {
		wg.Go(func() {
			ctx := context.Background()
			for i := range work {
				r := person(i)
				u, err := users.Register(ctx, r, addr)
				if err == nil && len(roles) > 0 {
					_, err = users.SetRoles(ctx, u.ID, roles)
				}
				var sess accounts.Session
				if err == nil {
					sess, err = users.Login(ctx, r.Email, r.Password, addr)
				}
				if err != nil {
					errs[i] = fmt.Errorf("sign up %s: %w", r.Email, err)
					continue
				}
				ids[i], tokens[i] = u.ID, sess.AccessToken
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return ids, tokens
}

// PDFText is the text of a PDF as pdftotext (poppler-utils) reads it,
// with every run of white space made one space, so that wrapped lines read
// as the sentence they were.
func PDFText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Fatal("pdftotext is required to read the rendered PDFs (Debian package poppler-utils; `make test` installs it)")
	}
	cmd := exec.Command(path, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v\n%s", err, stderr.Bytes())
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
