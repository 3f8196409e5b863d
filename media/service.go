package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/page"
)

// Service keeps media records and their bytes in step: a record exists
// only for an object that is fully stored, and a failed upload leaves
// neither.
type Service struct {
	db       *database.DB
	records  records
	objects  ObjectStore
	maxBytes int64
	now      func() time.Time
	log      *slog.Logger
}

// NewService builds the media service; maxBytes caps every upload.
func NewService(db *database.DB, objects ObjectStore, maxBytes int64, log *slog.Logger) *Service {
	return &Service{db: db, records: records{db}, objects: objects, maxBytes: maxBytes, now: time.Now, log: log}
}

// Objects is the store behind the service, for domains that keep their own
// files (certificates).
func (s *Service) Objects() ObjectStore { return s.objects }

// Upload streams body to object storage while hashing and counting it; the
// type is sniffed from the first bytes. Errors: ErrUnsupportedType,
// ErrTooLarge, ErrInvalidCaptions, storage errors. Nothing is kept on error.
func (s *Service) Upload(ctx context.Context, owner accounts.Principal, filename string, body io.Reader) (Media, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		// The client's body could not be read (cut off, or a part whose
		// transfer encoding does not decode): the client's fault, a 400.
		return Media{}, errors.Join(ErrBrokenBody, err)
	}
	head = head[:n]
	contentType, err := sniff(head)
	if err != nil {
		return Media{}, err
	}
	in := &counted{r: io.MultiReader(bytes.NewReader(head), body), max: s.maxBytes, hash: sha256.New()}
	var src io.Reader = in
	size := int64(-1)
	if contentType == "text/vtt" {
		// Captions are small and must be checked whole before they are kept.
		in.max = min(in.max, maxCaptionsBytes)
		all, err := io.ReadAll(in)
		if err != nil {
			return Media{}, in.cause(err)
		}
		if err := ValidateWebVTT(all); err != nil {
			return Media{}, err
		}
		src, size = bytes.NewReader(all), int64(len(all))
	}

	id := uuid.NewString()
	key := mediaKeyPrefix + id
	if _, err := s.objects.Put(ctx, key, src, size, contentType); err != nil {
		// The store promises to leave nothing; make sure, but briefly: when
		// storage is down this would only add to the wait for the 503.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_ = s.objects.Delete(cleanup, key)
		cancel()
		return Media{}, in.cause(err)
	}
	duration := s.readDuration(ctx, key, in.n, contentType)
	now := s.now().UTC()
	row := mediaRow{
		ID: id, OwnerID: owner.UserID, Filename: cleanFilename(filename), ContentType: contentType,
		Size: in.n, SHA256: hex.EncodeToString(in.hash.Sum(nil)), Status: StatusReady, ObjectKey: key,
		DurationSeconds: duration, DurationRead: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.records.insert(ctx, row); err != nil {
		if derr := s.objects.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.log.Error("orphan object after failed insert", "key", key, "error", derr)
		}
		return Media{}, err
	}
	return row.media(), nil
}

// Get returns media the caller may see: their own, or any for the team.
// Errors: ErrNotFound (also for someone else's media).
func (s *Service) Get(ctx context.Context, caller accounts.Principal, id string) (Media, error) {
	m, err := s.Lookup(ctx, id)
	if err != nil {
		return Media{}, err
	}
	if m.OwnerID != caller.UserID && !caller.IsTeam() {
		return Media{}, ErrNotFound
	}
	return m, nil
}

// Lookup returns media by id without an access check, for other domains
// that decide access themselves. Errors: ErrNotFound.
func (s *Service) Lookup(ctx context.Context, id string) (Media, error) {
	if uuid.Validate(id) != nil {
		return Media{}, ErrNotFound
	}
	r, err := s.records.get(ctx, id)
	if err != nil {
		return Media{}, err
	}
	if r.Status == StatusReady && !r.DurationRead && (r.ContentType == "video/mp4" || r.ContentType == "video/webm") {
		// Stored before durations were read: read it now, once.
		r.DurationSeconds, r.DurationRead = s.readDuration(ctx, r.ObjectKey, r.Size, r.ContentType), true
		if err := s.records.setDuration(ctx, r.ID, r.DurationSeconds); err != nil {
			return Media{}, err
		}
	}
	return r.media(), nil
}

// List returns the caller's ready media (everyone's for the team), newest first.
func (s *Service) List(ctx context.Context, caller accounts.Principal, limit int, cursor string) ([]Media, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	owner := caller.UserID
	if caller.IsTeam() {
		owner = ""
	}
	rows, err := s.records.list(ctx, owner, p)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r mediaRow) []string { return page.TimeKey(r.CreatedAt, r.ID) })
	out := make([]Media, len(rows))
	for i, r := range rows {
		out[i] = r.media()
	}
	return out, next, nil
}

// SignedURL is a short-lived link to the media's bytes.
func (s *Service) SignedURL(ctx context.Context, m Media, ttl time.Duration) (string, error) {
	return s.objects.SignedURL(ctx, m.ObjectKey, ttl)
}

// counted passes bytes through while counting and hashing them, and fails
// once more than max bytes have passed.
type counted struct {
	r        io.Reader
	n, max   int64
	hash     hash.Hash
	tooLarge bool
	broken   error
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && c.broken == nil {
		c.broken = err
	}
	c.n += int64(n)
	if c.n > c.max {
		c.tooLarge = true
		return 0, ErrTooLarge
	}
	c.hash.Write(p[:n])
	return n, err
}

// cause names the reason a stream failed: the size limit when it was hit,
// otherwise the error as it came.
func (c *counted) cause(err error) error {
	switch {
	case c.tooLarge:
		return ErrTooLarge
	case c.broken != nil:
		return errors.Join(ErrBrokenBody, c.broken)
	}
	return err
}
