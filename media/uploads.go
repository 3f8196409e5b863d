package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/validation"
)

// Upload is a resumable upload just begun: the client PUTs each part to its
// URL and then completes the upload with the parts' ETags.
type Upload struct {
	ID       string
	PartSize int64
	Parts    []PartURL
}

// PartURL is where one part goes.
type PartURL struct {
	Number int
	URL    string
}

// partURLTTL is long because the files sent this way are the big ones: 4 GiB
// over a 1 Mbit/s office line takes some nine hours, and no route hands out
// fresh URLs for an upload already begun. It stays well below the sweep's
// age, so no client is still sending parts when its upload is swept.
const partURLTTL = 24 * time.Hour

// Part sizing: small files are cut into parts of S3's minimum so that a
// dropped connection costs little; bigger files get bigger parts, up to
// preferredMaxPartSize, so that the part list (one presigned URL each)
// stays near targetParts; only files beyond MaxParts of those grow the
// parts further.
const (
	targetParts          = 64
	preferredMaxPartSize = 64 << 20
)

func partSizeFor(size int64) int64 {
	p := roundUpMiB(ceilDiv(size, targetParts))
	p = min(max(p, MinPartSize), preferredMaxPartSize)
	return max(p, roundUpMiB(ceilDiv(size, MaxParts)))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func roundUpMiB(n int64) int64 { return ceilDiv(n, 1<<20) << 20 }

// BeginUpload starts a resumable upload of size bytes and returns the URLs
// its parts go to. Errors: *validation.Error, ErrTooLarge, storage errors.
func (s *Service) BeginUpload(ctx context.Context, owner accounts.Principal, filename, contentType string, size int64) (Upload, error) {
	var bad []validation.FieldError
	if strings.TrimSpace(filename) == "" {
		bad = append(bad, validation.Field("filename", "is required"))
	}
	if size <= 0 {
		bad = append(bad, validation.Field("size", "must be at least 1"))
	}
	if len(bad) > 0 {
		return Upload{}, validation.Fail(bad...)
	}
	if size > s.maxBytes {
		return Upload{}, ErrTooLarge
	}
	partSize := partSizeFor(size)
	if partSize > MaxPartSize {
		return Upload{}, ErrTooLarge
	}

	id := uuid.NewString()
	key := mediaKeyPrefix + id
	uploadID, err := s.objects.CreateUpload(ctx, key, storedType(contentType))
	if err != nil {
		return Upload{}, err
	}
	now := s.now().UTC()
	row := mediaRow{
		ID: id, OwnerID: owner.UserID, Filename: cleanFilename(filename),
		// Unknown until the bytes are in; no lesson kind accepts this
		// type, so an unfinished upload cannot be put in a lesson (whose
		// reference would then stop the sweep from removing it).
		ContentType: defaultContentType,
		Status:      StatusUploading, ObjectKey: key, UploadID: uploadID, DeclaredSize: size,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.records.insert(ctx, row); err != nil {
		if aerr := s.objects.AbortUpload(context.WithoutCancel(ctx), key, uploadID); aerr != nil {
			s.log.Error("orphan storage upload after failed insert", "key", key, "upload_id", uploadID, "error", aerr)
		}
		return Upload{}, err
	}

	up := Upload{ID: id, PartSize: partSize, Parts: make([]PartURL, ceilDiv(size, partSize))}
	for i := range up.Parts {
		// Each URL takes exactly its part's length: the parts together
		// can hold the declared size and not a byte more.
		length := min(partSize, size-int64(i)*partSize)
		url, err := s.objects.BoundedPartURL(ctx, key, uploadID, i+1, length, partURLTTL)
		if err != nil {
			s.discard(context.WithoutCancel(ctx), row)
			return Upload{}, err
		}
		up.Parts[i] = PartURL{Number: i + 1, URL: url}
	}
	return up, nil
}

// storedType is the type the store will serve the object with, from the
// store's own origin, before the service has seen a byte of it. A declared
// type is only passed on if it is one of the accepted ones, all of which a
// browser displays passively; anything else (text/html, say) could turn a
// download link into a page running script.
func storedType(declared string) string {
	mt, _, err := mime.ParseMediaType(declared)
	if err == nil && slices.Contains(allowedTypes, mt) {
		return mt
	}
	return defaultContentType
}

// CompleteUpload assembles the parts and checks the result as Upload checks
// a file: the size announced, the size limit, the type sniffed from the
// bytes, WebVTT structure. Errors: ErrNotFound (also for someone else's
// upload), ErrNotUploading (completed already, or being completed or
// aborted), ErrInvalidParts (the upload stays open for a corrected list),
// ErrUploadNotFound, ErrSizeMismatch, ErrTooLarge, ErrUnsupportedType,
// ErrInvalidCaptions, storage errors. After the errors that end the upload,
// neither the object nor the record is kept.
func (s *Service) CompleteUpload(ctx context.Context, caller accounts.Principal, id string, parts []Part) (Media, error) {
	row, err := s.ownUpload(ctx, caller, id)
	if err != nil {
		return Media{}, err
	}
	ok, err := s.records.setStatus(ctx, id, StatusUploading, StatusCompleting, s.now().UTC())
	if err != nil {
		return Media{}, err
	}
	if !ok {
		return Media{}, ErrNotUploading
	}
	m, err := s.complete(ctx, row, parts)
	if err == nil {
		return m, nil
	}
	bg := context.WithoutCancel(ctx)
	if endsUpload(err) {
		s.discard(bg, row)
		return Media{}, err
	}
	// A bad part list or storage or database trouble: the client may try
	// again, and a retry finds an object assembled meanwhile (see complete).
	if _, rerr := s.records.setStatus(bg, id, StatusCompleting, StatusUploading, s.now().UTC()); rerr != nil {
		s.log.Error("upload left completing; the sweep will remove it", "media_id", id, "error", rerr)
	}
	return Media{}, err
}

// endsUpload tells the errors after which the upload cannot succeed.
func endsUpload(err error) bool {
	for _, target := range []error{ErrSizeMismatch, ErrTooLarge, ErrUnsupportedType, ErrInvalidCaptions, ErrUploadNotFound, ErrNotUploading} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func (s *Service) complete(ctx context.Context, row mediaRow, parts []Part) (Media, error) {
	info, err := s.objects.CompleteUpload(ctx, row.ObjectKey, row.UploadID, parts)
	if errors.Is(err, ErrUploadNotFound) {
		// An earlier attempt may have assembled the object and then failed
		// before the record said so; what it left is checked like new.
		info, err = s.objects.Stat(ctx, row.ObjectKey)
		if errors.Is(err, ErrObjectNotFound) {
			err = ErrUploadNotFound
		}
	}
	if err != nil {
		return Media{}, err
	}
	if info.Size != row.DeclaredSize {
		return Media{}, fmt.Errorf("%w: %d bytes arrived, %d were announced", ErrSizeMismatch, info.Size, row.DeclaredSize)
	}
	// The limit may have been lowered since the upload began.
	if info.Size > s.maxBytes {
		return Media{}, ErrTooLarge
	}
	contentType, sha, err := s.inspect(ctx, row.ObjectKey, info.Size)
	if err != nil {
		return Media{}, err
	}
	// The object was created with the client's declared type; it is to be
	// served with the one found in its bytes.
	if info.ContentType != contentType {
		if err := s.objects.SetContentType(ctx, row.ObjectKey, contentType); err != nil {
			return Media{}, err
		}
	}
	duration := s.readDuration(ctx, row.ObjectKey, info.Size, contentType)
	now := s.now().UTC()
	ok, err := s.records.markReady(ctx, row.ID, info.Size, sha, contentType, duration, now)
	if err != nil {
		return Media{}, err
	}
	if !ok {
		return Media{}, ErrNotUploading
	}
	row.Status, row.Size, row.SHA256, row.ContentType, row.UploadID, row.UpdatedAt = StatusReady, info.Size, sha, contentType, "", now
	row.DurationSeconds, row.DurationRead = duration, true
	return row.media(), nil
}

// inspect reads a stored object once, as a stream, for its type and hash.
func (s *Service) inspect(ctx context.Context, key string, size int64) (contentType, sha string, err error) {
	rc, err := s.objects.Open(ctx, key, 0, -1)
	if err != nil {
		return "", "", err
	}
	defer func() { _ = rc.Close() }() // read only; nothing to lose
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", "", err
	}
	head = head[:n]
	contentType, err = sniff(head)
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	h.Write(head)
	read := int64(n)
	if contentType == "text/vtt" {
		// Validation needs the whole file; the cap keeps that small.
		if size > maxCaptionsBytes {
			return "", "", ErrTooLarge
		}
		rest, err := io.ReadAll(io.LimitReader(rc, maxCaptionsBytes))
		if err != nil {
			return "", "", err
		}
		if err := ValidateWebVTT(append(head, rest...)); err != nil {
			return "", "", err
		}
		h.Write(rest)
		read += int64(len(rest))
	} else {
		m, err := io.Copy(h, rc)
		if err != nil {
			return "", "", err
		}
		read += m
	}
	if read != size {
		return "", "", fmt.Errorf("media: read %d bytes of %s, which has %d", read, key, size)
	}
	return contentType, hex.EncodeToString(h.Sum(nil)), nil
}

// AbortUpload discards an upload not yet completed, parts and record.
// Errors: ErrNotFound (also for someone else's upload), ErrNotUploading,
// storage errors (the upload then stays open).
func (s *Service) AbortUpload(ctx context.Context, caller accounts.Principal, id string) error {
	row, err := s.ownUpload(ctx, caller, id)
	if err != nil {
		return err
	}
	ok, err := s.records.setStatus(ctx, id, StatusUploading, StatusAborting, s.now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotUploading
	}
	// Once claimed, the abort finishes even if the client goes away.
	bg := context.WithoutCancel(ctx)
	if err := s.objects.AbortUpload(bg, row.ObjectKey, row.UploadID); err != nil {
		if _, rerr := s.records.setStatus(bg, id, StatusAborting, StatusUploading, s.now().UTC()); rerr != nil {
			s.log.Error("upload left aborting; the sweep will remove it", "media_id", id, "error", rerr)
		}
		return err
	}
	return s.records.delete(bg, id)
}

// ownUpload returns the caller's (any, for the team) upload still open.
func (s *Service) ownUpload(ctx context.Context, caller accounts.Principal, id string) (mediaRow, error) {
	if uuid.Validate(id) != nil {
		return mediaRow{}, ErrNotFound
	}
	row, err := s.records.get(ctx, id)
	if err != nil {
		return mediaRow{}, err
	}
	if row.OwnerID != caller.UserID && !caller.IsTeam() {
		return mediaRow{}, ErrNotFound
	}
	if row.Status != StatusUploading {
		return mediaRow{}, ErrNotUploading
	}
	return row, nil
}

// discard removes an upload's storage and then its record. Should storage
// fail, the record stays, unfinished, for the sweep to retry: it is the
// only trace of what is left to remove.
func (s *Service) discard(ctx context.Context, row mediaRow) {
	err := s.objects.AbortUpload(ctx, row.ObjectKey, row.UploadID)
	if err == nil {
		err = s.objects.Delete(ctx, row.ObjectKey)
	}
	if err == nil {
		err = s.records.delete(ctx, row.ID)
	}
	if err != nil {
		s.log.Error("failed upload not yet removed; the sweep will retry", "media_id", row.ID, "key", row.ObjectKey, "error", err)
	}
}
