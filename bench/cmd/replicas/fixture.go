package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5/pgxpool"

	"mooc/accounts"
	"mooc/bench"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}

// api is a JSON client of the platform.
type api struct {
	http *http.Client
}

// do sends a request with an optional JSON body and headers, and returns
// the status, the headers and the body.
func (a *api) do(ctx context.Context, method, url, token string, body any, header map[string]string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }() // read first; a close error loses nothing
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, resp.Header, raw, err
}

// call is do that wants one status and decodes the reply into out.
func (a *api) call(ctx context.Context, method, url, token string, body any, want int, out any) error {
	status, _, raw, err := a.do(ctx, method, url, token, body, nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.400s", method, url, status, want, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// fixture is what the phases share: the team's token, a published course
// with one video lesson a week and a final test, and the bench database.
type fixture struct {
	api      *api
	base     string // the balancer
	team     string
	pool     *pgxpool.Pool
	secret   []byte
	courseID string
	lessonID string // week 1's video lesson
	testID   string // the final test
	hash     string
	next     int // the next learner number
}

const benchPassword = "Bench-parole-2026!"

// newFixture signs in as the team through the balancer and builds the
// course: a video lesson in week 1, readings in weeks 2–5 (690 minutes)
// and a 30-minute final test of two questions, 720 minutes in all.
func newFixture(ctx context.Context, a *api, base, email, password string, pool *pgxpool.Pool, secret []byte, video []byte) (*fixture, error) {
	f := &fixture{api: a, base: base, pool: pool, secret: secret}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := a.call(ctx, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200, &login); err != nil {
		return nil, err
	}
	f.team = login.AccessToken
	v1 := base + "/api/v1"
	var m, c, media, lesson, test struct {
		ID string `json:"id"`
	}
	if err := a.call(ctx, "POST", v1+"/methodologies", f.team, map[string]string{
		"title": "Krīzes intervence", "summary": "Metodika darbam krīzes situācijās", "direction": "crisis"}, 201, &m); err != nil {
		return nil, err
	}
	if err := a.call(ctx, "POST", v1+"/courses", f.team, map[string]any{
		"methodology_id": m.ID, "title": "Darbs ar ģimenēm krīzē", "summary": "Piecu nedēļu kurss",
		"language": "lv", "weeks": 5, "effort_hours": 12, "pass_percent": 70}, 201, &c); err != nil {
		return nil, err
	}
	f.courseID = c.ID
	if err := f.upload(ctx, video, &media); err != nil {
		return nil, err
	}
	for week := 1; week <= 5; week++ {
		l := map[string]any{"week": week, "title": fmt.Sprintf("%d. nedēļa", week), "kind": "reading", "minutes": 138,
			"body": "Lasāmviela par sadarbību ar pašvaldību."}
		if week == 1 {
			l = map[string]any{"week": 1, "title": "Ievads", "kind": "video", "minutes": 138, "media_id": media.ID}
		}
		if err := a.call(ctx, "POST", v1+"/courses/"+c.ID+"/lessons", f.team, l, 201, &lesson); err != nil {
			return nil, err
		}
		if week == 1 {
			f.lessonID = lesson.ID
		}
	}
	for i := 1; i <= 2; i++ {
		if err := a.call(ctx, "POST", v1+"/courses/"+c.ID+"/questions", f.team, map[string]any{
			"week": i, "kind": "single_choice", "points": 1, "text": fmt.Sprintf("%d. jautājums: kas ir pirmais solis?", i),
			"options": []map[string]any{{"text": "Drošība", "correct": true}, {"text": "Gaidīt", "correct": false}},
		}, 201, nil); err != nil {
			return nil, err
		}
	}
	if err := a.call(ctx, "POST", v1+"/courses/"+c.ID+"/tests", f.team, map[string]any{
		"title": "Noslēguma tests", "final": true, "question_count": 2, "pass_percent": 70,
		"time_limit_minutes": 30, "max_attempts": 3, "shuffle": true}, 201, &test); err != nil {
		return nil, err
	}
	f.testID = test.ID
	if err := a.call(ctx, "POST", v1+"/courses/"+c.ID+"/publish", f.team, nil, 200, nil); err != nil {
		return nil, err
	}
	hash, err := argon2id.CreateHash(benchPassword, &accounts.OWASPParams)
	if err != nil {
		return nil, err
	}
	f.hash = hash
	return f, nil
}

func (f *fixture) upload(ctx context.Context, video []byte, out any) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "ievads.mp4")
	if err != nil {
		return err
	}
	_, _ = part.Write(video) // a bytes.Buffer does not fail
	if err := w.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", f.base+"/api/v1/media", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.team)
	resp, err := f.api.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return fmt.Errorf("POST /api/v1/media: status %d: %.400s", resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

// cohort opens a cohort of the course that began 29 days ago (its fifth
// week, with the final test, has begun) with its enrolment window open, and
// marks it announced, or the announcer would e-mail every learner.
func (f *fixture) cohort(ctx context.Context, title string, capacity int) (string, error) {
	now := time.Now().UTC()
	starts := now.Add(-29 * 24 * time.Hour)
	var c struct {
		ID string `json:"id"`
	}
	if err := f.api.call(ctx, "POST", f.base+"/api/v1/courses/"+f.courseID+"/cohorts", f.team, map[string]any{
		"title": title, "capacity": capacity, "enrolment_opens_at": now.Add(-time.Hour),
		"enrolment_closes_at": starts.Add(35 * 24 * time.Hour), "starts_at": starts}, 201, &c); err != nil {
		return "", err
	}
	_, err := f.pool.Exec(ctx, `UPDATE cohorts SET announced_at = $2 WHERE id = $1`, c.ID, now)
	return c.ID, err
}

// cohortWith is a new cohort of seats and n new learners for it.
func (f *fixture) cohortWith(ctx context.Context, title string, seats, n int) (string, []person, error) {
	id, err := f.cohort(ctx, title, seats)
	if err != nil {
		return "", nil, err
	}
	people, err := f.learners(ctx, n)
	return id, people, err
}

// person is a learner written with SQL who acts through a minted token.
type person struct {
	ID, Token string
}

// learners writes n learners with one statement and mints their tokens.
func (f *fixture) learners(ctx context.Context, n int) ([]person, error) {
	first := f.next + 1
	f.next += n
	now := time.Now().UTC()
	// ids 20000000-0000-4000-8000-<n>: a group apart from make bench's.
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO users (id, email, password_hash, given_name, family_name, municipality, workplace, position, created_at, updated_at)
		SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0')), 'izvietojums.' || i || '@example.lv', $3,
		       'Līga', 'Bērziņa', 'Ogres novads', 'Sociālais dienests', 'sociālais darbinieks', $4, $4
		FROM generate_series($1::int, $2::int) AS i`, first, f.next, f.hash, now); err != nil {
		return nil, fmt.Errorf("writing %d learners: %w", n, err)
	}
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO user_roles (user_id, role)
		SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0')), 'learner' FROM generate_series($1::int, $2::int) AS i`,
		first, f.next); err != nil {
		return nil, fmt.Errorf("writing %d learners' roles: %w", n, err)
	}
	out := make([]person, n)
	for i := range out {
		id := fmt.Sprintf("20000000-0000-4000-8000-%012d", first+i)
		token, err := bench.MintToken(f.secret, id, now, 12*time.Hour)
		if err != nil {
			return nil, err
		}
		out[i] = person{ID: id, Token: token}
	}
	return out, nil
}

// counts are a cohort's counts as the API gives them and as its rows are.
type counts struct {
	APIEnrolled, APIWaitlisted int
	RowsEnrolled, RowsWaitlist int
}

func (c counts) equal() bool {
	return c.APIEnrolled == c.RowsEnrolled && c.APIWaitlisted == c.RowsWaitlist
}

func (f *fixture) counts(ctx context.Context, cohortID string) (counts, error) {
	var c counts
	var reply struct {
		EnrolledCount int `json:"enrolled_count"`
		WaitlistCount int `json:"waitlist_count"`
	}
	if err := f.api.call(ctx, "GET", f.base+"/api/v1/cohorts/"+cohortID, f.team, nil, 200, &reply); err != nil {
		return c, err
	}
	c.APIEnrolled, c.APIWaitlisted = reply.EnrolledCount, reply.WaitlistCount
	err := f.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'enrolled'), count(*) FILTER (WHERE status = 'waitlisted')
		FROM enrolments WHERE cohort_id = $1`, cohortID).Scan(&c.RowsEnrolled, &c.RowsWaitlist)
	return c, err
}

// readVideo reads the small real MP4 the course's video lesson plays.
func readVideo(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 || !strings.HasSuffix(path, ".mp4") {
		return nil, errors.New("the fixture must be a small real MP4 file")
	}
	return raw, nil
}
