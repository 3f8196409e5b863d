package api_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
)

// tokenFor registers a user through the service, gives them roles and logs
// them in: no *testing.T needed.
func tokenFor(tb testing.TB, users *accounts.Service, email string, roles ...string) string {
	tb.Helper()
	_, tokens := testkit.SignUp(tb, users, 1, func(int) accounts.Registration {
		return accounts.Registration{Email: email, Password: testkit.Password, GivenName: "Ilze", FamilyName: "Bērziņa",
			Municipality: "Valmieras novads", Workplace: "Valmieras sociālais dienests", Position: "metodiķe"}
	}, roles...)
	return tokens[0]
}

// listen serves s on a real socket and returns its address.
func listen(t *testing.T, s *server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.app.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.Shutdown() })
	return ln.Addr().String()
}

// rawExchange writes req on a fresh connection and reads what comes back,
// as a client with deadlines sees it: a response, or the connection closed
// without one (refused). A timeout is a hang and fails the test.
func rawExchange(t *testing.T, addr string, req []byte) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	_, werr := conn.Write(req) // the server may refuse before it has read everything
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("no answer and no close within 15 s (write error: %v)", werr)
		}
		return nil, nil // closed or reset: refused cleanly
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, body
}

// securityHeaders names what a reply lacks of the headers every reply
// carries.
func securityHeaders(h http.Header) []string {
	var missing []string
	if h.Get("X-Content-Type-Options") != "nosniff" {
		missing = append(missing, "X-Content-Type-Options: nosniff")
	}
	if h.Get("X-Frame-Options") == "" && !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors") {
		missing = append(missing, "X-Frame-Options or CSP frame-ancestors")
	}
	if h.Get("Referrer-Policy") == "" {
		missing = append(missing, "Referrer-Policy")
	}
	return missing
}

// Request headers past the read buffer answer 431 problem+json (or the
// connection is closed): never a hang, never a 5xx; the server goes on.
func TestHostileOversizedHeaders(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	addr := listen(t, s)
	big := strings.Repeat("ā", 32<<10) // 64 KiB of UTF-8
	many := strings.Builder{}
	for i := range 2000 {
		fmt.Fprintf(&many, "X-Header-%d: %s\r\n", i, strings.Repeat("x", 30))
	}
	for name, req := range map[string]string{
		"one 64 KiB header":    "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n",
		"64 KiB of headers":    "GET /healthz HTTP/1.1\r\nHost: x\r\n" + many.String() + "\r\n",
		"64 KiB request line":  "GET /healthz?q=" + strings.Repeat("a", 64<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"64 KiB bearer token":  "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + strings.Repeat("a", 64<<10) + "\r\n\r\n",
		"64 KiB cookie, POST":  "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nCookie: " + strings.Repeat("c=1; ", 13<<10) + "\r\n\r\n{}",
		"header line unending": "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 256<<10),
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := rawExchange(t, addr, []byte(req))
			if resp == nil {
				t.Log("connection closed without a reply")
			} else {
				if resp.StatusCode != 431 && resp.StatusCode != 414 {
					t.Fatalf("status %d, want 431: %s", resp.StatusCode, body)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || !bytes.Contains(body, []byte(`"code":"headers_too_large"`)) {
					t.Fatalf("reply %q %s is not a headers_too_large problem", ct, body)
				}
				if missing := securityHeaders(resp.Header); len(missing) > 0 {
					t.Errorf("the %d reply lacks %v", resp.StatusCode, missing)
				}
			}
			// The server is still there for the next client.
			resp, body = rawExchange(t, addr, []byte("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
			if resp == nil || resp.StatusCode != 200 {
				t.Fatalf("healthz after the hostile request: %v %s", resp, body)
			}
		})
	}
}

// A client that trickles its headers in slower than the read timeout is
// cut off when the timeout passes. The production timeout (api.New sets
// ReadTimeout to 15 minutes, so that 4 GiB uploads fit, and Deps cannot
// change it) is too long for a test, so the test shortens it on the
// fasthttp server Fiber built: what is tested is that the deadline covers
// the whole header, not each byte.
func TestHostileSlowHeaders(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	t.Logf("production ReadTimeout: %v (IdleTimeout %v)", s.app.Server().ReadTimeout, s.app.Server().IdleTimeout)
	const timeout = time.Second
	s.app.Server().ReadTimeout = timeout
	addr := listen(t, s)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	start := time.Now()
	closed := make(chan []byte, 1)
	go func() {
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		got, _ := io.ReadAll(conn) // until the server closes (or the deadline)
		closed <- got
	}()
	req := "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("z", 200)
	var got []byte
	sent := 0
writing:
	for ; sent < len(req); sent++ {
		if _, err := conn.Write([]byte{req[sent]}); err != nil {
			break
		}
		select {
		case got = <-closed:
			break writing
		case <-time.After(100 * time.Millisecond):
		}
	}
	if got == nil {
		select {
		case got = <-closed:
		case <-time.After(20 * time.Second):
			t.Fatal("the server never closed the connection")
		}
	}
	elapsed := time.Since(start)
	if elapsed > timeout+5*time.Second || sent >= len(req) {
		t.Fatalf("the slow client kept the connection for %v (%d of %d bytes sent)", elapsed, sent, len(req))
	}
	if len(got) > 0 {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
		if err != nil {
			t.Fatalf("after %v the server sent something that is not HTTP: %q", elapsed, got)
		}
		if resp.StatusCode != 408 {
			t.Fatalf("status %d, want 408 or a plain close: %q", resp.StatusCode, got)
		}
	}
	t.Logf("cut off after %v, %d bytes sent, reply %q", elapsed, sent, firstLine(got))
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\r\n"))
	return string(line)
}

// hostileTexts look like SQL, script or template code; they are data.
var hostileTexts = []string{
	`'; DROP TABLE courses; --`,
	`Robert'); DROP TABLE users;-- ā`,
	`" OR 1=1 --`,
	`1; SELECT pg_sleep(5)--`,
	`<script>alert('ģimene')</script>`,
	`<img src=x onerror=alert(1)>`,
	`{{.}} ${7*7} %s %n %%`,
	`\'; \\ \" ␀`,
}

// SQL- and script-looking text is stored and returned exactly as sent.
func TestHostileTextStoredVerbatim(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		p := c.programme(nil)
		for i, text := range hostileTexts {
			// Names and municipality at registration, read back by GET /me.
			reg := registration()
			reg["given_name"], reg["family_name"], reg["municipality"], reg["workplace"], reg["position"] = text, text, text, text, text
			c.do(request{method: "POST", path: "/api/v1/auth/register", body: reg}).expect(t, 201)
			token := c.login(reg["email"].(string), reg["password"].(string))
			var me userBody
			c.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200).json(t, &me)
			if me.GivenName != text || me.FamilyName != text || me.Municipality != text || me.Workplace != text || me.Position != text {
				t.Errorf("%q: user read back as %+v", text, me)
			}

			// Course title and summary, lesson title and body.
			var course struct{ ID, Title, Summary string }
			c.do(request{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{
				"methodology_id": c.methodology, "title": text, "summary": text,
			}}).expect(t, 201).json(t, &course)
			c.do(request{method: "GET", path: "/api/v1/courses/" + course.ID, token: c.author}).expect(t, 200).json(t, &course)
			if course.Title != text || course.Summary != text {
				t.Errorf("%q: course read back as %+v", text, course)
			}
			c.lesson(c.author, course.ID, map[string]any{"week": 1, "title": text, "kind": "reading", "minutes": 10, "body": text})
			var withLessons struct {
				Weeks []struct {
					Lessons []struct{ Title, Body string }
				}
			}
			c.do(request{method: "GET", path: "/api/v1/courses/" + course.ID, token: c.author}).expect(t, 200).json(t, &withLessons)
			if len(withLessons.Weeks) == 0 || len(withLessons.Weeks[0].Lessons) != 1 ||
				withLessons.Weeks[0].Lessons[0].Title != text || withLessons.Weeks[0].Lessons[0].Body != text {
				t.Errorf("%q: lessons read back as %+v", text, withLessons.Weeks)
			}

			// Question text, options and explanation.
			c.do(request{method: "POST", path: "/api/v1/courses/" + course.ID + "/questions", token: c.author, body: map[string]any{
				"week": 1, "kind": "single_choice", "text": text, "explanation": text,
				"options": []map[string]any{{"text": text, "correct": true}, {"text": "Nē"}},
			}}).expect(t, 201)
			var qs struct {
				Items []struct {
					Text, Explanation string
					Options           []struct{ Text string }
				}
			}
			c.do(request{method: "GET", path: "/api/v1/courses/" + course.ID + "/questions", token: c.author}).expect(t, 200).json(t, &qs)
			if len(qs.Items) != 1 || qs.Items[0].Text != text || qs.Items[0].Explanation != text || qs.Items[0].Options[0].Text != text {
				t.Errorf("%q: questions read back as %+v", text, qs.Items)
			}

			// The municipality of a programme application.
			if i < 3 { // one application per learner
				var app struct{ Municipality string }
				c.do(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/applications", token: token, body: map[string]any{
					"municipality": text, "took_part_in_pilot": false,
				}}).expect(t, 201).json(t, &app)
				if app.Municipality != text {
					t.Errorf("%q: application municipality read back as %q", text, app.Municipality)
				}
			}

			// Searching for it matches literally.
			var found struct{ Items []userBody }
			c.do(request{method: "GET", path: "/api/v1/users?email=" + url.QueryEscape(text), token: c.team}).expect(t, 200).json(t, &found)
			if len(found.Items) != 0 {
				t.Errorf("%q as an e-mail search found %d users", text, len(found.Items))
			}
		}
		var apps struct {
			Items []struct{ Municipality string }
		}
		c.do(request{method: "GET", path: "/api/v1/programmes/" + p.ID + "/applications", token: c.team}).expect(t, 200).json(t, &apps)
		if len(apps.Items) != 3 {
			t.Fatalf("%d applications listed", len(apps.Items))
		}
		for _, a := range apps.Items {
			if !contains(hostileTexts[:3], a.Municipality) {
				t.Errorf("application municipality %q is none of those sent", a.Municipality)
			}
		}
		// Nothing was executed: every table is there, with every row.
		if n := c.rowCount("users"); n != int64(4+len(hostileTexts)) {
			t.Errorf("%d users", n)
		}
		if n := c.rowCount("courses"); n != int64(len(hostileTexts)) {
			t.Errorf("%d courses", n)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The verify page escapes what it echoes.
func TestHostileVerifyPageEscapes(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	r := s.do(request{method: "GET", path: "/verify/" + url.PathEscape(`<script>alert(1)</script>`)})
	if r.status >= 500 || bytes.Contains(r.body, []byte("<script>alert(1)")) {
		t.Fatalf("status %d, page echoes the script: %s", r.status, r.body)
	}
}

// NUL characters, which PostgreSQL cannot store in text, and broken UTF-8
// are the client's mistake: never a 5xx.
func TestHostileNULAndBrokenText(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		reg := registration()
		reg["given_name"] = "Lī\x00ga"
		c.do(request{method: "POST", path: "/api/v1/auth/register", body: reg}).expectClientError(t)
		raw := []byte(`{"email":"nul@example.lv","password":"correct horse battery","given_name":"\u0000","family_name":"Ozoliņa","municipality":"Ogre"}`)
		c.do(request{method: "POST", path: "/api/v1/auth/register", body: raw}).expectClientError(t)
		c.do(request{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{
			"methodology_id": c.methodology, "title": "Kurss\x00", "summary": "a\x00b",
		}}).expectClientError(t)
		c.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "x\x00@example.lv", "password": "correct horse battery"}}).expectClientError(t)
		c.do(request{method: "GET", path: "/api/v1/users?email=%00", token: c.team}).expectClientError(t)
		broken := []byte("{\"email\":\"broken@example.lv\",\"password\":\"correct horse battery\",\"given_name\":\"L\xc4\",\"family_name\":\"\xff\",\"municipality\":\"Ogre\"}")
		c.do(request{method: "POST", path: "/api/v1/auth/register", body: broken}).expectClientError(t)
		c.upload(c.author, "vārds\xff\x00.vtt", []byte(captionsLV)).expectClientError(t)
	})
}

// expectClientError: a 2xx or a 4xx, but not a 5xx.
func (r reply) expectClientError(t *testing.T) reply {
	t.Helper()
	if r.status >= 500 {
		t.Errorf("status %d: %s", r.status, r.body)
	}
	return r
}

// leaks are what no reply may show: stack traces, Go errors, SQL, and the
// paths of this machine (the source tree, its top folder, the temporary
// folder), found at run time.
func leaks(t *testing.T) []string {
	out := []string{"goroutine", "panic", ".go:", "SQLSTATE", "sql:", "pq:", "pgx", "gorm", "sqlite", "runtime.", "invalid memory address", "nil pointer"}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	top, _, _ := strings.Cut(strings.TrimPrefix(filepath.ToSlash(wd), "/"), "/")
	return append(out, filepath.Dir(wd), "/"+top+"/", filepath.ToSlash(os.TempDir()))
}

// Bad requests of every kind are answered without a stack trace, a Go
// error string, SQL or a file path, and never with a 5xx.
func TestHostileErrorsLeakNothing(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		c := newCatalogue(t, db.Dialect(), db)
		course := c.course(c.author)
		json := map[string]string{"Content-Type": "application/json"}
		reqs := []request{
			{method: "POST", path: "/api/v1/auth/register", body: "{"},
			{method: "POST", path: "/api/v1/auth/register", body: `{"email":5}`},
			{method: "POST", path: "/api/v1/auth/register", body: `{"email":"` + strings.Repeat("a", 5000) + `@example.lv","password":"x"}`},
			{method: "POST", path: "/api/v1/auth/register", body: `[]`},
			{method: "POST", path: "/api/v1/auth/register", body: "\xff\xfe\x00"},
			{method: "POST", path: "/api/v1/auth/register", body: `{}`, header: map[string]string{"Content-Type": "text/plain"}},
			{method: "POST", path: "/api/v1/auth/register", body: strings.Repeat(" ", 2<<20)},
			{method: "POST", path: "/api/v1/auth/login", body: `{"email":"' OR 1=1 --","password":"' OR 1=1 --"}`},
			{method: "POST", path: "/api/v1/auth/login", body: `{"email":"nav@example.lv"}`},
			{method: "GET", path: "/api/v1/me", token: "garbage"},
			{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic YTpi"}},
			{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + strings.Repeat("x.", 2000)}},
			{method: "GET", path: "/api/v1/courses/not-a-uuid", token: c.author},
			{method: "GET", path: "/api/v1/courses/" + url.PathEscape("'; DROP TABLE courses; --"), token: c.author},
			{method: "GET", path: "/api/v1/courses/%00", token: c.author},
			{method: "GET", path: "/api/v1/courses/00000000-0000-0000-0000-00000000000g", token: c.author},
			{method: "GET", path: "/api/v1/courses?limit=abc", token: c.author},
			{method: "GET", path: "/api/v1/courses?limit=-1", token: c.author},
			{method: "GET", path: "/api/v1/courses?limit=99999999999999999999", token: c.author},
			{method: "GET", path: "/api/v1/courses?cursor=garbage", token: c.author},
			{method: "GET", path: "/api/v1/courses?cursor=" + url.QueryEscape("eyJhIjoxfQ=="), token: c.author},
			{method: "GET", path: "/api/v1/cohorts?course_id=" + url.QueryEscape("' OR '1'='1"), token: c.learner},
			{method: "GET", path: "/api/v1/users?email=" + url.QueryEscape("%' OR 1=1 --"), token: c.team},
			{method: "GET", path: "/api/v1/users?cursor=%ff%fe", token: c.team},
			{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{"methodology_id": "not-a-uuid", "title": "x"}},
			{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{"methodology_id": "00000000-0000-4000-8000-000000000000", "title": "x"}},
			{method: "POST", path: "/api/v1/courses", token: c.author, body: map[string]any{"methodology_id": c.methodology, "title": "x", "weeks": 1e9}},
			{method: "POST", path: "/api/v1/courses/not-a-uuid/lessons", token: c.author, body: map[string]any{"week": 1, "title": "x", "kind": "reading", "minutes": 5}},
			{method: "POST", path: "/api/v1/courses/" + course.ID + "/lessons", token: c.author, body: map[string]any{"week": 99, "title": "x", "kind": "video", "minutes": 5, "media_id": "not-a-uuid"}},
			{method: "POST", path: "/api/v1/courses/" + course.ID + "/lessons", token: c.author, body: map[string]any{"week": 1, "title": "x", "kind": "video", "minutes": 5, "captions": []map[string]any{{"language": "lv", "media_id": "'; --"}}}},
			{method: "PATCH", path: "/api/v1/lessons/not-a-uuid", token: c.author, body: map[string]any{"title": "x"}},
			{method: "PUT", path: "/api/v1/courses/" + course.ID + "/weeks/abc/order", token: c.author, body: map[string]any{"lesson_ids": []string{"x"}}},
			{method: "PUT", path: "/api/v1/courses/" + course.ID + "/weeks/1/order", token: c.author, body: map[string]any{"lesson_ids": []string{"x", "x"}}},
			{method: "POST", path: "/api/v1/courses/" + course.ID + "/cohorts", token: c.team, body: map[string]any{"title": "x", "enrolment_opens_at": "rīt"}},
			{method: "POST", path: "/api/v1/cohorts/not-a-uuid/enrolments", token: c.team, body: map[string]any{"user_id": "not-a-uuid"}},
			{method: "PUT", path: "/api/v1/enrolments/x/lessons/y/progress", token: c.learner, body: map[string]any{"position_seconds": -1}},
			{method: "POST", path: "/api/v1/attempts/not-a-uuid/submit", token: c.learner, body: map[string]any{"answers": []map[string]any{{"question_id": "x"}}}},
			{method: "POST", path: "/api/v1/courses/" + course.ID + "/tests", token: c.author, body: map[string]any{"title": "x", "question_count": 500, "time_limit_minutes": 0}},
			{method: "POST", path: "/api/v1/programmes", token: c.team, body: map[string]any{"methodology_id": "not-a-uuid", "title": "x", "hours": "96"}},
			{method: "POST", path: "/api/v1/programmes", token: c.team, body: map[string]any{"methodology_id": "not-a-uuid", "title": "x", "hours": 96, "location": "Rīga", "region": "Rīga"}},
			{method: "PUT", path: "/api/v1/programmes/not-a-uuid/attendance/not-a-uuid", token: c.team, body: map[string]any{"hours": 5}},
			{method: "POST", path: "/api/v1/certificates/" + url.PathEscape("<x>") + "/revoke", token: c.team, body: map[string]any{"reason": "x"}},
			{method: "GET", path: "/api/v1/certificates/" + url.PathEscape("' OR 1=1") + "/verify"},
			{method: "GET", path: "/api/v1/reports/completions?from=yesterday&to=" + url.QueryEscape("'; --"), token: c.team},
			{method: "PUT", path: "/api/v1/users/not-a-uuid/roles", token: c.team, body: map[string]any{"roles": []string{"root"}}},
			{method: "POST", path: "/api/v1/media", token: c.author, body: "--x\r\nbroken", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}},
			{method: "POST", path: "/api/v1/media", token: c.author, body: "x", header: map[string]string{"Content-Type": "multipart/form-data; boundary="}},
			{method: "POST", path: "/api/v1/media/uploads", token: c.author, body: map[string]any{"filename": "../../x", "size": -5}},
			{method: "POST", path: "/api/v1/media/not-a-uuid/complete", token: c.author, body: map[string]any{"parts": []map[string]any{{"number": 1, "etag": "x"}}}},
			{method: "GET", path: "/objects/../../etc/passwd"},
			{method: "GET", path: "/objects/media/x?expires=abc&signature=zz"},
			{method: "GET", path: "/objects/media/x?expires=99999999999999999999&signature=" + strings.Repeat("0", 64)},
			{method: "PUT", path: "/objects/media/x?upload=y&part=0&expires=1&signature=x", body: "abc", header: map[string]string{"Content-Type": "application/octet-stream"}},
			{method: "GET", path: "/api/v1/nothing-here"},
			{method: "DELETE", path: "/healthz"},
			{method: "POST", path: "/api/v1/me", token: c.learner, body: "{}", header: json},
			{method: "GET", path: "/verify/" + url.PathEscape("<b>'; --")},
		}
		for _, r := range reqs {
			got := c.do(r)
			if got.status >= 500 {
				t.Errorf("%s %s: %d %s", r.method, r.path, got.status, got.body)
			}
			if got.status < 400 {
				continue
			}
			for _, leak := range append(leaks(t), c.diskDir) {
				if bytes.Contains(bytes.ToLower(got.body), bytes.ToLower([]byte(leak))) {
					t.Errorf("%s %s: %d reply shows %q: %s", r.method, shorten(r.path), got.status, leak, shorten(string(got.body)))
				}
			}
			for _, h := range []string{"X-Powered-By", "Server"} {
				if v := got.header.Get(h); v != "" {
					t.Errorf("%s %s: reply names its software: %s: %s", r.method, shorten(r.path), h, v)
				}
			}
		}
	})
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// With one CORS origin configured, a preflight from it is allowed and one
// from anywhere else is not; without origins, no one is.
func TestHostileCORS(t *testing.T) {
	const allowed = "https://mooc.example.lv"
	s := assemble(t, database.SQLite, options{corsOrigins: []string{allowed}})
	s.t = t
	preflight := func(s *server, origin string) reply {
		return s.do(request{method: "OPTIONS", path: "/api/v1/courses", header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type",
		}})
	}
	r := preflight(s, allowed)
	if r.status >= 300 || r.header.Get("Access-Control-Allow-Origin") != allowed {
		t.Fatalf("preflight from %s: %d %v", allowed, r.status, r.header)
	}
	if m := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "POST") {
		t.Errorf("allowed methods %q", m)
	}
	if h := strings.ToLower(r.header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") || !strings.Contains(h, "content-type") {
		t.Errorf("allowed headers %q", h)
	}
	if r.header.Get("Access-Control-Allow-Credentials") == "true" {
		t.Errorf("credentials allowed; the API uses bearer tokens, not cookies")
	}
	g := s.do(request{method: "GET", path: "/api/v1/methodologies", header: map[string]string{"Origin": allowed}}).expect(t, 200)
	if g.header.Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("GET from %s: Access-Control-Allow-Origin %q", allowed, g.header.Get("Access-Control-Allow-Origin"))
	}
	for _, origin := range []string{
		"https://evil.example", "http://mooc.example.lv", "https://mooc.example.lv.evil.example", "https://evilmooc.example.lv",
		"null", "https://mooc.example.lv:8443", "*",
	} {
		for _, r := range []reply{
			preflight(s, origin),
			s.do(request{method: "GET", path: "/api/v1/methodologies", header: map[string]string{"Origin": origin}}),
		} {
			if v := r.header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("origin %q got Access-Control-Allow-Origin %q (%d)", origin, v, r.status)
			}
		}
	}

	plain := newServer(t, database.SQLite, options{})
	for _, origin := range []string{allowed, "https://evil.example"} {
		if v := preflight(plain, origin).header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("without CORS origins, %q got Access-Control-Allow-Origin %q", origin, v)
		}
	}
}

// Every reply carries the security headers, whatever its status or type.
func TestHostileSecurityHeaders(t *testing.T) {
	s := newServer(t, database.SQLite, options{maxUpload: 1 << 10})
	_, author := s.signUp("author")
	_, learner := s.signUp()
	big := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, make([]byte, 4<<10)...)
	bigForm, bigCT := multipartBody(t, "file", "liels.png", "image/png", big)
	for _, r := range []request{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/readyz"},
		{method: "GET", path: "/metrics"},
		{method: "GET", path: "/openapi.json"},
		{method: "GET", path: "/docs"},
		{method: "GET", path: "/verify/ZZZZ-ZZZZ-ZZZZ"},
		{method: "GET", path: "/api/v1/methodologies"},
		{method: "GET", path: "/api/v1/me", token: learner},
		{method: "POST", path: "/api/v1/auth/register", body: registration()},
		{method: "POST", path: "/api/v1/auth/register", body: "{"},
		{method: "POST", path: "/api/v1/auth/register", body: map[string]any{}},
		{method: "POST", path: "/api/v1/auth/register", body: "{}", header: map[string]string{"Content-Type": "text/plain"}},
		{method: "GET", path: "/api/v1/me"},
		{method: "POST", path: "/api/v1/methodologies", token: learner, body: map[string]any{}},
		{method: "GET", path: "/api/v1/nothing-here"},
		{method: "DELETE", path: "/healthz"},
		{method: "OPTIONS", path: "/api/v1/courses"},
		{method: "HEAD", path: "/healthz"},
		{method: "POST", path: "/api/v1/media", token: author, body: bigForm, header: map[string]string{"Content-Type": bigCT}},
		{method: "GET", path: "/objects/media/x?expires=1&signature=x"},
	} {
		got := s.do(r)
		if missing := securityHeaders(got.header); len(missing) > 0 {
			t.Errorf("%s %s (%d) lacks %v", r.method, r.path, got.status, missing)
		}
	}
}

// Neither a password nor an access token ever reaches the log.
func TestHostileSecretsNotLogged(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		const password = "Slepens-Pīrāgs-7319"
		const wrong = "Nepareiza-Parole-4402"
		reg := registration()
		reg["password"] = password
		email := reg["email"].(string)
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: reg}).expect(t, 201)
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: reg}).problem(t, 409, "email_taken")
		token := s.login(email, password)
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": wrong}}).problem(t, 401, "invalid_credentials")
		s.do(request{method: "POST", path: "/api/v1/auth/login", body: `{"email":"` + email + `","password":"` + wrong + `"`}).problem(t, 400, "malformed_json")
		s.do(request{method: "GET", path: "/api/v1/me", token: token}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/me?access_token=" + token + "&password=" + wrong, token: token}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/courses/not-a-uuid", token: token})
		s.do(request{method: "POST", path: "/api/v1/methodologies", token: token, body: map[string]any{}}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: "/api/v1/me", token: token + "x"}).problem(t, 401, "unauthorized")
		s.do(request{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"email": email, "password": wrong[:5]}}).problem(t, 422, "validation_failed")

		logs := s.logs.String()
		if !strings.Contains(logs, `"route":"/api/v1/auth/login"`) {
			t.Fatalf("the requests were not logged at all:\n%s", logs)
		}
		secrets := map[string]string{"password": password, "wrong password": wrong, "token": token, "mistyped token": token + "x"}
		if i := strings.LastIndex(token, "."); i > 0 && len(token)-i > 8 {
			secrets["token signature"] = token[i+1:]
		}
		for name, secret := range secrets {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds the %s", name)
			}
		}
	})
}
