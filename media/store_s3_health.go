package media

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"golang.org/x/sync/singleflight"
)

// probeEvery is the longest a remembered answer of the storage probe is
// trusted: a replica learns within a second that storage came back, and
// asks at most once a second however many requests want to know.
const probeEvery = time.Second

// health remembers whether object storage answered its last probe, so a
// replica can start and serve without storage (the catalogue, tests and
// enrolment need none), refuse at once what needs it (a playback link to
// an object that cannot be read), and notice when it returns. Operations
// that fail for lack of storage mark it down at once.
type health struct {
	probe func(ctx context.Context) error
	now   func() time.Time
	calls singleflight.Group

	mu      sync.Mutex
	checked time.Time // zero: never probed, or marked down by an operation
	err     error
}

// check returns the last answer when it is recent, else probes, one probe
// at a time shared by every caller waiting for it.
func (h *health) check(ctx context.Context) error {
	h.mu.Lock()
	if !h.checked.IsZero() && h.now().Sub(h.checked) < probeEvery {
		err := h.err
		h.mu.Unlock()
		return err
	}
	h.mu.Unlock()
	ch := h.calls.DoChan("probe", func() (any, error) {
		// Not the caller's context: a cancelled request must not leave a
		// failed answer behind for the others.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		err := h.probe(pctx)
		h.mu.Lock()
		h.checked, h.err = h.now(), err
		h.mu.Unlock()
		return nil, err
	})
	select {
	case res := <-ch:
		return res.Err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrStorageUnavailable, ctx.Err())
	}
}

// down records that an operation found storage unreachable: the next check
// probes again instead of trusting an older good answer.
func (h *health) down(err error) {
	if !errors.Is(err, ErrStorageUnavailable) {
		return
	}
	h.mu.Lock()
	h.checked, h.err = time.Time{}, err
	h.mu.Unlock()
}

// probe is the S3 store's health check: the bucket exists (it is created
// here when missing, so a replica started while storage was away creates
// it once storage answers) and, on MinIO, the cluster has write quorum;
// a MinIO erasure set that lost it still serves reads but refuses every
// upload, which readiness should say.
func (s *S3Store) probe(ctx context.Context) error {
	if err := s.ensureBucket(ctx); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.healthURL, nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: cluster health: %w", ErrStorageUnavailable, err)
	}
	_ = resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNotFound, http.StatusForbidden: // 404/403: not MinIO, no such endpoint
		return nil
	default:
		return fmt.Errorf("%w: cluster health answered %s (no write quorum)", ErrStorageUnavailable, resp.Status)
	}
}

// ensureBucket creates the bucket when missing; once it exists the store
// does not ask again.
func (s *S3Store) ensureBucket(ctx context.Context) error {
	if s.bucketReady.Load() {
		ok, err := s.client.BucketExists(ctx, s.bucket)
		switch {
		case err != nil:
			return fmt.Errorf("%w: ping bucket %q: %w", ErrStorageUnavailable, s.bucket, err)
		case !ok:
			return fmt.Errorf("%w: bucket %q does not exist", ErrStorageUnavailable, s.bucket)
		}
		return nil
	}
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("%w: bucket %q: %w", ErrStorageUnavailable, s.bucket, err)
	}
	if !exists {
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
		// Another replica starting at the same time may win the race.
		if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
			return s.mapErr(ctx, "make bucket", s.bucket, err)
		}
	}
	s.bucketReady.Store(true)
	return nil
}
