package api_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// fromAddr makes a request come from the client address addr (the test
// servers trust X-Forwarded-For).
func fromAddr(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }

// throttleRows counts the rows of the throttle's table.
func throttleRows(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Conn(context.Background()).Raw(`SELECT COUNT(*) FROM throttle_counters`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// loginStatuses sends n logins at once and counts the replies by status;
// email gives the i-th attempt's e-mail.
func loginStatuses(t *testing.T, s *server, n int, addr string, email func(i int) string, password string) map[int]int {
	t.Helper()
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.try(request{method: "POST", path: "/api/v1/auth/login", header: fromAddr(addr),
				body: map[string]string{"email": email(i), "password": password}})
			if err != nil {
				t.Error(err)
			}
			statuses <- r.status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	return count
}

// A stranger failing on someone's e-mail stops only himself: five failures
// from one address make that address's sixth attempt 429, even with the
// right password, while the owner signs in from another address, on
// another replica of the same database.
func TestLoginThrottle(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		// Two replicas on one database: what one counts, the other sees.
		clock := newClock(midWindow())
		a := newServer(t, db.Dialect(), options{db: db, clock: clock})
		b := newServer(t, db.Dialect(), options{db: db, clock: clock})
		u, _ := a.signUp()
		wrong := map[string]string{"email": u.Email, "password": "not the password"}
		right := map[string]string{"email": u.Email, "password": "correct horse battery"}
		const stranger, owner = "203.0.113.66", "198.51.100.23"

		for i := range 5 {
			srv := a
			if i%2 == 1 {
				srv = b
			}
			srv.do(request{method: "POST", path: "/api/v1/auth/login", body: wrong, header: fromAddr(stranger)}).problem(t, 401, "invalid_credentials")
		}
		r := b.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(stranger)})
		r.problem(t, 429, "rate_limited")
		if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 || secs > 15*60 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
		b.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(owner)}).expect(t, 200)
		// The owner's success is no pardon for the stranger's address.
		a.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(stranger)}).problem(t, 429, "rate_limited")
		// Another account from the stranger's address is not affected.
		other, _ := a.signUp()
		a.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": other.Email, "password": "correct horse battery"}, header: fromAddr(stranger)}).expect(t, 200)
	})
}

// One address failing against ever new e-mails is stopped after 50
// failures, exactly even in parallel, and once stopped it adds no rows to
// the throttle's table however many more e-mails it tries. Successful
// logins from one shared office address are never throttled.
func TestLoginThrottlePerAddress(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db, clock: newClock(midWindow())})
		u, _ := s.signUp()
		right := map[string]string{"email": u.Email, "password": "correct horse battery"}
		const office, guesser = "192.0.2.10", "192.0.2.99"
		for range 60 {
			s.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(office)}).expect(t, 200)
		}

		before := throttleRows(t, db)
		guess := func(i int) string { return fmt.Sprintf("guess%d@example.lv", i) }
		count := loginStatuses(t, s, 80, guesser, guess, "guessing away")
		if count[401] != 50 || count[429] != 30 {
			t.Fatalf("statuses %v, want 50×401 then 30×429", count)
		}
		// One row for the address and one per e-mail it was let try.
		rows := throttleRows(t, db) - before
		if rows > 51 {
			t.Fatalf("80 guesses from one address left %d rows, want at most 51", rows)
		}
		for i := range 100 {
			s.do(request{method: "POST", path: "/api/v1/auth/login", header: fromAddr(guesser),
				body: map[string]string{"email": guess(80 + i), "password": "guessing away"}}).problem(t, 429, "rate_limited")
		}
		if after := throttleRows(t, db) - before; after != rows {
			t.Fatalf("100 more guesses from a stopped address: %d rows, was %d", after, rows)
		}

		s.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(guesser)}).problem(t, 429, "rate_limited")
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: right, header: fromAddr(office)}).expect(t, 200)
	})
}

// A burst of parallel wrong guesses at one account from one address gets
// five password checks, not one per guess: each attempt is counted before
// its password is checked, in one statement.
func TestLoginThrottleBurst(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db, clock: newClock(midWindow())})
		u, _ := s.signUp()
		count := loginStatuses(t, s, 40, "203.0.113.7", func(int) string { return u.Email }, "not the password")
		if count[401] != 5 || count[429] != 35 {
			t.Fatalf("statuses %v, want 5×401 (password checked) and 35×429", count)
		}
	})
}
