package media

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minio/minio-go/v7"
)

// core exposes the raw multipart calls that minio.Client only uses
// internally for PutObject.
func (s *S3Store) core() minio.Core { return minio.Core{Client: s.client} }

func (s *S3Store) CreateUpload(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	id, err := s.core().NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", s.mapErr(ctx, "create upload", key, err)
	}
	return id, nil
}

func (s *S3Store) PartURL(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (string, error) {
	return s.partURL(ctx, key, uploadID, number, 0, ttl)
}

// BoundedPartURL signs the part's Content-Length into the URL (a SigV4
// signed header): the storage recomputes the signature from the length the
// client sends, so a PUT of any other length fails with 403 and stores
// nothing.
func (s *S3Store) BoundedPartURL(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (string, error) {
	if size < 1 || size > MaxPartSize {
		return "", fmt.Errorf("media: part size must be between 1 and %d bytes, got %d", int64(MaxPartSize), size)
	}
	return s.partURL(ctx, key, uploadID, number, size, ttl)
}

func (s *S3Store) partURL(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if uploadID == "" {
		return "", ErrUploadNotFound
	}
	if err := checkPartNumber(number); err != nil {
		return "", err
	}
	if ttl < time.Second || ttl > 7*24*time.Hour {
		return "", fmt.Errorf("media: part URL lifetime must be between 1s and 7 days, got %s", ttl)
	}
	q := url.Values{"partNumber": {strconv.Itoa(number)}, "uploadId": {uploadID}}
	var signed http.Header
	if size > 0 {
		signed = http.Header{"Content-Length": {strconv.FormatInt(size, 10)}}
	}
	if err := s.health.check(ctx); err != nil { // a part URL that cannot take the part is no use
		return "", err
	}
	u, err := s.presign.PresignHeader(ctx, "PUT", s.bucket, key, ttl, q, signed)
	if err != nil {
		return "", fmt.Errorf("media: presign part %d of %s: %w", number, key, err)
	}
	return u.String(), nil
}

func (s *S3Store) CompleteUpload(ctx context.Context, key, uploadID string, parts []Part) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if uploadID == "" {
		return ObjectInfo{}, ErrUploadNotFound
	}
	if err := checkParts(parts); err != nil {
		return ObjectInfo{}, err
	}
	complete := make([]minio.CompletePart, len(parts))
	for i, p := range parts {
		complete[i] = minio.CompletePart{PartNumber: p.Number, ETag: unquoteETag(p.ETag)}
	}
	if _, err := s.core().CompleteMultipartUpload(ctx, s.bucket, key, uploadID, complete, minio.PutObjectOptions{}); err != nil {
		return ObjectInfo{}, s.mapUploadErr(ctx, "complete upload", key, err)
	}
	// The completion reply carries neither the size nor the content type.
	return s.Stat(ctx, key)
}

// SetContentType copies the object onto itself with new metadata, which S3
// and MinIO allow only when the metadata is replaced (MinIO then rewrites
// the metadata alone, not the data).
func (s *S3Store) SetContentType(ctx context.Context, key, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: key, ReplaceMetadata: true, UserMetadata: map[string]string{"Content-Type": contentType}},
		minio.CopySrcOptions{Bucket: s.bucket, Object: key})
	if err != nil {
		return s.mapErr(ctx, "set content type", key, err)
	}
	return nil
}

func (s *S3Store) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	// An empty id would turn the request into a plain DELETE of the object
	// on some servers; there is nothing to abort anyway.
	if uploadID == "" {
		return nil
	}
	err := s.core().AbortMultipartUpload(ctx, s.bucket, key, uploadID)
	if err == nil {
		return nil
	}
	if err = s.mapUploadErr(ctx, "abort upload", key, err); errors.Is(err, ErrUploadNotFound) {
		return nil
	}
	return err
}

func (s *S3Store) mapUploadErr(ctx context.Context, op, key string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchUpload:
		return ErrUploadNotFound
	case minio.InvalidPart, minio.InvalidPartOrder, minio.EntityTooSmall:
		return fmt.Errorf("%w: %v", ErrInvalidParts, err)
	}
	return s.mapErr(ctx, op, key, err)
}
