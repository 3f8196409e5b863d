package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"mooc/bench"
	"mooc/certificates"
	"mooc/config"
)

// Targets of issues 5 and 6.
const (
	targetSubmitP99   = 100 * time.Millisecond // final test submissions, 200 at once
	targetCertsPerSec = 100.0                  // bulk certificate issue
)

// submitReport is the final test submissions of issue 5.
type submitReport struct {
	Learners  int          `json:"learners"`
	Questions int          `json:"questions"`
	Burst     burstFigures `json:"burst"`
	Ref       burstFigures `json:"reference_burst"` // bare Fiber
	Passed    int          `json:"passed"`
	ServerCPU float64      `json:"server_cpu_seconds"`
	Load      string       `json:"load_average"`
}

func (r *submitReport) pass() bool {
	return r.Burst.Errors == 0 && r.Burst.P99ms <= msOf(targetSubmitP99)
}

// finalCohort is the cohort of the submissions, reused by the
// certificates: its learners, their enrolments, all passed.
type finalCohort struct {
	cohort     cohortReply
	people     []learner
	enrolments []string
}

type startedAttempt struct {
	ID        string `json:"id"`
	Questions []struct {
		ID      string `json:"id"`
		Options []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"options"`
	} `json:"questions"`
}

// submissions: learners written with SQL enrol over HTTP into a cohort in
// its last week and start the final test over HTTP; then every attempt is
// submitted at one instant, each with the right answers.
func (s *stage) submissions(ctx context.Context) (*submitReport, *finalCohort, error) {
	n := s.o.submitLearners
	r := &submitReport{Learners: n, Load: loadAverage()}
	course, err := s.benchCourse(ctx)
	if err != nil {
		return nil, nil, err
	}
	step(fmt.Sprintf("final test submissions: %d learners (SQL) enrol over HTTP into a cohort in its last week and start the final test", n))
	people, err := s.learners(ctx, groupSubmit, n)
	if err != nil {
		return nil, nil, err
	}
	// started 30 days ago: the fifth week, and with it the final test, opened two days ago
	cohort, err := s.cohort(ctx, "Noslēguma tests", n, 30*24*time.Hour)
	if err != nil {
		return nil, nil, err
	}
	fc := &finalCohort{cohort: cohort, people: people, enrolments: make([]string, n)}
	attempts := make([]startedAttempt, n)
	api := &client{base: s.o.url, http: apiClient(8)}
	err = parallel(ctx, n, 8, func(ctx context.Context, i int) error {
		var e enrolmentReply
		if err := api.call(ctx, "POST", "/api/v1/cohorts/"+cohort.ID+"/enrolments", people[i].Token, nil, 201, &e); err != nil {
			return err
		}
		if e.Status != "enrolled" {
			return fmt.Errorf("learner %d was %s, want enrolled", i+1, e.Status)
		}
		fc.enrolments[i] = e.ID
		return api.call(ctx, "POST", "/api/v1/enrolments/"+e.ID+"/tests/"+course.FinalTestID+"/attempts", people[i].Token, nil, 201, &attempts[i])
	})
	if err != nil {
		return nil, nil, err
	}
	r.Questions = len(attempts[0].Questions)
	reqs := make([]bench.BurstRequest, n)
	for i, a := range attempts {
		type answer struct {
			QuestionID string   `json:"question_id"`
			OptionIDs  []string `json:"option_ids"`
		}
		var answers []answer
		for _, q := range a.Questions {
			ans := answer{QuestionID: q.ID, OptionIDs: []string{}}
			for _, o := range q.Options {
				if o.Text == correctOption {
					ans.OptionIDs = append(ans.OptionIDs, o.ID)
				}
			}
			answers = append(answers, ans)
		}
		body, _ := json.Marshal(map[string]any{"answers": answers})
		reqs[i] = bench.BurstRequest{Method: "POST", Path: "/api/v1/attempts/" + a.ID + "/submit", Body: body,
			Header: map[string]string{"Authorization": "Bearer " + people[i].Token, "Content-Type": "application/json"}}
	}

	settle()
	step(fmt.Sprintf("final test submissions: %d × POST /api/v1/attempts/{id}/submit (%d questions each) at once", n, r.Questions))
	cpu0, _ := bench.ReadCPU(s.o.pid)
	res, err := bench.Burst(ctx, hostPort(s.o.url), reqs, time.Minute)
	if err != nil {
		return nil, nil, err
	}
	cpu1, _ := bench.ReadCPU(s.o.pid)
	r.ServerCPU = (cpu1 - cpu0).Seconds()
	ok := func(st int) bool { return st == 200 }
	r.Burst = burstSummary(res, ok)
	var sample []byte
	for _, rep := range res.Replies {
		var out struct {
			Passed bool `json:"passed"`
		}
		if rep.Status == 200 && json.Unmarshal(rep.Body, &out) == nil && out.Passed {
			r.Passed++
			sample = rep.Body
		}
	}
	fmt.Fprintf(os.Stderr, "    all answered in %.0f ms, p50 %.1f ms, p99 %.1f ms, %d errors, %d passed, server CPU %.2f s\n",
		r.Burst.Seconds*1000, r.Burst.P50ms, r.Burst.P99ms, r.Burst.Errors, r.Passed, r.ServerCPU)
	if r.Burst.Errors > 0 {
		fmt.Fprintf(os.Stderr, "    first failure: %s\n", r.Burst.FirstError)
	}
	if sample == nil {
		return nil, nil, fmt.Errorf("no submission passed: %s", r.Burst.FirstError)
	}

	// The reference: a bare Fiber handler answering the same reply bytes
	// to the same requests, in a process of its own.
	settle()
	step(fmt.Sprintf("final test submissions reference: bare Fiber handler, %d requests at once", n))
	ref, err := startReference(ctx, sample, s.o.refInProcess)
	if err != nil {
		return nil, nil, err
	}
	refRes, err := bench.Burst(ctx, ref.addr, reqs, time.Minute)
	if serr := ref.stop(); err == nil && serr != nil && !s.o.refInProcess {
		fmt.Fprintln(os.Stderr, "moocload: stopping the reference server:", serr)
	}
	if err != nil {
		return nil, nil, err
	}
	r.Ref = burstSummary(refRes, ok)
	fmt.Fprintf(os.Stderr, "    all answered in %.0f ms, p50 %.1f ms, p99 %.1f ms, %d errors\n", r.Ref.Seconds*1000, r.Ref.P50ms, r.Ref.P99ms, r.Ref.Errors)
	if r.Passed != n {
		return r, nil, nil // the certificates need every learner passed
	}
	return r, fc, nil
}

// certReport is the bulk certificate issue of issue 6.
type certReport struct {
	Learners    int     `json:"learners"`
	Issued      int     `json:"issued"`
	Existing    int     `json:"existing"`
	NotEligible int     `json:"not_eligible"`
	Failed      int     `json:"failed"`
	Status      string  `json:"status"`
	Seconds     float64 `json:"seconds"`     // POST to the poll that saw the job done
	JobSeconds  float64 `json:"job_seconds"` // the job's finished_at − created_at
	PerSecond   float64 `json:"certificates_per_s"`
	ServerCPU   float64 `json:"server_cpu_seconds"`
	// Render is certificates.Render alone, Sealed the same with the seal's
	// signature, as the platform stores them (issue 19).
	Render drawnPages `json:"render"`
	Sealed drawnPages `json:"render_and_seal"`
	Ratio  float64    `json:"per_certificate_ratio"` // wall time per certificate, platform over Render
	Load   string     `json:"load_average"`
}

// drawnPages are certificate pages drawn in the load tool.
type drawnPages struct {
	N          int     `json:"n"`
	Workers    int     `json:"workers"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_s"`
	CPUSeconds float64 `json:"cpu_seconds"`
	Bytes      int     `json:"pdf_bytes"`
}

func (r *certReport) pass() bool {
	return r.Status == "done" && r.Issued == r.Learners && r.Failed == 0 && r.PerSecond >= targetCertsPerSec
}

type jobReply struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Total       int        `json:"total"`
	Issued      int        `json:"issued"`
	Existing    int        `json:"existing"`
	NotEligible int        `json:"not_eligible"`
	Failed      int        `json:"failed"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

// certificatesBulk: the submissions' learners all passed the final test;
// their lessons are marked completed with SQL (lesson_progress rows, as
// PUT …/progress writes them); then the team issues the cohort's
// certificates as one job and polls it. Beside it: certificates.Render of
// the same pages in this process, with as many workers as the job.
func (s *stage) certificatesBulk(ctx context.Context, fc *finalCohort) (*certReport, error) {
	course, err := s.benchCourse(ctx)
	if err != nil {
		return nil, err
	}
	r := &certReport{Learners: len(fc.people), Load: loadAverage()}
	step(fmt.Sprintf("certificates: mark the %d learners' %d lessons completed with SQL", len(fc.people), len(course.Lessons)))
	now := time.Now().UTC()
	var rows [][]any
	for _, e := range fc.enrolments {
		for _, l := range course.Lessons {
			rows = append(rows, []any{e, l.ID, 600, true, now, now})
		}
	}
	if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"lesson_progress"},
		[]string{"enrolment_id", "lesson_id", "position_seconds", "completed", "completed_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("lesson progress: %w", err)
	}

	settle()
	step(fmt.Sprintf("certificates: POST /api/v1/cohorts/{id}/certificates for %d learners, then poll the job", len(fc.people)))
	cpu0, _ := bench.ReadCPU(s.o.pid)
	t0 := time.Now()
	var job jobReply
	if err := s.api.call(ctx, "POST", "/api/v1/cohorts/"+fc.cohort.ID+"/certificates", s.team, nil, 202, &job); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for job.Status != "done" && job.Status != "failed" {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the certificate job is still %s after 10 minutes (%d of %d issued)", job.Status, job.Issued, job.Total)
		}
		time.Sleep(50 * time.Millisecond)
		if err := s.api.call(ctx, "GET", "/api/v1/certificate-jobs/"+job.ID, s.team, nil, 200, &job); err != nil {
			return nil, err
		}
	}
	r.Seconds = time.Since(t0).Seconds()
	cpu1, _ := bench.ReadCPU(s.o.pid)
	r.ServerCPU = (cpu1 - cpu0).Seconds()
	r.Status, r.Issued, r.Existing, r.NotEligible, r.Failed = job.Status, job.Issued, job.Existing, job.NotEligible, job.Failed
	if job.FinishedAt != nil {
		r.JobSeconds = job.FinishedAt.Sub(job.CreatedAt).Seconds()
	}
	if r.Seconds > 0 {
		r.PerSecond = float64(r.Issued) / r.Seconds
	}
	fmt.Fprintf(os.Stderr, "    %s: %d issued, %d existing, %d not eligible, %d failed in %.2f s (job's own times: %.2f s): %.0f/s, server CPU %.1f s\n",
		job.Status, r.Issued, r.Existing, r.NotEligible, r.Failed, r.Seconds, r.JobSeconds, r.PerSecond, r.ServerCPU)

	// The reference: the same pages rendered here.
	settle()
	workers := runtime.GOMAXPROCS(0) * 2 // as the job's
	step(fmt.Sprintf("certificates reference: certificates.Render of the same %d pages, %d workers", len(fc.people), workers))
	docs := make([]certificates.Document, len(fc.people))
	issued := time.Now().UTC()
	for i, p := range fc.people {
		code := certificateCode()
		docs[i] = certificates.Document{Code: code, HolderName: p.fullName(), Kind: "course", Title: course.Title,
			MethodologyTitle: course.MethodologyTitle, Hours: 12, From: fc.cohort.StartsAt, To: fc.cohort.EndsAt,
			IssuedAt: issued, VerifyURL: s.o.url + "/verify/" + code, Issuer: certificates.Issuer{Name: config.DefaultIssuerName}}
	}
	if r.Render, err = drawPages(docs, workers, nil); err != nil {
		return nil, err
	}
	// The seal is generated as a server with none configured generates
	// its own, in a directory of the run's.
	dir, err := os.MkdirTemp("", "moocload-seal-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	seal, err := certificates.OpenSeal(certificates.SealConfig{DataDir: dir, IssuerName: config.DefaultIssuerName})
	if err != nil {
		return nil, err
	}
	settle()
	step(fmt.Sprintf("certificates reference: certificates.Render and Seal.Sign of the same %d pages, %d workers", len(fc.people), workers))
	if r.Sealed, err = drawPages(docs, workers, seal); err != nil {
		return nil, err
	}
	if r.Issued > 0 && r.Render.PerSecond > 0 {
		r.Ratio = (r.Seconds / float64(r.Issued)) / (r.Render.Seconds / float64(r.Render.N))
	}
	fmt.Fprintf(os.Stderr, "    %d pages in %.2f s: %.0f/s, CPU %.1f s; sealed: %.2f s, %.0f/s, CPU %.1f s; the platform takes %.1f× the wall time per certificate of Render alone\n",
		r.Render.N, r.Render.Seconds, r.Render.PerSecond, r.Render.CPUSeconds, r.Sealed.Seconds, r.Sealed.PerSecond, r.Sealed.CPUSeconds, r.Ratio)
	return r, nil
}

// drawPages renders the documents with as many workers, and signs each
// with the seal when one is given.
func drawPages(docs []certificates.Document, workers int, seal *certificates.Seal) (drawnPages, error) {
	self := os.Getpid()
	cpu0, _ := bench.ReadCPU(self)
	start := time.Now()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		rerr     error
		bytesOut int
		next     = make(chan int)
	)
	for range workers {
		wg.Go(func() {
			for i := range next {
				pdf, err := certificates.Render(docs[i])
				if err == nil && seal != nil {
					pdf, err = seal.Sign(pdf, docs[i].IssuedAt)
				}
				mu.Lock()
				if err != nil && rerr == nil {
					rerr = err
				}
				bytesOut = max(bytesOut, len(pdf))
				mu.Unlock()
			}
		})
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()
	took := time.Since(start)
	cpu1, _ := bench.ReadCPU(self)
	if rerr != nil {
		return drawnPages{}, fmt.Errorf("certificates: %w", rerr)
	}
	return drawnPages{N: len(docs), Workers: workers, Seconds: took.Seconds(), PerSecond: float64(len(docs)) / took.Seconds(),
		CPUSeconds: (cpu1 - cpu0).Seconds(), Bytes: bytesOut}, nil
}

// certificateCode is a code shaped as the platform's (three groups of four
// unambiguous letters and digits).
func certificateCode() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"
	b := make([]byte, 0, 14)
	for i := range 12 {
		if i > 0 && i%4 == 0 {
			b = append(b, '-')
		}
		b = append(b, alphabet[rand.IntN(len(alphabet))])
	}
	return string(b)
}
