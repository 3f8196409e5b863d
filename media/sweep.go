package media

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SweepStaleUploads removes uploads that have not been completed and that
// nobody has touched for olderThan: their storage upload (parts and all),
// any object a crashed completion left, and their record. It returns how
// many it removed; an upload it could not remove is retried by the next
// sweep. Several replicas may sweep at once.
func (s *Service) SweepStaleUploads(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := s.now().UTC().Add(-olderThan)
	removed, failed := 0, 0
	var errs []error // a few examples; with storage down, every row fails alike
	result := func() error {
		if failed == 0 {
			return nil
		}
		return fmt.Errorf("media: %d stale uploads not removed: %w", failed, errors.Join(errs...))
	}
	for {
		rows, err := s.records.stale(ctx, cutoff)
		if err != nil {
			return removed, errors.Join(err, result())
		}
		before := removed
		for _, r := range rows {
			ok, err := s.sweep(ctx, r, cutoff)
			if err != nil {
				if failed++; len(errs) < 3 {
					errs = append(errs, err)
				}
			}
			if ok {
				removed++
			}
		}
		// Without progress the next batch would be the same rows again.
		if len(rows) < staleBatch || removed == before || ctx.Err() != nil {
			return removed, result()
		}
	}
}

func (s *Service) sweep(ctx context.Context, r mediaRow, cutoff time.Time) (bool, error) {
	ok, err := s.records.claimStale(ctx, r.ID, cutoff)
	if err != nil || !ok {
		return false, err
	}
	if err := s.objects.AbortUpload(ctx, r.ObjectKey, r.UploadID); err != nil {
		return false, err
	}
	if err := s.objects.Delete(ctx, r.ObjectKey); err != nil {
		return false, err
	}
	if err := s.records.delete(ctx, r.ID); err != nil {
		return false, err
	}
	return true, nil
}

// RunSweeper sweeps stale uploads at start and then every interval until
// ctx is done; meant to run in its own goroutine for the life of the
// process.
func (s *Service) RunSweeper(ctx context.Context, every, olderThan time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := s.SweepStaleUploads(ctx, olderThan)
		if n > 0 {
			s.log.Info("swept abandoned uploads", "removed", n)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Error("sweeping abandoned uploads", "removed", n, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
