package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestBurstReleasesEveryRequestTogether(t *testing.T) {
	const n = 300
	var inFlight, most atomic.Int64
	// Each request is held until a quarter of the burst is in flight at
	// once, which a burst released together reaches at once and one sent
	// a few at a time never does (then the requests time out).
	together, once := make(chan struct{}), sync.Once{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		if now >= n/4 {
			once.Do(func() { close(together) })
		}
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer x" || string(body) != `{"a":1}` {
			w.WriteHeader(400)
			return
		}
		select {
		case <-together:
		case <-time.After(30 * time.Second):
		}
		w.WriteHeader(201)
		_, _ = io.WriteString(w, r.URL.Path)
	}))
	defer srv.Close()
	reqs := make([]BurstRequest, n)
	for i := range reqs {
		reqs[i] = BurstRequest{Method: "POST", Path: "/x/" + string(rune('a'+i%26)), Header: map[string]string{"Authorization": "Bearer x"}, Body: []byte(`{"a":1}`)}
	}
	res, err := Burst(context.Background(), strings.TrimPrefix(srv.URL, "http://"), reqs, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	created := func(s int) bool { return s == 201 }
	if failed, first := res.Failed(created); failed != 0 {
		t.Fatalf("%d failed: %v", failed, first)
	}
	if got := len(res.Latencies(created)); got != n {
		t.Fatalf("%d latencies", got)
	}
	if string(res.Replies[1].Body) != "/x/b" {
		t.Fatalf("reply %q", res.Replies[1].Body)
	}
	if most.Load() < n/4 {
		t.Fatalf("at most %d requests were in flight at once, want nearly %d", most.Load(), n)
	}
	if res.Elapsed <= 0 || res.PerSecond() <= 0 {
		t.Fatalf("elapsed %v", res.Elapsed)
	}
}

func TestBurstRefusesAnythingButLoopback(t *testing.T) {
	if _, err := Burst(context.Background(), "10.0.0.1:80", []BurstRequest{{Method: "GET", Path: "/"}}, time.Second); err == nil {
		t.Fatal("a remote address passed")
	}
}

func TestBurstCountsFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	res, err := Burst(context.Background(), strings.TrimPrefix(srv.URL, "http://"), []BurstRequest{{Method: "GET", Path: "/"}, {Method: "GET", Path: "/"}}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n, first := res.Failed(func(s int) bool { return s == 200 }); n != 2 || first == nil || !strings.Contains(first.Error(), "503") {
		t.Fatalf("%d failed, %v", n, first)
	}
}

func TestMintTokenIsWhatTheServerChecks(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	raw, err := MintToken(secret, "3f1c2a1e-0000-4000-8000-000000000001", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var claims learnerClaims
	_, err = jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("mooc"), jwt.WithExpirationRequired())
	if err != nil || claims.Subject != "3f1c2a1e-0000-4000-8000-000000000001" || len(claims.Roles) != 1 || claims.Roles[0] != "learner" {
		t.Fatalf("%v, %+v", err, claims)
	}
	if _, err := MintToken(nil, "x", now, time.Hour); err == nil {
		t.Fatal("a token without a secret")
	}
}

func TestParsePgbench(t *testing.T) {
	out := `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: enrol.sql
scaling factor: 1
query mode: prepared
number of clients: 40
number of threads: 2
maximum number of tries: 1
number of transactions per client: 50
number of transactions actually processed: 2000/2000
number of failed transactions: 0 (0.000%)
latency average = 21.342 ms
initial connection time = 96.736 ms
tps = 1874.241930 (without initial connection time)
statement latencies in milliseconds and failures:
         0.002           0  \\set k :k + 1
         0.537           0  SELECT user_id AS uid FROM user_roles WHERE user_id IN (:prefix) ORDER BY role \\gset
        12.250           0  COMMIT;
`
	p, err := ParsePgbench(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Processed != 2000 || p.Wanted != 2000 || p.Failed != 0 || p.LatencyMs != 21.342 || p.TPS != 1874.24193 {
		t.Fatalf("%+v", p)
	}
	if len(p.Statements) != 3 || p.Statements[2].Ms != 12.25 || p.Statements[2].Command != "COMMIT;" || !strings.HasPrefix(p.Statements[1].Command, "SELECT user_id") {
		t.Fatalf("statements %+v", p.Statements)
	}
	if _, err := ParsePgbench("pgbench: error: connection refused"); err == nil {
		t.Fatal("no summary passed")
	}
}
