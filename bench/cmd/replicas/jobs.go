package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
)

// eligible enrols people into the cohort through the balancer and makes
// each eligible with SQL, as the learning and the final test would have:
// every lesson completed and a passed final attempt.
func (f *fixture) eligible(ctx context.Context, people []person, cohortID string) error {
	for _, p := range people {
		if err := f.api.call(ctx, "POST", f.base+"/api/v1/cohorts/"+cohortID+"/enrolments", p.Token, nil, 201, nil); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	return pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO lesson_progress (enrolment_id, lesson_id, position_seconds, completed, completed_at, updated_at)
			SELECT e.id, l.id, 0, TRUE, $2, $2 FROM enrolments e JOIN lessons l ON l.course_id = e.course_id
			WHERE e.cohort_id = $1 AND e.status = 'enrolled'`, cohortID, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO attempts (id, test_id, enrolment_id, user_id, number, started_at, expires_at, submitted_at, score, max_score, percent, passed)
			SELECT gen_random_uuid()::text, $2, e.id, e.user_id, 1, $3::timestamptz, $3::timestamptz + interval '30 minutes', $3::timestamptz + interval '5 minutes', 2, 2, 100, TRUE
			FROM enrolments e WHERE e.cohort_id = $1 AND e.status = 'enrolled'`, cohortID, f.testID, now.Add(-time.Hour))
		return err
	})
}

type job struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Issued int    `json:"issued"`
	Failed int    `json:"failed"`
}

// takeoverResult is a bulk certificate job whose replica was killed.
type takeoverResult struct {
	Holders        int
	Killed         string
	IssuedAtKill   int
	StatusAtKill   string
	Takeover       time.Duration // from the kill to the poll that saw the job done
	Done           bool
	Final          job
	Certificates   int // rows of the cohort's certificates
	OrphansBefore  int
	OrphansAfter   int
	SweepWaited    time.Duration
	Objects        int
	OrphanCheckErr string
	OrphanSample   []string // a few orphans' keys
}

// takeover starts the job on victim, kills victim once the job has begun
// (or after 300 ms), and polls through the balancer until it is done or
// limit has passed.
func takeover(ctx context.Context, f *fixture, cohortID string, holders int, victim *replica, limit time.Duration) (takeoverResult, error) {
	r := takeoverResult{Holders: holders, Killed: victim.id}
	var j job
	if err := f.api.call(ctx, "POST", victim.url()+"/api/v1/cohorts/"+cohortID+"/certificates", f.team, nil, 202, &j); err != nil {
		return r, err
	}
	began := time.Now()
	for time.Since(began) < 300*time.Millisecond {
		var now job
		if err := f.api.call(ctx, "GET", victim.url()+"/api/v1/certificate-jobs/"+j.ID, f.team, nil, 200, &now); err == nil {
			j = now
		}
		if j.Issued > 0 || j.Status == "done" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.IssuedAtKill, r.StatusAtKill = j.Issued, j.Status
	fmt.Fprintf(os.Stderr, "    kill -9 %s (pid %d) with the job %s, %d of %d issued\n", victim.id, victim.pid(), j.Status, j.Issued, holders)
	killed := time.Now()
	victim.kill(syscall.SIGKILL)
	for time.Since(killed) < limit && ctx.Err() == nil {
		status, _, body, err := f.api.do(ctx, "GET", f.base+"/api/v1/certificate-jobs/"+j.ID, f.team, nil, nil)
		if err == nil && status == 200 && json.Unmarshal(body, &j) == nil && (j.Status == "done" || j.Status == "failed") {
			r.Done = j.Status == "done"
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.Takeover, r.Final = time.Since(killed), j
	err := f.pool.QueryRow(ctx, `SELECT count(*) FROM certificates c JOIN enrolments e ON c.source_id = e.id WHERE e.cohort_id = $1`, cohortID).Scan(&r.Certificates)
	return r, err
}

// orphans counts the objects in the bucket that no row names: a media
// record's object or a certificate's PDF.
func orphans(ctx context.Context, f *fixture, s3 *minio.Client, bucket string) (orphaned, objects int, sample []string, err error) {
	known := map[string]bool{}
	for _, q := range []string{`SELECT object_key FROM media`, `SELECT pdf_key FROM certificates`} {
		rows, err := f.pool.Query(ctx, q)
		if err != nil {
			return 0, 0, nil, err
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return 0, 0, nil, err
		}
		for _, k := range keys {
			known[k] = true
		}
	}
	for o := range s3.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			return 0, 0, nil, o.Err
		}
		objects++
		if !known[o.Key] {
			orphaned++
			if len(sample) < 3 {
				sample = append(sample, o.Key)
			}
		}
	}
	return orphaned, objects, sample, nil
}

// sweep waits up to limit for the orphans to be swept, polling every
// second; it returns at once when there are none.
func sweep(ctx context.Context, f *fixture, s3 *minio.Client, bucket string, r *takeoverResult, limit time.Duration) {
	n, objects, sample, err := orphans(ctx, f, s3, bucket)
	if err != nil {
		r.OrphanCheckErr = err.Error()
		return
	}
	r.OrphansBefore, r.OrphansAfter, r.Objects, r.OrphanSample = n, n, objects, sample
	began := time.Now()
	for r.OrphansAfter > 0 && time.Since(began) < limit && ctx.Err() == nil {
		time.Sleep(time.Second)
		if n, objects, sample, err = orphans(ctx, f, s3, bucket); err == nil {
			r.OrphansAfter, r.Objects, r.OrphanSample = n, objects, sample
		}
	}
	r.SweepWaited = time.Since(began)
}

func (r takeoverResult) print() {
	fmt.Printf("jobs: bulk issue of %d certificates; %s killed with the job %s and %d issued\n", r.Holders, r.Killed, r.StatusAtKill, r.IssuedAtKill)
	if r.Done {
		fmt.Printf("jobs: done through another replica %.1f s after the kill (goal < 60 s): %d issued, %d failed; %d certificate rows\n",
			r.Takeover.Seconds(), r.Final.Issued, r.Final.Failed, r.Certificates)
	} else {
		fmt.Printf("jobs: NOT done %.0f s after the kill (status %q, %d issued; %d certificate rows): no replica took the job over\n",
			r.Takeover.Seconds(), r.Final.Status, r.Final.Issued, r.Certificates)
	}
	if r.OrphanCheckErr != "" {
		fmt.Printf("orphans: not measured: %s\n", r.OrphanCheckErr)
		return
	}
	fmt.Printf("orphans: %d objects in the bucket; %d unknown to the database after the job, %d after waiting %.0f s for the sweep\n",
		r.Objects, r.OrphansBefore, r.OrphansAfter, r.SweepWaited.Seconds())
	if len(r.OrphanSample) > 0 {
		fmt.Printf("orphans: e.g. %s\n", strings.Join(r.OrphanSample, ", "))
	}
}
