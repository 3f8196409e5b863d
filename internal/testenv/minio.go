package testenv

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/media"
)

// MinIO returns the configuration of a bucket of its own on the test MinIO
// server, so tests can run in parallel and leave nothing behind. The bucket
// is not created here (NewS3Store does that); it is emptied and removed when
// the test ends.
func MinIO(t testing.TB) media.S3Config {
	t.Helper()
	if err := sharedMinIO(); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	endpoint := os.Getenv(EnvS3Endpoint)
	cfg := media.S3Config{
		Endpoint:  endpoint,
		AccessKey: os.Getenv(EnvS3AccessKey),
		SecretKey: os.Getenv(EnvS3SecretKey),
		Secure:    os.Getenv(EnvS3Secure) == "true",
		Bucket:    bucketName(t),
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// bucketName keeps a readable trace of the test in the name, which helps
// when a bucket is left behind by a killed test run.
func bucketName(t testing.TB) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 30 {
			break
		}
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return "t-" + strings.Trim(b.String(), "-") + "-" + randomHex(t, 8)
}

func randomHex(t testing.TB, n int) string {
	s, err := randomString(n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func removeBucket(t testing.TB, cfg media.S3Config) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: "us-east-1",
	})
	if err != nil {
		t.Errorf("testenv: cleaning up bucket %s: %v", cfg.Bucket, err)
		return
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		t.Errorf("testenv: cleaning up bucket %s: %v", cfg.Bucket, err)
		return
	}
	if !exists {
		return
	}
	objects := client.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true})
	for res := range client.RemoveObjects(ctx, cfg.Bucket, objects, minio.RemoveObjectsOptions{}) {
		t.Errorf("testenv: removing %s from bucket %s: %v", res.ObjectName, cfg.Bucket, res.Err)
	}
	// Interrupted multipart uploads would otherwise keep their parts.
	for up := range client.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		if up.Err != nil {
			t.Errorf("testenv: listing uploads in bucket %s: %v", cfg.Bucket, up.Err)
			break
		}
		if err := client.RemoveIncompleteUpload(ctx, cfg.Bucket, up.Key); err != nil {
			t.Errorf("testenv: aborting upload of %s in bucket %s: %v", up.Key, cfg.Bucket, err)
		}
	}
	if err := client.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Errorf("testenv: removing bucket %s: %v", cfg.Bucket, err)
	}
}

// S3Store returns a store on a fresh bucket of the test MinIO server.
func S3Store(t testing.TB) *media.S3Store {
	t.Helper()
	cfg := MinIO(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatalf("testenv: S3 store on %s: %v", cfg.Endpoint, err)
	}
	return store
}

// DiskStore returns a disk store in a temporary folder whose signed URLs
// point at a test HTTP server running its Handler under "/objects".
func DiskStore(t testing.TB) *media.DiskStore {
	t.Helper()
	// The listener exists before the server starts, so the public base URL
	// is known before the store (and thus the handler) is built.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/objects"
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	store, err := media.NewDiskStore(t.TempDir(), base, secret)
	if err != nil {
		_ = srv.Listener.Close()
		t.Fatalf("testenv: disk store: %v", err)
	}
	srv.Config.Handler = store.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return store
}
