package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"mooc/bench"
)

// client speaks the platform's HTTP API for setting up the benchmarks.
type client struct {
	base string // http://127.0.0.1:port
	http *http.Client
}

// call sends a JSON request and decodes the reply into out (when not nil);
// a status other than want is an error that quotes the reply.
func (c *client) call(ctx context.Context, method, path, token string, body any, want int, out any) error {
	raw, err := c.raw(ctx, method, path, token, body, want)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: reply is not the expected JSON: %w", method, path, err)
		}
	}
	return nil
}

// raw sends a JSON request and returns the reply's body as it came.
func (c *client) raw(ctx context.Context, method, path, token string, body any, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }() // the reply is read first; a close error loses nothing
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return nil, &statusError{method: method, path: path, status: resp.StatusCode, want: want, body: raw}
	}
	return raw, nil
}

type statusError struct {
	method, path string
	status, want int
	body         []byte
}

func (e *statusError) Error() string {
	body := strings.TrimSpace(string(e.body))
	if len(body) > 600 {
		body = body[:600] + "…"
	}
	return fmt.Sprintf("%s %s: status %d, want %d: %s", e.method, e.path, e.status, e.want, body)
}

// mediaReply is the part of a media record the tool checks.
type mediaReply struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Status      string `json:"status"`
}

// upload sends content (size bytes) as POST /api/v1/media, streamed, with
// a Content-Length. It returns the media record.
func (c *client) upload(ctx context.Context, token, filename, contentType string, content io.Reader, size int64) (mediaReply, error) {
	form, err := bench.NewMultipart("file", filename, contentType, content, size)
	if err != nil {
		return mediaReply{}, err
	}
	defer func() { _ = form.Body.Close() }() // stops the generating writer; its error is the transfer's
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/media", form.Body)
	if err != nil {
		return mediaReply{}, err
	}
	req.ContentLength = form.ContentLength
	req.Header.Set("Content-Type", form.ContentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return mediaReply{}, fmt.Errorf("POST /api/v1/media: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // the reply is read first; a close error loses nothing
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return mediaReply{}, fmt.Errorf("POST /api/v1/media: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return mediaReply{}, &statusError{method: "POST", path: "/api/v1/media", status: resp.StatusCode, want: 201, body: raw}
	}
	var m mediaReply
	if err := json.Unmarshal(raw, &m); err != nil {
		return mediaReply{}, fmt.Errorf("POST /api/v1/media: %w", err)
	}
	if m.Size != size || m.Status != "ready" {
		return m, fmt.Errorf("POST /api/v1/media: stored %d bytes with status %q, want %d and ready", m.Size, m.Status, size)
	}
	return m, nil
}

func (c *client) login(ctx context.Context, email, password string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.call(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200, &out)
	if err == nil && out.AccessToken == "" {
		err = fmt.Errorf("login of %s: no access token", email)
	}
	return out.AccessToken, err
}

// course is the outline as GET /courses/{id} returns it, as far as the
// tool checks it.
type course struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Weeks  []struct {
		Number  int `json:"number"`
		Lessons []struct {
			ID      string  `json:"id"`
			Kind    string  `json:"kind"`
			Minutes int     `json:"minutes"`
			MediaID *string `json:"media_id"`
		} `json:"lessons"`
	} `json:"weeks"`
	Tests []struct {
		ID    string `json:"id"`
		Final bool   `json:"final"`
	} `json:"tests"`
}

// weekPlan is one week of the benchmark course: five lessons, 144
// minutes, so five weeks make the 12 hours (720 minutes) of a course.
var weekPlan = []struct {
	kind    string
	minutes int
	video   bool
	body    string
}{
	{"video", 30, true, ""},
	{"interview", 25, true, ""},
	{"reading", 40, false, "Lasāmviela par darbu ar ģimenēm krīzes situācijās: drošība, atbalsts, sadarbība ar pašvaldību."},
	{"case_story", 30, false, "Gadījuma apraksts: Ģirts Ķļaviņš vēršas sociālajā dienestā pēc darba zaudēšanas."},
	{"client_conversation", 19, true, ""},
}

// methodologyTitle is the methodology of the benchmarks' courses.
const methodologyTitle = "Krīzes intervence"

// buildCourse creates, as the team, a methodology and a published
// five-week course of 25 lessons whose videos are the small real MP4
// video; it returns the course ID. With finalQuestions > 0 the course gets
// a bank of that many questions (spread over the weeks) and a final test
// drawing all of them before it is published; otherwise it gets a final
// test only if the platform asks for one (see publish).
func (c *client) buildCourse(ctx context.Context, team string, video []byte, finalQuestions int) (string, error) {
	var m struct{ ID string }
	if err := c.call(ctx, "POST", "/api/v1/methodologies", team, map[string]string{
		"title": methodologyTitle, "summary": "Metodika darbam ar klientiem krīzes situācijās", "direction": "crisis",
	}, 201, &m); err != nil {
		return "", err
	}
	var cr course
	if err := c.call(ctx, "POST", "/api/v1/courses", team, map[string]any{
		"methodology_id": m.ID, "title": "Krīzes intervence sociālajā darbā", "summary": "Piecu nedēļu e-mācību kurss",
		"language": "lv", "weeks": 5, "effort_hours": 12, "pass_percent": 70,
	}, 201, &cr); err != nil {
		return "", err
	}
	media, err := c.upload(ctx, team, "ievads.mp4", "video/mp4", bytes.NewReader(video), int64(len(video)))
	if err != nil {
		return "", err
	}
	if media.ContentType != "video/mp4" {
		return "", fmt.Errorf("the lesson video was stored as %q, want video/mp4", media.ContentType)
	}
	for week := 1; week <= 5; week++ {
		for i, p := range weekPlan {
			l := map[string]any{"week": week, "title": fmt.Sprintf("%d. nedēļa, %d. nodarbība: %s", week, i+1, p.kind), "kind": p.kind, "minutes": p.minutes}
			if p.video {
				l["media_id"] = media.ID
			} else {
				l["body"] = p.body
			}
			if err := c.call(ctx, "POST", "/api/v1/courses/"+cr.ID+"/lessons", team, l, 201, nil); err != nil {
				return "", err
			}
		}
	}
	if finalQuestions > 0 {
		if err := c.finalTest(ctx, team, cr.ID, finalQuestions); err != nil {
			return "", err
		}
	}
	if err := c.publish(ctx, team, cr.ID); err != nil {
		return "", err
	}
	return cr.ID, nil
}

// finalTest adds n single-choice questions, spread over the five weeks,
// whose correct option is "Nodrošināt klienta drošību", and a final test
// of 30 minutes that draws all n.
func (c *client) finalTest(ctx context.Context, team, courseID string, n int) error {
	for i := range n {
		week := i%5 + 1
		if err := c.call(ctx, "POST", "/api/v1/courses/"+courseID+"/questions", team, map[string]any{
			"week": week, "kind": "single_choice", "points": 1, "explanation": "Drošība vispirms.",
			"text": fmt.Sprintf("%d. nedēļa, %d. jautājums: kas ir pirmais solis krīzes intervencē?", week, i/5+1),
			"options": []map[string]any{
				{"text": correctOption, "correct": true},
				{"text": "Slēgt lietu", "correct": false},
				{"text": "Gaidīt nākamo nedēļu", "correct": false},
			},
		}, 201, nil); err != nil {
			return err
		}
	}
	return c.call(ctx, "POST", "/api/v1/courses/"+courseID+"/tests", team, map[string]any{
		"title": "Noslēguma tests", "final": true, "question_count": n, "pass_percent": 70,
		"time_limit_minutes": 30, "max_attempts": 3, "shuffle": true,
	}, 201, nil)
}

// correctOption is the text of every benchmark question's correct option.
const correctOption = "Nodrošināt klienta drošību"

// publish publishes the course. Where the platform asks for a final test
// (once assessment is part of it), it adds a question bank and a final
// test of 30 minutes (720 + 30 minutes stays within 12 hours ± 10 %) and
// tries again.
func (c *client) publish(ctx context.Context, team, courseID string) error {
	path := "/api/v1/courses/" + courseID + "/publish"
	err := c.call(ctx, "POST", path, team, nil, 200, nil)
	se, ok := err.(*statusError)
	if !ok || se.status != 422 || !bytes.Contains(se.body, []byte(`"tests"`)) {
		return err
	}
	for week := 1; week <= 5; week++ {
		for i := 1; i <= 2; i++ {
			if err := c.call(ctx, "POST", "/api/v1/courses/"+courseID+"/questions", team, map[string]any{
				"week": week, "kind": "single_choice", "points": 1,
				"text": fmt.Sprintf("%d. nedēļa, %d. jautājums: kas ir pirmais solis krīzes intervencē?", week, i),
				"options": []map[string]any{
					{"text": correctOption, "correct": true},
					{"text": "Slēgt lietu", "correct": false},
					{"text": "Gaidīt nākamo nedēļu", "correct": false},
				},
			}, 201, nil); err != nil {
				return fmt.Errorf("adding the final test the platform asks for: %w", err)
			}
		}
	}
	if err := c.call(ctx, "POST", "/api/v1/courses/"+courseID+"/tests", team, map[string]any{
		"title": "Noslēguma tests", "final": true, "question_count": 10, "pass_percent": 70,
		"time_limit_minutes": 30, "max_attempts": 3, "shuffle": true,
	}, 201, nil); err != nil {
		return fmt.Errorf("adding the final test the platform asks for: %w", err)
	}
	return c.call(ctx, "POST", path, team, nil, 200, nil)
}
