package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mooc/accounts"
	"mooc/bench"
)

// stage is what the benchmarks of issues 4–8 share: the API as the team,
// the bench database (for fixtures written with SQL), the token secret
// (for minting learners' tokens) and the course they all use.
type stage struct {
	o      options
	api    *client
	team   string
	pool   *pgxpool.Pool
	secret []byte
	video  []byte
	course *benchCourse // built on first use
	hash   string       // argon2id hash every inserted learner shares
}

// benchCourse is the published course of the benchmarks of issues 4–8:
// five weeks of five lessons, a bank of 20 questions and a final test
// that draws all 20.
type benchCourse struct {
	ID, Title, MethodologyTitle string
	FinalTestID                 string
	Lessons                     []courseLesson
	OutlineBytes                int
}

type courseLesson struct {
	ID    string
	Week  int
	Kind  string
	Media bool
	// Seconds is a video lesson's video length: the platform completes a
	// video lesson only once its positions were reported, at no more than
	// twice real time, over 90 % of it.
	Seconds float64
}

// learner is a learner whose account was written with SQL and who acts
// through a minted token.
type learner struct {
	ID, Email, GivenName, FamilyName, Municipality string
	Token                                          string
}

func (l learner) fullName() string { return l.GivenName + " " + l.FamilyName }

// Learner groups: each benchmark's learners have ids of their own.
const (
	groupBurst   = 1
	groupSubmit  = 2
	groupReport  = 3
	groupSoak    = 4
	groupPgbench = groupBurst // pgbench enrols the burst's learners into a copy of the course
)

// learnerID is the id of learner n (from 1) of a group: a valid UUID that
// SQL can build from the two numbers too (see the pgbench script).
func learnerID(group, n int) string { return fmt.Sprintf("%s%012d", learnerIDPrefix(group), n) }

func learnerIDPrefix(group int) string { return fmt.Sprintf("%08d-0000-4000-8000-", group) }

var (
	givenNames  = []string{"Līga", "Ģirts", "Anna", "Kārlis", "Ilze", "Jānis", "Dace", "Ēriks", "Inese", "Aivars", "Zane", "Māris", "Ieva", "Uldis", "Solvita", "Ņikita"}
	familyNames = []string{"Ozoliņa", "Ķļaviņš", "Bērziņa", "Kalniņš", "Liepiņa", "Zariņš", "Krūmiņa", "Šmits", "Vītola", "Jansons", "Pētersone", "Čakste", "Žagare", "Ābele", "Grīnberga", "Ūdris"}
	// municipalities after the 2021 reform (reports maps each to a region)
	municipalities = []string{"Rīga", "Ogres novads", "Cēsu novads", "Jelgavas valstspilsēta", "Liepājas valstspilsēta",
		"Daugavpils valstspilsēta", "Rēzeknes novads", "Valmieras novads", "Tukuma novads", "Kuldīgas novads", "Bauskas novads",
		"Madonas novads", "Siguldas novads", "Jūrmalas valstspilsēta", "Talsu novads", "Ludzas novads", "Balvu novads",
		"Dobeles novads", "Jēkabpils novads", "Alūksnes novads", "Saldus novads", "Krāslavas novads", "Limbažu novads",
		"Ventspils valstspilsēta"}
)

// benchPassword is the password of every learner the tool inserts; its
// argon2id hash is computed once per run. (Nobody logs in with it: the
// tool mints tokens.)
const benchPassword = "bench: correct horse battery staple"

func newStage(ctx context.Context, o options, api *client, team string, video []byte) (*stage, error) {
	if o.databaseURL == "" || o.tokenSecret == "" {
		return nil, errors.New("MOOC_BENCH_DATABASE_URL and MOOC_BENCH_TOKEN_SECRET are required for the benchmarks of issues 4–8")
	}
	cfg, err := pgxpool.ParseConfig(o.databaseURL)
	if err != nil {
		return nil, errors.New("MOOC_BENCH_DATABASE_URL is not a PostgreSQL URL")
	}
	cfg.MaxConns = 8
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("the bench database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("the bench database: %w", err)
	}
	hash, err := argon2id.CreateHash(benchPassword, &accounts.OWASPParams)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &stage{o: o, api: api, team: team, pool: pool, secret: []byte(o.tokenSecret), video: video, hash: hash}, nil
}

func (s *stage) close() { s.pool.Close() }

// databaseHost checks that a PostgreSQL URL names a loopback host.
func databaseHost(raw string) error {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return errors.New("not a PostgreSQL URL")
	}
	if strings.HasPrefix(cfg.Host, "/") { // a Unix socket is on this machine
		return nil
	}
	return bench.CheckLoopback(cfg.Host)
}

// learners writes n learner accounts of a group with SQL (users and their
// learner role, as registration writes them, with a real argon2id hash)
// and mints each a token.
func (s *stage) learners(ctx context.Context, group, n int) ([]learner, error) {
	now := time.Now().UTC()
	out := make([]learner, n)
	users := make([][]any, n)
	roles := make([][]any, n)
	for i := range out {
		l := learner{
			ID:           learnerID(group, i+1),
			Email:        fmt.Sprintf("macibas.%d.%05d@example.lv", group, i+1),
			GivenName:    givenNames[i%len(givenNames)],
			FamilyName:   familyNames[(i/len(givenNames))%len(familyNames)],
			Municipality: municipalities[(i*7+group)%len(municipalities)],
		}
		token, err := bench.MintToken(s.secret, l.ID, now, 12*time.Hour)
		if err != nil {
			return nil, err
		}
		l.Token = token
		out[i] = l
		users[i] = []any{l.ID, l.Email, s.hash, l.GivenName, l.FamilyName, l.Municipality,
			"Sociālais dienests", "sociālais darbinieks", now, now}
		roles[i] = []any{l.ID, "learner"}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"},
			[]string{"id", "email", "password_hash", "given_name", "family_name", "municipality", "workplace", "position", "created_at", "updated_at"},
			pgx.CopyFromRows(users)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"user_roles"}, []string{"user_id", "role"}, pgx.CopyFromRows(roles))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inserting %d learners: %w", n, err)
	}
	return out, nil
}

// course builds the benchmarks' course over HTTP the first time it is
// asked for.
func (s *stage) benchCourse(ctx context.Context) (*benchCourse, error) {
	if s.course != nil {
		return s.course, nil
	}
	step("build a published course of 5 weeks, 25 lessons and a final test of 20 questions as the team")
	id, err := s.api.buildCourse(ctx, s.team, s.video, 20)
	if err != nil {
		return nil, fmt.Errorf("building the course: %w", err)
	}
	body, err := s.api.raw(ctx, "GET", "/api/v1/courses/"+id, s.team, nil, 200)
	if err != nil {
		return nil, err
	}
	var outline course
	if err := json.Unmarshal(body, &outline); err != nil {
		return nil, err
	}
	c := &benchCourse{ID: id, Title: outline.Title, MethodologyTitle: methodologyTitle, OutlineBytes: len(body)}
	seconds := map[string]float64{} // per media
	for _, w := range outline.Weeks {
		for _, l := range w.Lessons {
			cl := courseLesson{ID: l.ID, Week: w.Number, Kind: l.Kind, Media: l.MediaID != nil}
			if l.Kind == "video" && l.MediaID != nil {
				d, ok := seconds[*l.MediaID]
				if !ok {
					var m struct {
						DurationSeconds *float64 `json:"duration_seconds"`
					}
					if err := s.api.call(ctx, "GET", "/api/v1/media/"+*l.MediaID, s.team, nil, 200, &m); err != nil {
						return nil, err
					}
					if m.DurationSeconds == nil {
						return nil, fmt.Errorf("the platform read no duration from the lesson video %s", s.o.fixture)
					}
					d = *m.DurationSeconds
					seconds[*l.MediaID] = d
				}
				cl.Seconds = d
			}
			c.Lessons = append(c.Lessons, cl)
		}
	}
	for _, t := range outline.Tests {
		if t.Final {
			c.FinalTestID = t.ID
		}
	}
	if len(c.Lessons) != 25 || c.FinalTestID == "" {
		return nil, fmt.Errorf("the course has %d lessons and final test %q; want 25 and one", len(c.Lessons), c.FinalTestID)
	}
	s.course = c
	return c, nil
}

// cohort opens a cohort of the course over HTTP, its enrolment window open
// now, that started `started` ago, and marks it announced with SQL: the
// announcer would otherwise queue an e-mail to every learner in the
// database within a minute, in the middle of a measurement.
func (s *stage) cohort(ctx context.Context, title string, capacity int, started time.Duration) (cohortReply, error) {
	c, err := s.benchCourse(ctx)
	if err != nil {
		return cohortReply{}, err
	}
	now := time.Now().UTC()
	// The window closes in 30 days, or when the five-week cohort ends.
	starts, closes := now.Add(-started), now.Add(30*24*time.Hour)
	if ends := starts.Add(35 * 24 * time.Hour); ends.Before(closes) {
		closes = ends
	}
	var out cohortReply
	if err := s.api.call(ctx, "POST", "/api/v1/courses/"+c.ID+"/cohorts", s.team, map[string]any{
		"title": title, "capacity": capacity,
		"enrolment_opens_at": now.Add(-time.Hour), "enrolment_closes_at": closes, "starts_at": starts,
	}, 201, &out); err != nil {
		return out, err
	}
	if _, err := s.pool.Exec(ctx, `UPDATE cohorts SET announced_at = $2 WHERE id = $1`, out.ID, now); err != nil {
		return out, err
	}
	return out, nil
}

type cohortReply struct {
	ID            string    `json:"id"`
	Capacity      int       `json:"capacity"`
	EnrolledCount int       `json:"enrolled_count"`
	WaitlistCount int       `json:"waitlist_count"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
}

type enrolmentReply struct {
	ID               string `json:"id"`
	CohortID         string `json:"cohort_id"`
	UserID           string `json:"user_id"`
	Status           string `json:"status"`
	WaitlistPosition *int   `json:"waitlist_position"`
}

// parallel runs do(0..n-1) on `workers` goroutines and returns the first
// error; after one, the rest are skipped.
func parallel(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := do(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// hostPort is the host:port of a base URL.
func hostPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Host
}

// newUUID is a random UUID as the platform writes ids.
func newUUID() string { return uuid.NewString() }

// apiClient is an HTTP client for n concurrent users of the API.
func apiClient(n int) *http.Client {
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 2 * n, MaxIdleConnsPerHost: n, MaxConnsPerHost: n, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
}

// loadAverage is the 1-minute load average of the machine, or "?".
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
