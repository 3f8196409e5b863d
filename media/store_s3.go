package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket (MinIO in development and tests).
type S3Config struct {
	Endpoint  string // host:port the server reaches
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
	// PublicURL is the address clients reach ("" = Endpoint), used to
	// presign: the signature covers the host, so a URL signed for an
	// internal address would be refused when fetched through a public one.
	// Either host:port (scheme from Secure) or a URL such as
	// "https://media.example.com".
	PublicURL string
	Region    string // default "us-east-1"
	// Now is the clock of the health probe's memory; time.Now when nil.
	Now func() time.Time
}

// S3Store keeps objects in one bucket of an S3-compatible service.
type S3Store struct {
	client *minio.Client
	// presign is only used to sign URLs for PublicURL; it never talks to
	// the network because its region is fixed.
	presign *minio.Client
	bucket  string
	region  string

	health      *health
	bucketReady atomic.Bool
	healthURL   string // MinIO's cluster health, which answers 503 without write quorum
	http        *http.Client
}

var _ ObjectStore = (*S3Store)(nil)

// unknownSizePartSize bounds the buffer minio-go allocates for uploads of
// unknown length; left to itself it picks ~512 MiB so that 10,000 parts can
// reach 5 TiB. 16 MiB parts still allow objects up to ~156 GiB.
const unknownSizePartSize = 16 << 20

// NewS3Store connects to cfg.Endpoint and creates the bucket when missing;
// when storage does not answer, the store is returned all the same and
// creates the bucket once it does (see health).
func NewS3Store(ctx context.Context, cfg S3Config) (*S3Store, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("media: S3 endpoint and bucket are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	host, secure, err := endpointHost(cfg.Endpoint, cfg.Secure)
	if err != nil {
		return nil, err
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	// An explicit region spares a GetBucketLocation round trip per bucket.
	// minio-go retries a refused connection ten times with backoff, about
	// four seconds per call; a request should learn sooner that storage is
	// down and answer 503.
	client, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region, MaxRetries: 2})
	if err != nil {
		return nil, fmt.Errorf("media: S3 client: %w", err)
	}
	public := cfg.PublicURL
	if public == "" {
		public = cfg.Endpoint
	}
	pubHost, pubSecure, err := endpointHost(public, cfg.Secure)
	if err != nil {
		return nil, err
	}
	presign, err := minio.New(pubHost, &minio.Options{Creds: creds, Secure: pubSecure, Region: cfg.Region})
	if err != nil {
		return nil, fmt.Errorf("media: S3 presign client: %w", err)
	}
	scheme := "http://"
	if secure {
		scheme = "https://"
	}
	s := &S3Store{client: client, presign: presign, bucket: cfg.Bucket, region: cfg.Region,
		healthURL: scheme + host + "/minio/health/cluster", http: &http.Client{Timeout: 2 * time.Second}}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s.health = &health{probe: s.probe, now: now}
	// Storage away at start-up is not a reason not to start: the probe
	// goes on asking, and creates the bucket once storage answers.
	_ = s.health.check(ctx)
	return s, nil
}

// Available is the last word of the health probe (asked anew when it is
// older than a second): nil, or ErrStorageUnavailable.
func (s *S3Store) Available(ctx context.Context) error { return s.health.check(ctx) }

// endpointHost accepts "host:port" or a URL with a scheme, because the
// public address is naturally written as a URL in configuration.
func endpointHost(raw string, secure bool) (string, bool, error) {
	if !strings.Contains(raw, "://") {
		return strings.TrimRight(raw, "/"), secure, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("media: S3 address %q: %w", raw, err)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("media: S3 address %q must be http(s)://host[:port]", raw)
	}
	return u.Host, u.Scheme == "https", nil
}

// Bucket names the bucket the store writes to.
func (s *S3Store) Bucket() string { return s.bucket }

func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if size < -1 {
		return ObjectInfo{}, fmt.Errorf("media: invalid size %d", size)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		// Two part buffers let the next part be read from the client while
		// the previous one is sent to storage; one would serialise the
		// two and halve the throughput. Memory stays at 2 × 16 MiB.
		opts.PartSize, opts.NumThreads, opts.ConcurrentStreamParts = unknownSizePartSize, 2, true
	}
	// The wrapper also hides io.ReaderAt, which would make minio-go upload
	// several parts in parallel, each with its own part-sized buffer.
	body := &trackedReader{r: r}
	if _, err := s.client.PutObject(ctx, s.bucket, key, body, size, opts); err != nil {
		// A failing or short body is the caller's problem, not the
		// storage's: do not let it pass for an outage.
		if n, rerr := body.result(); rerr != nil && !errors.Is(rerr, io.EOF) {
			return ObjectInfo{}, fmt.Errorf("media: put %s: %w", key, rerr)
		} else if size >= 0 && n < size {
			return ObjectInfo{}, fmt.Errorf("media: put %s: body ended after %d of %d bytes: %w", key, n, size, io.ErrUnexpectedEOF)
		}
		return ObjectInfo{}, s.mapErr(ctx, "put", key, err)
	}
	// minio-go reads parts with io.ReadFull and takes io.ErrUnexpectedEOF
	// for a short last part, so a body that broke off with that error is
	// stored as if complete. Undo such an object.
	if _, rerr := body.result(); rerr != nil && !errors.Is(rerr, io.EOF) {
		_ = s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, minio.RemoveObjectOptions{})
		return ObjectInfo{}, fmt.Errorf("media: put %s: %w", key, rerr)
	}
	// PutObject does not report the modification time; ask for it rather
	// than invent one.
	return s.Stat(ctx, key)
}

// trackedReader remembers how the caller's body ended. It is locked because
// net/http may still be reading the body after the request has returned.
type trackedReader struct {
	r   io.Reader
	mu  sync.Mutex
	n   int64
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.mu.Lock()
	t.n += int64(n)
	if err != nil && t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
	return n, err
}

func (t *trackedReader) result() (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n, t.err
}

func (s *S3Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.mapErr(ctx, "stat", key, err)
	}
	return ObjectInfo{
		Key:          key,
		Size:         oi.Size,
		ContentType:  oi.ContentType,
		ETag:         oi.ETag,
		LastModified: oi.LastModified.UTC(),
	}, nil
}

func (s *S3Store) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := checkRange(offset, length); err != nil {
		return nil, err
	}
	// GetObject is lazy and would only report a missing key on the first
	// Read, too late for the caller to answer 404.
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	n, err := clampRange(offset, length, info.Size)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return emptyBody(), nil
	}
	var opts minio.GetObjectOptions
	// Pinning the ETag makes a concurrent overwrite fail the read instead
	// of splicing two versions together.
	if info.ETag != "" {
		if err := opts.SetMatchETag(info.ETag); err != nil {
			return nil, err
		}
	}
	if offset != 0 || n != info.Size {
		if err := opts.SetRange(offset, offset+n-1); err != nil {
			return nil, err
		}
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return nil, s.mapErr(ctx, "open", key, err)
	}
	return obj, nil
}

func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	// S3 DELETE already succeeds for a missing key.
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil
		}
		return s.mapErr(ctx, "delete", key, err)
	}
	return nil
}

func (s *S3Store) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	// SigV4 presigned URLs live from 1 second to 7 days.
	if ttl < time.Second || ttl > 7*24*time.Hour {
		return "", fmt.Errorf("media: signed URL lifetime must be between 1s and 7 days, got %s", ttl)
	}
	// Signing needs no network, so without this a link would be handed
	// out that cannot be played.
	if err := s.health.check(ctx); err != nil {
		return "", err
	}
	u, err := s.presign.PresignedGetObject(ctx, s.bucket, key, ttl, nil)
	if err != nil {
		return "", fmt.Errorf("media: presign %s: %w", key, err)
	}
	return u.String(), nil
}

// Ping reports any failure, a timeout or refused credentials included, as
// ErrStorageUnavailable: whatever the cause, the instance cannot serve media.
func (s *S3Store) Ping(ctx context.Context) error { return s.health.check(ctx) }

// mapErr sorts minio-go errors into what callers act on: missing object,
// storage outage (503), cancellation, or anything else as is.
func (s *S3Store) mapErr(ctx context.Context, op, key string, err error) error {
	err = classify(ctx, op, key, err)
	s.health.down(err)
	return err
}

func classify(ctx context.Context, op, key string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchKey:
			return ErrObjectNotFound
		case resp.Code == minio.NoSuchBucket, resp.StatusCode >= http.StatusInternalServerError:
			return fmt.Errorf("%w: %s %s: %v", ErrStorageUnavailable, op, key, err)
		}
		return fmt.Errorf("media: s3 %s %s: %w", op, key, err)
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("media: s3 %s %s: %w", op, key, errors.Join(err, ctx.Err()))
	}
	// No response from the server at all: connection refused, DNS, TLS,
	// reset connections.
	return fmt.Errorf("%w: %s %s: %v", ErrStorageUnavailable, op, key, err)
}
