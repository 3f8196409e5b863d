package media

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
)

// errStopWalk ends a walk whose consumer stopped early.
var errStopWalk = errors.New("media: listing stopped")

// List walks the objects tree: Put and CompleteUpload write aside, under
// tmp, and rename into it, so whatever is there is a whole object.
func (s *DiskStore) List(ctx context.Context, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		err := filepath.WalkDir(s.objects, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) { // removed while walking
					return nil
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, err := filepath.Rel(s.objects, path)
			if err != nil || rel == "." {
				return err
			}
			key := filepath.ToSlash(rel)
			if d.IsDir() {
				// Skip a folder no key under prefix can be in.
				if !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
				return nil
			}
			fi, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if !yield(ObjectInfo{Key: key, Size: fi.Size(), LastModified: fi.ModTime().UTC()}, nil) {
				return errStopWalk
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopWalk) {
			yield(ObjectInfo{}, s.unavailable(err))
		}
	}
}

// Uploads reads the description of each upload folder under tmp/uploads.
func (s *DiskStore) Uploads(ctx context.Context) iter.Seq2[UploadInfo, error] {
	return func(yield func(UploadInfo, error) bool) {
		entries, err := os.ReadDir(filepath.Join(s.tmp, "uploads"))
		if errors.Is(err, fs.ErrNotExist) {
			return // none was ever begun
		}
		if err != nil {
			yield(UploadInfo{}, s.unavailable(err))
			return
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				yield(UploadInfo{}, err)
				return
			}
			if !e.IsDir() || !validUploadID(e.Name()) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(s.uploadDir(e.Name()), uploadMetaName))
			if err != nil {
				continue // being created, or aborted meanwhile
			}
			var u diskUpload
			if json.Unmarshal(b, &u) != nil {
				continue
			}
			if !yield(UploadInfo{Key: u.Key, UploadID: e.Name(), Initiated: u.Created.UTC()}, nil) {
				return
			}
		}
	}
}
