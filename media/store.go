package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
)

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ContentType  string
	ETag         string
	LastModified time.Time
}

// UploadInfo describes a multipart upload begun and neither completed nor
// aborted.
type UploadInfo struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

var (
	ErrObjectNotFound = errors.New("media: object not found")
	ErrInvalidKey     = errors.New("media: invalid object key")
	// ErrStorageUnavailable wraps transport and connection failures so the
	// API can answer 503 instead of blaming the client.
	ErrStorageUnavailable = errors.New("media: object storage unavailable")
)

// ObjectStore is what the rest of the platform knows about object storage;
// the disk store serves development and small installs, the S3 store
// production.
type ObjectStore interface {
	// Put streams r into key. size is the exact length, or -1 when unknown;
	// memory use stays bounded (a few MiB, never the whole object) either way.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error)
	// Stat returns ErrObjectNotFound for a missing key.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Open is a ranged read; length -1 reads to the end. It returns
	// ErrObjectNotFound up front rather than on the first Read.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Delete is idempotent: deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// SignedURL returns a short-lived GET URL that serves HTTP Range
	// requests, so browsers can stream video without going through the API.
	SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Ping is for /readyz; it returns ErrStorageUnavailable when unreachable.
	Ping(ctx context.Context) error

	// Multipart uploads let clients send large files straight to storage in
	// parts, each retried on its own, instead of through the API in one
	// request that a dropped connection would waste. Parts follow S3's
	// rules on both backends: numbers 1..MaxParts, every part but the last
	// at least MinPartSize, none over MaxPartSize.

	// CreateUpload starts an upload into key; the object appears only when
	// CompleteUpload succeeds.
	CreateUpload(ctx context.Context, key, contentType string) (uploadID string, err error)
	// PartURL is a short-lived presigned URL to which a client PUTs part
	// number (1..10000) directly; the reply's ETag header identifies the
	// part for CompleteUpload.
	PartURL(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (string, error)
	// BoundedPartURL is PartURL for a part of exactly size bytes (1 to
	// MaxPartSize): a PUT of any other length is refused, so a client
	// cannot store more than the upload declared.
	BoundedPartURL(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (string, error)
	// CompleteUpload assembles the parts (numbers ascending, each ETag as
	// returned by the PUT, quoted or not) into key. A list that does not
	// match the uploaded parts is ErrInvalidParts and leaves the upload
	// open; an unknown, aborted or completed upload is ErrUploadNotFound.
	CompleteUpload(ctx context.Context, key, uploadID string, parts []Part) (ObjectInfo, error)
	// AbortUpload discards an upload and its parts; idempotent (an unknown
	// or finished upload is not an error).
	AbortUpload(ctx context.Context, key, uploadID string) error
	// SetContentType changes the type key is served with (a completed
	// upload keeps the type it was created with until the bytes are
	// sniffed); ErrObjectNotFound for a missing key.
	SetContentType(ctx context.Context, key, contentType string) error

	// List streams the objects whose keys begin with prefix ("" for
	// every one), never holding the whole listing in memory, so a sweep
	// can go through a bucket of any size. Each carries its Key, Size and
	// LastModified; the other fields may be empty. The order is not
	// specified. A failure is the last pair, with the error.
	List(ctx context.Context, prefix string) iter.Seq2[ObjectInfo, error]
	// Uploads streams every multipart upload begun and neither completed
	// nor aborted, the same way. (MinIO lists the uploads of one whole key
	// or of all, never of a prefix, so there is no prefix.)
	Uploads(ctx context.Context) iter.Seq2[UploadInfo, error]
}

// MaxKeyLen keeps keys well inside both S3's 1024-byte limit and common
// filesystem path limits.
const MaxKeyLen = 512

// ValidKey accepts keys made of segments of [A-Za-z0-9._-] joined by "/",
// without "." or ".." segments, empty segments or a leading "/". The same rule
// for both backends keeps objects portable between them, and on disk it is
// what stops a key from escaping the storage directory.
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '/' {
			if !keyByte(key[i]) {
				return fmt.Errorf("%w: byte %#x at %d", ErrInvalidKey, key[i], i)
			}
			continue
		}
		switch seg := key[start:i]; seg {
		case "":
			return fmt.Errorf("%w: empty segment at %d", ErrInvalidKey, start)
		case ".", "..":
			return fmt.Errorf("%w: %q segment", ErrInvalidKey, seg)
		}
		start = i + 1
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// checkRange validates Open's arguments before any I/O.
func checkRange(offset, length int64) error {
	if offset < 0 || length < -1 {
		return fmt.Errorf("media: invalid range offset=%d length=%d", offset, length)
	}
	return nil
}

// clampRange resolves Open's (offset, length) against the object size: like
// HTTP ranges, a length running past the end is cut at the end, but an offset
// past the end is an error.
func clampRange(offset, length, size int64) (int64, error) {
	if offset > size {
		return 0, fmt.Errorf("media: range offset %d past the end of a %d-byte object", offset, size)
	}
	if length == -1 || length > size-offset {
		return size - offset, nil
	}
	return length, nil
}

// emptyBody serves zero-length reads without touching the backend.
func emptyBody() io.ReadCloser { return io.NopCloser(eofReader{}) }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

const defaultContentType = "application/octet-stream"
