package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"time"
)

// outageResult is what answered through the balancer while MinIO was down.
type outageResult struct {
	Status     map[string]map[int]int // what → status → count
	Readyz     string                 // status and object_storage of /readyz
	RetryAfter string                 // the playback 503's Retry-After
	Noticed    time.Duration          // from the kill to three answers of /readyz saying so
	Recovered  time.Duration          // from MinIO's restart to the first playback 200
	RecoverErr string
}

// outage stops MinIO (SIGKILL, as a crash), then through the balancer reads
// the catalogue and the outline, enrols new learners, starts a final test
// attempt for learners already enrolled, asks for playback links and
// /readyz; then starts MinIO again and waits for playback to work.
func outage(ctx context.Context, f *fixture, m *erasureMinIO, fresh []person, cohortID string, enrolled []enrolled) outageResult {
	r := outageResult{Status: map[string]map[int]int{}}
	count := func(what string, status int) {
		if r.Status[what] == nil {
			r.Status[what] = map[int]int{}
		}
		r.Status[what][status]++
	}
	get := func(what, path, token string) (int, map[string][]string) {
		status, header, _, err := f.api.do(ctx, "GET", f.base+path, token, nil, nil)
		if err != nil {
			status = 0
		}
		count(what, status)
		return status, header
	}
	m.kill(syscall.SIGKILL)
	// Each replica probes storage about once a second; the requests below
	// begin once three answers of /readyz in a row (one per replica, round
	// robin) say so, or after 20 s.
	killed, inARow := time.Now(), 0
	for inARow < 3 && time.Since(killed) < 20*time.Second {
		if readyz(ctx, f).Checks["object_storage"] == "ok" {
			inARow = 0
			time.Sleep(100 * time.Millisecond)
			continue
		}
		inARow++
	}
	r.Noticed = time.Since(killed)
	for i := range 20 {
		get("GET /courses", "/api/v1/courses", fresh[i%len(fresh)].Token)
		get("GET /courses/{id}", "/api/v1/courses/"+f.courseID, fresh[i%len(fresh)].Token)
	}
	for _, p := range fresh {
		status, _, _, err := f.api.do(ctx, "POST", f.base+"/api/v1/cohorts/"+cohortID+"/enrolments", p.Token, nil, nil)
		if err != nil {
			status = 0
		}
		count("POST /cohorts/{id}/enrolments", status)
	}
	for _, e := range enrolled[:min(20, len(enrolled))] {
		status, _, _, err := f.api.do(ctx, "POST", f.base+"/api/v1/enrolments/"+e.EnrolmentID+"/tests/"+f.testID+"/attempts", e.Token, nil, nil)
		if err != nil {
			status = 0
		}
		count("POST /enrolments/{id}/tests/{id}/attempts", status)
	}
	for _, e := range enrolled[:min(20, len(enrolled))] {
		status, header := get("GET playback link", playbackPath(f, e), e.Token)
		if status == 503 && r.RetryAfter == "" {
			r.RetryAfter = strings.Join(header["Retry-After"], ",")
		}
	}
	ready := readyz(ctx, f)
	r.Readyz = fmt.Sprintf("%d, status %q, checks %v", ready.HTTPStatus, ready.Status, ready.Checks)

	restarted := time.Now()
	if err := m.up(ctx); err != nil {
		r.RecoverErr = err.Error()
		return r
	}
	for time.Since(restarted) < 60*time.Second {
		if status, _, _, err := f.api.do(ctx, "GET", f.base+playbackPath(f, enrolled[0]), enrolled[0].Token, nil, nil); err == nil && status == 200 {
			r.Recovered = time.Since(restarted)
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.RecoverErr = "playback gave no 200 within 60 s of MinIO's restart"
	return r
}

type readiness struct {
	HTTPStatus int               `json:"-"`
	Status     string            `json:"status"`
	Checks     map[string]string `json:"checks"`
}

// readyz is GET /readyz through the balancer (status 0: no answer).
func readyz(ctx context.Context, f *fixture) readiness {
	var out readiness
	status, _, body, err := f.api.do(ctx, "GET", f.base+"/readyz", "", nil, nil)
	if err == nil {
		out.HTTPStatus = status
		_ = json.Unmarshal(body, &out)
	}
	return out
}

func playbackPath(f *fixture, e enrolled) string {
	return "/api/v1/enrolments/" + e.EnrolmentID + "/lessons/" + f.lessonID + "/playback"
}

func (r outageResult) lines() []string {
	var out []string
	whats := make([]string, 0, len(r.Status))
	for w := range r.Status {
		whats = append(whats, w)
	}
	sort.Strings(whats)
	for _, w := range whats {
		codes := make([]int, 0, len(r.Status[w]))
		for c := range r.Status[w] {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var parts []string
		for _, c := range codes {
			label := fmt.Sprint(c)
			if c == 0 {
				label = "no answer"
			}
			parts = append(parts, fmt.Sprintf("%s × %d", label, r.Status[w][c]))
		}
		out = append(out, fmt.Sprintf("%s: %s", w, strings.Join(parts, ", ")))
	}
	out = append(out, fmt.Sprintf("storage gone, noticed by the replicas (3 × /readyz not ok in a row): %.1f s after the kill", r.Noticed.Seconds()))
	out = append(out, "GET /readyz: "+r.Readyz)
	if r.RetryAfter != "" {
		out = append(out, "playback 503 Retry-After: "+r.RetryAfter)
	}
	if r.RecoverErr != "" {
		out = append(out, "after MinIO's restart: "+r.RecoverErr)
	} else {
		out = append(out, fmt.Sprintf("MinIO restarted: playback 200 again after %.1f s", r.Recovered.Seconds()))
	}
	return out
}
