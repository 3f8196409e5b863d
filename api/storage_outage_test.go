package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

type readyReply struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (s *server) readiness(t *testing.T) readyReply {
	t.Helper()
	var r readyReply
	s.do(request{method: "GET", path: "/readyz"}).expect(t, 200).json(t, &r)
	return r
}

// With MinIO away, the replica stays ready (the balancer keeps it) and
// says storage is degraded; the catalogue and enrolment go on; a playback
// link is refused with 503 unavailable and Retry-After rather than handed
// out for a video that cannot be read; when MinIO returns, all is as
// before within a second of the probe's clock.
func TestStorageOutageDegradesInsteadOfFailing(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := newClock(time.Now().UTC().Truncate(time.Second))
		s := newSchool(t, db, options{clock: clock, outage: true})
		c := s.cohort(200, 24*time.Hour)
		_, learner := s.signUp()
		e := s.enrolled(learner, c.ID)
		playback := "/api/v1/enrolments/" + e.ID + "/lessons/" + s.published.Weeks[0].Lessons[0].ID + "/playback"
		s.do(request{method: "GET", path: playback, token: learner}).expect(t, 200)

		s.outage.Down()
		clock.Set(clock.Now().Add(2 * time.Second)) // past the probe's memory of a good answer
		if r := s.readiness(t); r.Status != "degraded" || r.Checks["object_storage"] != "degraded" || r.Checks["database"] != "ok" {
			t.Fatalf("readyz with MinIO away: %+v", r)
		}
		rep := s.do(request{method: "GET", path: playback, token: learner})
		rep.problem(t, 503, "unavailable")
		if got := rep.header.Get("Retry-After"); got == "" {
			t.Error("503 without Retry-After")
		}
		s.do(request{method: "GET", path: "/api/v1/courses/" + s.published.ID, token: learner}).expect(t, 200)
		_, other := s.signUp()
		s.enrolled(other, c.ID)

		s.outage.Up()
		clock.Set(clock.Now().Add(2 * time.Second))
		if r := s.readiness(t); r.Status != "ok" || r.Checks["object_storage"] != "ok" {
			t.Fatalf("readyz with MinIO back: %+v", r)
		}
		s.do(request{method: "GET", path: playback, token: learner}).expect(t, 200)
	})
}

// A replica starts while MinIO is away (it used to exit: "object storage
// unavailable: bucket …"), serves what needs no storage, and creates its
// bucket once MinIO answers.
func TestReplicaStartsWithoutStorage(t *testing.T) {
	clock := newClock(time.Now().UTC().Truncate(time.Second))
	s := newServer(t, database.SQLite, options{clock: clock, outageAtStart: true})
	if r := s.readiness(t); r.Status != "degraded" || r.Checks["object_storage"] != "degraded" {
		t.Fatalf("readyz at a start without MinIO: %+v", r)
	}
	s.signUp()
	client, err := minio.New(s.s3.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.s3.AccessKey, s.s3.SecretKey, ""),
		Secure: s.s3.Secure, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, err := client.BucketExists(ctx, s.s3.Bucket); err != nil || ok {
		t.Fatalf("the bucket exists before MinIO was reachable: %v %v", ok, err)
	}
	s.outage.Up()
	clock.Set(clock.Now().Add(2 * time.Second))
	if r := s.readiness(t); r.Status != "ok" || r.Checks["object_storage"] != "ok" {
		t.Fatalf("readyz once MinIO answers: %+v", r)
	}
	if ok, err := client.BucketExists(ctx, s.s3.Bucket); err != nil || !ok {
		t.Fatalf("no bucket once MinIO answered: %v %v", ok, err)
	}
}
