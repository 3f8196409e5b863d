package media

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A disk upload is a directory tmp/uploads/<id> holding upload.json and one
// file per part, named by its number. Being under tmp, an upload is never
// mistaken for an object, and an abort is one RemoveAll.

const uploadMetaName = "upload.json"

type diskUpload struct {
	Key         string    `json:"key"`
	ContentType string    `json:"content_type"`
	Created     time.Time `json:"created"` // for sweeping abandoned uploads
}

// uploadIDLen is the hex length of 16 random bytes.
const uploadIDLen = 32

// validUploadID matters beyond tidiness: the id becomes a directory name, so
// anything but lowercase hex could walk out of the uploads tree.
func validUploadID(id string) bool {
	if len(id) != uploadIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *DiskStore) uploadDir(id string) string {
	return filepath.Join(s.tmp, "uploads", id)
}

func (s *DiskStore) CreateUpload(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b := make([]byte, uploadIDLen/2)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b)
	dir := s.uploadDir(id)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", s.unavailable(err)
	}
	meta, err := json.Marshal(diskUpload{Key: key, ContentType: contentType, Created: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	// Written aside and renamed so that a half-written file never passes
	// for an upload of some other key.
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err == nil {
		_, err = tmp.Write(meta)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), filepath.Join(dir, uploadMetaName))
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir) // best effort; err is what the caller needs
		return "", s.unavailable(err)
	}
	return id, nil
}

// loadUpload returns ErrUploadNotFound for an upload of another key too,
// as S3 does: an upload id alone must not give access to a different key.
func (s *DiskStore) loadUpload(key, id string) (diskUpload, error) {
	if !validUploadID(id) {
		return diskUpload{}, ErrUploadNotFound
	}
	b, err := os.ReadFile(filepath.Join(s.uploadDir(id), uploadMetaName))
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return diskUpload{}, ErrUploadNotFound
	}
	if err != nil {
		return diskUpload{}, s.unavailable(err)
	}
	var u diskUpload
	if err := json.Unmarshal(b, &u); err != nil || u.Key != key {
		return diskUpload{}, ErrUploadNotFound
	}
	return u, nil
}

func (s *DiskStore) PartURL(ctx context.Context, key, uploadID string, number int, ttl time.Duration) (string, error) {
	return s.partURL(ctx, key, uploadID, number, 0, ttl)
}

func (s *DiskStore) BoundedPartURL(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (string, error) {
	if size < 1 || size > MaxPartSize {
		return "", fmt.Errorf("media: part size must be between 1 and %d bytes, got %d", int64(MaxPartSize), size)
	}
	return s.partURL(ctx, key, uploadID, number, size, ttl)
}

// partURL signs a part link; size 0 leaves the part's length unbounded
// (up to MaxPartSize), any other size is the most the PUT may carry.
func (s *DiskStore) partURL(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if !validUploadID(uploadID) {
		return "", ErrUploadNotFound
	}
	if err := checkPartNumber(number); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", fmt.Errorf("media: part URL lifetime must be positive, got %s", ttl)
	}
	part := strconv.Itoa(number)
	expires := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	bound := ""
	if size > 0 {
		bound = strconv.FormatInt(size, 10)
	}
	sig := hex.EncodeToString(s.signPart(key, uploadID, part, expires, bound))
	u := s.publicBase + "/" + key + "?upload=" + uploadID + "&part=" + part + "&expires=" + expires
	if bound != "" {
		u += "&size=" + bound
	}
	return u + "&signature=" + sig, nil
}

// signPart uses a key derived from the secret for uploads only, so that no
// download signature can ever pass for an upload one or the reverse,
// whatever the query strings an attacker puts together. Within upload
// signatures the fields cannot be shifted between each other: none of the
// values the store signs contains a newline, and a message with any other
// newline count differs from all of them. A bounded link signs its size as
// one more line, so a link's bound can be neither removed nor changed.
func (s *DiskStore) signPart(key, uploadID, part, expires, size string) []byte {
	k := hmac.New(sha256.New, s.secret)
	k.Write([]byte("mooc media: part upload links"))
	m := hmac.New(sha256.New, k.Sum(nil))
	msg := "PUT\n" + key + "\n" + uploadID + "\n" + part + "\n" + expires
	if size != "" {
		msg += "\n" + size
	}
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// WritePart stores part number of an upload from r, reading at most
// maxBytes (MaxPartSize when not positive or larger), and returns the
// part's ETag: its quoted hex MD5, as S3 does. A part uploaded again
// replaces the previous one.
func (s *DiskStore) WritePart(ctx context.Context, key, uploadID string, number int, r io.Reader, maxBytes int64) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if err := checkPartNumber(number); err != nil {
		return "", err
	}
	if maxBytes <= 0 || maxBytes > MaxPartSize {
		maxBytes = MaxPartSize
	}
	if _, err := s.loadUpload(key, uploadID); err != nil {
		return "", err
	}
	dir := s.uploadDir(uploadID)
	// Written aside and renamed, so that a retried upload of the same part
	// never leaves a mix of both attempts.
	f, err := os.CreateTemp(dir, ".part-*")
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrUploadNotFound // aborted meanwhile
	}
	if err != nil {
		return "", s.unavailable(err)
	}
	renamed := false
	defer func() {
		if !renamed {
			// The part is discarded: it may be closed already, and a
			// leftover file goes with the upload's directory.
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx: ctx, r: r}, maxBytes+1))
	if err != nil {
		return "", fmt.Errorf("media: part %d of %s: %w", number, key, err)
	}
	if n > maxBytes {
		return "", fmt.Errorf("%w: part %d of %s is over %d bytes", ErrPartTooLarge, number, key, maxBytes)
	}
	// No fsync: a part lost in a crash fails CompleteUpload's ETag check,
	// and the client uploads it again.
	if err := f.Close(); err != nil {
		return "", s.unavailable(err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, strconv.Itoa(number))); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", ErrUploadNotFound
		}
		return "", s.unavailable(err)
	}
	renamed = true
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`, nil
}

// CompleteUpload checks each part's MD5 while copying it into place, so
// parts are read once; the object only appears once all of them matched.
// The upload stays open after a refused part list, as on S3, so the client
// can send a corrected one.
func (s *DiskStore) CompleteUpload(ctx context.Context, key, uploadID string, parts []Part) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	up, err := s.loadUpload(key, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := checkParts(parts); err != nil {
		return ObjectInfo{}, err
	}
	data, handOver, err := s.tempFile()
	if err != nil {
		return ObjectInfo{}, err
	}
	defer handOver(false)
	sum := sha256.New()
	for i, p := range parts {
		last := i == len(parts)-1
		if err := s.appendPart(ctx, data, sum, key, uploadID, p, last); err != nil {
			return ObjectInfo{}, err
		}
	}
	handOver(true)
	info, err := s.commit(ctx, key, data, diskMeta{ContentType: up.ContentType, ETag: hex.EncodeToString(sum.Sum(nil))})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("media: complete upload of %s: %w", key, err)
	}
	// The object is in place; parts left behind by a failed removal are
	// only wasted space.
	_ = os.RemoveAll(s.uploadDir(uploadID))
	return info, nil
}

func (s *DiskStore) appendPart(ctx context.Context, dst io.Writer, sum io.Writer, key, uploadID string, p Part, last bool) error {
	f, err := os.Open(filepath.Join(s.uploadDir(uploadID), strconv.Itoa(p.Number)))
	if errors.Is(err, fs.ErrNotExist) {
		// Tell a missing part from an upload aborted meanwhile.
		if _, err := s.loadUpload(key, uploadID); err != nil {
			return err
		}
		return fmt.Errorf("%w: part %d was not uploaded", ErrInvalidParts, p.Number)
	}
	if err != nil {
		return s.unavailable(err)
	}
	defer func() { _ = f.Close() }() // read only
	fi, err := f.Stat()
	if err != nil {
		return s.unavailable(err)
	}
	if !last && fi.Size() < MinPartSize {
		return fmt.Errorf("%w: part %d has %d bytes; all parts but the last need at least %d", ErrInvalidParts, p.Number, fi.Size(), MinPartSize)
	}
	h := md5.New()
	if _, err := io.Copy(io.MultiWriter(dst, sum, h), ctxReader{ctx: ctx, r: f}); err != nil {
		return fmt.Errorf("media: complete upload of %s: part %d: %w", key, p.Number, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, unquoteETag(p.ETag)) {
		return fmt.Errorf("%w: part %d has ETag %q, not %q", ErrInvalidParts, p.Number, got, p.ETag)
	}
	return nil
}

// SetContentType rewrites key's metadata; the data is not touched.
func (s *DiskStore) SetContentType(ctx context.Context, key, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(s.objectPath(key)); err != nil {
		return s.statErr(err)
	}
	m := diskMeta{}
	if b, err := os.ReadFile(s.metaPath(key)); err == nil {
		_ = json.Unmarshal(b, &m) // a broken sidecar is replaced whole
	}
	m.ContentType = contentType
	tmp, err := s.writeMetaTemp(m)
	if err != nil {
		return s.unavailable(err)
	}
	// Renamed into place: a reader sees the old type or the new one.
	if err := os.Rename(tmp, s.metaPath(key)); err != nil {
		_ = os.Remove(tmp)
		return s.unavailable(err)
	}
	return nil
}

func (s *DiskStore) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if _, err := s.loadUpload(key, uploadID); err != nil {
		if errors.Is(err, ErrUploadNotFound) {
			return nil
		}
		return err
	}
	if err := os.RemoveAll(s.uploadDir(uploadID)); err != nil {
		return s.unavailable(err)
	}
	return nil
}
