package media

import (
	"context"
	"iter"

	"github.com/minio/minio-go/v7"
)

// List pages through the bucket with ListObjectsV2 (a thousand keys a
// request), yielding each object as its page arrives.
func (s *S3Store) List(ctx context.Context, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		for oi := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if oi.Err != nil {
				yield(ObjectInfo{}, s.mapErr(ctx, "list", prefix, oi.Err))
				return
			}
			if !yield(ObjectInfo{Key: oi.Key, Size: oi.Size, ETag: oi.ETag, LastModified: oi.LastModified.UTC()}, nil) {
				return
			}
		}
	}
}

// Uploads pages through ListMultipartUploads. Its listing runs in a
// goroutine of minio-go's until the channel is drained or the context
// ends, so stopping early cancels it.
func (s *S3Store) Uploads(ctx context.Context) iter.Seq2[UploadInfo, error] {
	return func(yield func(UploadInfo, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for u := range s.client.ListIncompleteUploads(ctx, s.bucket, "", true) {
			if u.Err != nil {
				yield(UploadInfo{}, s.mapErr(ctx, "list uploads", "", u.Err))
				return
			}
			if !yield(UploadInfo{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated.UTC()}, nil) {
				return
			}
		}
	}
}
