package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/at-wat/ebml-go"
)

// A video's duration is read once, when its upload is stored, from the
// stored object with ranged reads: uploads are streamed and never held in
// memory, and an MP4's index (moov) may come after its gigabytes of
// samples. Only the few bytes that name a duration are read.
//
// WebM (Matroska) is read with github.com/at-wat/ebml-go, a maintained
// EBML decoder that can stop as soon as the element it was asked for is
// read. No maintained MP4 box reader is served to this project's builds,
// so MP4 has the small box walker below, fuzzed (FuzzMP4Duration): it
// follows box headers only and reads nothing but the movie header.
//
// A file whose duration cannot be read (a live recording without one, a
// damaged index) is still accepted: it plays, and it can back an audio
// lesson. It has no DurationSeconds, and a video lesson showing it cannot
// be completed by watching until its author uploads a file that has one.

// maxDuration bounds the durations believed: anything longer than a day is
// a damaged header, not a lesson.
const maxDuration = 24 * 60 * 60

// durationTimeout bounds the reading of a duration; storage is local or
// near, and a handful of small ranged reads take milliseconds.
const durationTimeout = 30 * time.Second

// errNoDuration means a file names no usable duration.
var errNoDuration = errors.New("media: no duration in the file")

// readDuration reads the duration of a stored video; nil when the type
// has none or it cannot be read.
func (s *Service) readDuration(ctx context.Context, key string, size int64, contentType string) *float64 {
	if contentType != "video/mp4" && contentType != "video/webm" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, durationTimeout)
	defer cancel()
	r := objectAt{ctx: ctx, store: s.objects, key: key, size: size}
	var (
		d   float64
		err error
	)
	if contentType == "video/mp4" {
		d, err = mp4Duration(r, size)
	} else {
		d, err = webmDuration(io.NewSectionReader(r, 0, min(size, webmHeadBytes)))
	}
	if err != nil {
		s.log.Warn("video duration not readable; the file cannot back a lesson completed by watching",
			"key", key, "content_type", contentType, "error", err)
		return nil
	}
	return &d
}

// objectAt reads a stored object at offsets, one ranged read each.
type objectAt struct {
	ctx   context.Context
	store ObjectStore
	key   string
	size  int64
}

func (o objectAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	rc, err := o.store.Open(o.ctx, o.key, off, int64(len(p)))
	if err != nil {
		return 0, err
	}
	defer func() { _ = rc.Close() }() // read only; nothing to lose
	n, err := io.ReadFull(rc, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// seconds checks a duration read from a file.
// It is rounded to the millisecond first, so that a length too short to
// round to one millisecond is refused rather than stored as 0.
func seconds(d float64) (float64, error) {
	r := math.Round(d*1000) / 1000
	if math.IsNaN(r) || r <= 0 || r > maxDuration {
		return 0, fmt.Errorf("%w: %v seconds is not a lesson's length", errNoDuration, d)
	}
	return r, nil
}

// mp4MaxBoxes bounds the boxes visited, and so the ranged reads, for a
// file made of countless tiny boxes.
const mp4MaxBoxes = 4096

// mp4Duration reads the movie header (moov/mvhd) of an ISO BMFF file:
// duration over timescale. A fragmented file whose movie header says 0
// names its length in the movie extends header (moov/mvex/mehd).
func mp4Duration(r io.ReaderAt, size int64) (float64, error) {
	budget := mp4MaxBoxes
	moov, err := findBox(r, 0, size, "moov", &budget)
	if err != nil {
		return 0, err
	}
	mvhd, err := findBox(r, moov.body, moov.end, "mvhd", &budget)
	if err != nil {
		return 0, err
	}
	// version(1) flags(3), then creation and modification times, the
	// timescale and the duration: 32-bit fields in version 0, 64-bit times
	// and duration in version 1.
	var h [32]byte
	if mvhd.end-mvhd.body < 20 {
		return 0, fmt.Errorf("%w: mvhd of %d bytes", errNoDuration, mvhd.end-mvhd.body)
	}
	n := min(int64(len(h)), mvhd.end-mvhd.body)
	if _, err := r.ReadAt(h[:n], mvhd.body); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	var timescale, duration uint64
	switch h[0] {
	case 0:
		timescale, duration = uint64(binary.BigEndian.Uint32(h[12:])), uint64(binary.BigEndian.Uint32(h[16:]))
		if duration == math.MaxUint32 {
			duration = 0 // "unknown"
		}
	case 1:
		if n < 32 {
			return 0, fmt.Errorf("%w: version 1 mvhd of %d bytes", errNoDuration, n)
		}
		timescale, duration = uint64(binary.BigEndian.Uint32(h[20:])), binary.BigEndian.Uint64(h[24:])
		if duration == math.MaxUint64 {
			duration = 0
		}
	default:
		return 0, fmt.Errorf("%w: mvhd version %d", errNoDuration, h[0])
	}
	if timescale == 0 {
		return 0, fmt.Errorf("%w: timescale 0", errNoDuration)
	}
	if duration == 0 {
		duration, err = mehdDuration(r, moov, &budget)
		if err != nil {
			return 0, err
		}
	}
	return seconds(float64(duration) / float64(timescale))
}

// mehdDuration reads moov/mvex/mehd's fragment duration.
func mehdDuration(r io.ReaderAt, moov box, budget *int) (uint64, error) {
	mvex, err := findBox(r, moov.body, moov.end, "mvex", budget)
	if err != nil {
		return 0, err
	}
	mehd, err := findBox(r, mvex.body, mvex.end, "mehd", budget)
	if err != nil {
		return 0, err
	}
	var h [12]byte
	n := min(int64(len(h)), mehd.end-mehd.body)
	if n < 8 {
		return 0, fmt.Errorf("%w: mehd of %d bytes", errNoDuration, n)
	}
	if _, err := r.ReadAt(h[:n], mehd.body); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	if h[0] == 1 {
		if n < 12 {
			return 0, fmt.Errorf("%w: version 1 mehd of %d bytes", errNoDuration, n)
		}
		return binary.BigEndian.Uint64(h[4:]), nil
	}
	return uint64(binary.BigEndian.Uint32(h[4:])), nil
}

// box is where one box's body lies in the file.
type box struct{ body, end int64 }

// findBox walks the boxes from start to end, reading their headers only,
// and returns the first of type name.
func findBox(r io.ReaderAt, start, end int64, name string, budget *int) (box, error) {
	var h [16]byte
	for at := start; at+8 <= end; {
		if *budget--; *budget < 0 {
			return box{}, fmt.Errorf("%w: more than %d boxes", errNoDuration, mp4MaxBoxes)
		}
		n := min(int64(len(h)), end-at)
		if _, err := r.ReadAt(h[:n], at); err != nil && !errors.Is(err, io.EOF) {
			return box{}, err
		}
		size, header := int64(binary.BigEndian.Uint32(h[:4])), int64(8)
		switch size {
		case 0: // to the end of the enclosing space
			size = end - at
		case 1: // a 64-bit size follows the type
			if n < 16 {
				return box{}, fmt.Errorf("%w: a large box cut off at %d", errNoDuration, at)
			}
			large := binary.BigEndian.Uint64(h[8:16])
			if large > uint64(end-at) {
				return box{}, fmt.Errorf("%w: box at %d runs past its end", errNoDuration, at)
			}
			size, header = int64(large), 16
		}
		if size < header || size > end-at {
			return box{}, fmt.Errorf("%w: box of %d bytes at %d", errNoDuration, size, at)
		}
		if string(h[4:8]) == name {
			return box{body: at + header, end: at + size}, nil
		}
		at += size
	}
	return box{}, fmt.Errorf("%w: no %s box", errNoDuration, name)
}

// webmHeadBytes is how much of a WebM file is read for its Info element,
// which muxers write near the start, before the clusters of frames.
const webmHeadBytes = 1 << 20

// webmDuration reads Segment/Info: Duration in units of TimecodeScale
// nanoseconds (1 ms when the file does not say).
func webmDuration(r io.Reader) (float64, error) {
	var doc struct {
		Segment struct {
			Info struct {
				TimecodeScale uint64
				Duration      float64
			} `ebml:"Info,stop"`
		}
	}
	err := ebml.Unmarshal(r, &doc, ebml.WithIgnoreUnknown(true), ebml.WithMaxLeafElementSize(webmHeadBytes))
	if err != nil && !errors.Is(err, ebml.ErrReadStopped) {
		return 0, fmt.Errorf("%w: %w", errNoDuration, err)
	}
	info := doc.Segment.Info
	if info.Duration == 0 {
		return 0, fmt.Errorf("%w: the WebM file names no duration (a live recording?)", errNoDuration)
	}
	scale := info.TimecodeScale
	if scale == 0 {
		scale = 1_000_000
	}
	return seconds(info.Duration * float64(scale) / 1e9)
}
