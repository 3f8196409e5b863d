package lease

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"mooc/internal/testkit"
)

// A renewal that finds the claim gone stops the work; one that fails is
// logged and tried again.
func TestKeepStopsTheWorkWhenTheClaimIsLost(t *testing.T) {
	logs := &testkit.Logs{}
	w := Worker{Replica: "replica-a", Heartbeat: time.Millisecond, Log: logs.Logger()}
	var calls atomic.Int32
	work, stop := w.Keep(context.Background(), "test", "job-1", func(context.Context) (bool, error) {
		switch calls.Add(1) {
		case 1:
			return false, errors.New("database busy")
		case 2:
			return true, nil
		}
		return false, nil // taken over
	})
	defer stop()
	<-work.Done() // cancelled by the third renewal
	if n := calls.Load(); n != 3 {
		t.Errorf("%d renewals before the claim was found lost, want 3", n)
	}
	failed, lost := logs.Records(t, "lease not renewed"), logs.Records(t, "lease lost to another replica; stopping the work")
	if len(failed) != 1 || failed[0]["replica"] != "replica-a" || failed[0]["job"] != "job-1" || len(lost) != 1 {
		t.Errorf("logged %v and %v", failed, lost)
	}
}

// Stopping ends the heartbeat: no renewal runs after stop returns.
func TestKeepStops(t *testing.T) {
	var calls atomic.Int32
	w := Worker{Heartbeat: time.Millisecond}
	work, stop := w.Keep(context.Background(), "test", "job-2", func(context.Context) (bool, error) {
		calls.Add(1)
		return true, nil
	})
	testkit.Eventually(t, "a renewal", func() (int32, bool) { return calls.Load(), calls.Load() > 0 })
	stop()
	after := calls.Load()
	stop() // twice is harmless
	if work.Err() == nil {
		t.Error("the work's context outlived stop")
	}
	// stop waited for the heartbeat goroutine to end, so none can follow.
	if calls.Load() != after {
		t.Errorf("%d renewals after stop", calls.Load()-after)
	}
	if w.Name() != "local" {
		t.Errorf("an unnamed worker is %q", w.Name())
	}
}

// Claims log which replica took the work, and from whom.
func TestClaimedLines(t *testing.T) {
	logs := &testkit.Logs{}
	w := Worker{Replica: "replica-b", Log: logs.Logger()}
	w.Claimed("email", "m-1", "")
	w.Claimed("email", "m-2", "replica-a")
	w.Finished("email", "m-2", "attempt", 2)
	if r := logs.Records(t, "job claimed"); len(r) != 1 || r[0]["replica"] != "replica-b" || r[0]["job"] != "m-1" || r[0]["kind"] != "email" || r[0]["level"] != "INFO" {
		t.Errorf("claimed %v", r)
	}
	if r := logs.Records(t, "job taken over"); len(r) != 1 || r[0]["previous_replica"] != "replica-a" || r[0]["job"] != "m-2" {
		t.Errorf("taken over %v", r)
	}
	if r := logs.Records(t, "job finished"); len(r) != 1 || r[0]["attempt"] != float64(2) {
		t.Errorf("finished %v", r)
	}
}
