package media

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mooc/internal/clock"
)

// KeyOwner is a domain that stores objects under a key prefix of its own
// and keeps a row naming each: media for uploaded files, certificates for
// their PDFs. The orphan sweep asks it which keys its rows know.
type KeyOwner interface {
	// KeyPrefix is the prefix of every key the domain writes, such as
	// "media/"; no owner's prefix is the start of another's.
	KeyPrefix() string
	// KnownKeys reports which of keys a row of the domain names.
	KnownKeys(ctx context.Context, keys []string) (map[string]bool, error)
}

// UploadOwner knows the multipart uploads a row stands for (media's
// resumable uploads): those are the stale-upload sweep's, not the orphan
// sweep's.
type UploadOwner interface {
	KnownUploads(ctx context.Context, uploadIDs []string) (map[string]bool, error)
}

// OrphanDeps is what the orphan sweep is built with.
type OrphanDeps struct {
	Objects ObjectStore
	Owners  []KeyOwner
	Uploads UploadOwner
	// MinAge is how old an object unknown to the database must be before it
	// is removed: older than any write of an object and then its row, so
	// that an object whose row is being written is never taken for an
	// orphan. An hour when 0.
	MinAge time.Duration
	// Swept and Aborted count the objects removed and the uploads aborted;
	// nil counts nothing.
	Swept, Aborted prometheus.Counter
	Log            *slog.Logger
	Now            func() time.Time // the clock; time.Now when nil
}

// OrphanSweep removes what storage holds that no row stands for: objects
// stored by a process that died (or failed) before writing their row, and
// multipart uploads begun and never completed or aborted (a streamed
// upload cut off, an upload whose row was never written). Several
// replicas may sweep at once: deleting and aborting are idempotent, and
// what one sweep leaves, through an error or a race, the next one finds.
type OrphanSweep struct {
	objects ObjectStore
	owners  []KeyOwner
	uploads UploadOwner
	minAge  time.Duration
	swept   prometheus.Counter
	aborted prometheus.Counter
	log     *slog.Logger
	now     func() time.Time
}

// NewOrphanSweep builds the sweep.
func NewOrphanSweep(d OrphanDeps) *OrphanSweep {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &OrphanSweep{objects: d.Objects, owners: d.Owners, uploads: d.Uploads, minAge: cmp.Or(d.MinAge, time.Hour),
		swept: d.Swept, aborted: d.Aborted, log: log, now: clock.Or(d.Now)}
}

// OrphansSwept is what one sweep removed.
type OrphansSwept struct {
	Objects int // objects removed
	Uploads int // multipart uploads aborted
	// Unowned counts old objects under no owner's prefix: kept, since no
	// domain can say they are unknown, and logged for an operator.
	Unowned int
}

// orphanBatch bounds the keys asked about in one query.
const orphanBatch = 500

// Sweep removes the objects older than the minimum age that their owners
// do not know, and aborts the uploads as old that no row knows. It goes on
// past a failure and returns what it removed with the failures joined.
func (o *OrphanSweep) Sweep(ctx context.Context) (OrphansSwept, error) {
	cutoff := o.now().Add(-o.minAge)
	var done OrphansSwept
	objErr := o.sweepObjects(ctx, cutoff, &done)
	upErr := o.sweepUploads(ctx, cutoff, &done)
	return done, errors.Join(objErr, upErr)
}

func (o *OrphanSweep) sweepObjects(ctx context.Context, cutoff time.Time, done *OrphansSwept) error {
	pending := make(map[KeyOwner][]string, len(o.owners))
	var errs []error
	flush := func(owner KeyOwner) {
		if err := o.dropUnknown(ctx, owner, pending[owner], done); err != nil {
			errs = append(errs, err)
		}
		pending[owner] = pending[owner][:0]
	}
	unownedExample := ""
	for info, err := range o.objects.List(ctx, "") {
		if err != nil {
			errs = append(errs, err)
			break
		}
		if !info.LastModified.Before(cutoff) {
			continue // perhaps its row is being written
		}
		owner := o.ownerOf(info.Key)
		if owner == nil {
			done.Unowned++
			unownedExample = info.Key
			continue
		}
		if pending[owner] = append(pending[owner], info.Key); len(pending[owner]) == orphanBatch {
			flush(owner)
		}
	}
	for _, owner := range o.owners {
		if len(pending[owner]) > 0 {
			flush(owner)
		}
	}
	if done.Unowned > 0 {
		o.log.Warn("stored objects under no known prefix kept", "count", done.Unowned, "example", unownedExample)
	}
	return joinFew("orphan objects", errs)
}

func (o *OrphanSweep) ownerOf(key string) KeyOwner {
	for _, owner := range o.owners {
		if strings.HasPrefix(key, owner.KeyPrefix()) {
			return owner
		}
	}
	return nil
}

// dropUnknown deletes those of keys their owner does not know.
func (o *OrphanSweep) dropUnknown(ctx context.Context, owner KeyOwner, keys []string, done *OrphansSwept) error {
	known, err := owner.KnownKeys(ctx, keys)
	if err != nil {
		return err
	}
	var errs []error
	for _, key := range keys {
		if known[key] {
			continue
		}
		if err := o.objects.Delete(ctx, key); err != nil {
			errs = append(errs, err)
			continue
		}
		done.Objects++
		if o.swept != nil {
			o.swept.Inc()
		}
		o.log.Info("orphan object removed", "key", key)
	}
	return joinFew("orphan objects", errs)
}

func (o *OrphanSweep) sweepUploads(ctx context.Context, cutoff time.Time, done *OrphansSwept) error {
	var old []UploadInfo
	var errs []error
	for u, err := range o.objects.Uploads(ctx) {
		if err != nil {
			errs = append(errs, err)
			break
		}
		if u.Initiated.Before(cutoff) {
			old = append(old, u)
		}
		if len(old) == orphanBatch {
			errs = append(errs, o.abortUnknown(ctx, old, done))
			old = old[:0]
		}
	}
	if len(old) > 0 {
		errs = append(errs, o.abortUnknown(ctx, old, done))
	}
	return joinFew("orphan uploads", errs)
}

// abortUnknown aborts those of uploads no row knows.
func (o *OrphanSweep) abortUnknown(ctx context.Context, uploads []UploadInfo, done *OrphansSwept) error {
	ids := make([]string, len(uploads))
	for i, u := range uploads {
		ids[i] = u.UploadID
	}
	known := map[string]bool{}
	if o.uploads != nil {
		var err error
		if known, err = o.uploads.KnownUploads(ctx, ids); err != nil {
			return err
		}
	}
	var errs []error
	for _, u := range uploads {
		if known[u.UploadID] {
			continue
		}
		if err := o.objects.AbortUpload(ctx, u.Key, u.UploadID); err != nil {
			errs = append(errs, err)
			continue
		}
		done.Uploads++
		if o.aborted != nil {
			o.aborted.Inc()
		}
		o.log.Info("orphan upload aborted", "key", u.Key, "upload_id", u.UploadID)
	}
	return joinFew("orphan uploads", errs)
}

// joinFew joins the first few of errs (with storage down, every one fails
// alike) and says how many there were.
func joinFew(what string, errs []error) error {
	errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("media: %s: %d failures: %w", what, len(errs), errors.Join(errs[:min(len(errs), 3)]...))
}

// Run sweeps at start and then every interval until ctx ends;
// meant to run in its own goroutine for the life of the process.
func (o *OrphanSweep) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		done, err := o.Sweep(ctx)
		if done.Objects > 0 || done.Uploads > 0 {
			o.log.Info("orphans swept", "objects", done.Objects, "uploads", done.Uploads)
		}
		if err != nil && ctx.Err() == nil {
			o.log.Error("sweeping orphans", "objects", done.Objects, "uploads", done.Uploads, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// mediaKeyPrefix begins the key of every file media stores ("media/<id>").
const mediaKeyPrefix = "media/"

// KeyPrefix is where media keeps its files.
func (s *Service) KeyPrefix() string { return mediaKeyPrefix }

// KnownKeys reports which keys a media row names, whatever its status: an
// upload under way names its key before the object exists.
func (s *Service) KnownKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return s.records.knownKeys(ctx, keys)
}

// KnownUploads reports which multipart uploads a media row stands for:
// resumable uploads under way, which the stale-upload sweep removes once
// abandoned.
func (s *Service) KnownUploads(ctx context.Context, uploadIDs []string) (map[string]bool, error) {
	return s.records.knownUploads(ctx, uploadIDs)
}
