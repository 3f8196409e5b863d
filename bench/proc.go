package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is a process's resident set size now and its high-water mark
// since it started, in bytes (Linux /proc/<pid>/status VmRSS and VmHWM).
type Memory struct {
	RSS, HWM int64
}

// ReadMemory reads /proc/<pid>/status.
func ReadMemory(pid int) (Memory, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		fields := strings.Fields(value) // "12345 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return Memory{}, fmt.Errorf("bench: /proc/%d/status: unexpected %s line %q", pid, name, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("bench: /proc/%d/status: %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.HWM = kb << 10
		}
		found++
	}
	if found != 2 {
		return Memory{}, fmt.Errorf("bench: /proc/%d/status has no VmRSS and VmHWM", pid)
	}
	return m, nil
}

// clockTicks is USER_HZ, which Linux fixes at 100 on every architecture
// Go supports.
const clockTicks = 100

// ReadCPU returns the user plus system CPU time the process has used
// (/proc/<pid>/stat), with a resolution of 10 ms.
func ReadCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; fields follow it.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: malformed", pid)
	}
	fields := strings.Fields(string(raw[i+1:]))
	// After the name: state(3) ... utime(14) stime(15), counted from 1.
	if len(fields) < 13 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: too few fields", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// PeakWatch samples a process's resident set size while something runs,
// to find how far it grows. Start it just before and Stop it just after.
type PeakWatch struct {
	pid      int
	before   Memory
	stop     chan struct{}
	done     sync.WaitGroup
	mu       sync.Mutex
	peak     int64
	samples  int
	firstErr error
}

// WatchPeak reads the baseline now and samples every interval until Stop.
func WatchPeak(pid int, interval time.Duration) (*PeakWatch, error) {
	before, err := ReadMemory(pid)
	if err != nil {
		return nil, err
	}
	w := &PeakWatch{pid: pid, before: before, stop: make(chan struct{}), peak: before.RSS}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w, nil
}

func (w *PeakWatch) sample() {
	m, err := ReadMemory(w.pid)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if w.firstErr == nil {
			w.firstErr = err
		}
		return
	}
	w.samples++
	w.peak = max(w.peak, m.RSS)
}

// Peak is what a PeakWatch saw.
type Peak struct {
	Baseline int64 // RSS before
	Peak     int64 // highest RSS during
	Samples  int
}

// Growth is how far the resident set grew above the baseline.
func (p Peak) Growth() int64 { return max(p.Peak-p.Baseline, 0) }

// Stop ends the sampling. The peak is the highest sampled RSS, or the
// process's high-water mark when that rose during the watch: the mark
// catches a peak that fell between two samples.
func (w *PeakWatch) Stop() (Peak, error) {
	close(w.stop)
	w.done.Wait()
	w.sample()
	after, err := ReadMemory(w.pid)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		return Peak{}, err
	}
	if w.firstErr != nil {
		return Peak{}, w.firstErr
	}
	peak := w.peak
	if after.HWM > w.before.HWM {
		peak = max(peak, after.HWM)
	}
	return Peak{Baseline: w.before.RSS, Peak: peak, Samples: w.samples}, nil
}
