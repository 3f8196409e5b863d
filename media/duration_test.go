package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures are real files made with ffmpeg: lesson.mp4 (1 s, its index
// first), moov-at-end.mp4 (12.5 s, its index after the samples, as
// ffmpeg writes without +faststart), lesson.webm (1 s) and no-duration.webm
// (3 s written to a pipe, as a live recorder writes: no Duration element).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "api", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFileDurations(t *testing.T) {
	for _, tc := range []struct {
		file string
		want float64 // 0: none
	}{
		{"lesson.mp4", 1},
		{"moov-at-end.mp4", 12.5},
		{"lesson.webm", 1},
		{"no-duration.webm", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b := fixture(t, tc.file)
			var (
				got float64
				err error
			)
			if filepath.Ext(tc.file) == ".mp4" {
				got, err = mp4Duration(bytes.NewReader(b), int64(len(b)))
			} else {
				got, err = webmDuration(bytes.NewReader(b))
			}
			if tc.want == 0 {
				if !errors.Is(err, errNoDuration) {
					t.Fatalf("duration %v, %v; want errNoDuration", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("duration %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// mp4Box builds one box.
func mp4Box(kind string, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(bytes.Join(body, nil))))
	return append(append(b, kind...), bytes.Join(body, nil)...)
}

func mvhd(version byte, timescale uint32, duration uint64) []byte {
	b := []byte{version, 0, 0, 0}
	if version == 1 {
		b = append(b, make([]byte, 16)...)
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint64(b, duration)
	} else {
		b = append(b, make([]byte, 8)...)
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint32(b, uint32(duration))
	}
	return mp4Box("mvhd", append(b, make([]byte, 80)...))
}

func TestMP4Boxes(t *testing.T) {
	ftyp := mp4Box("ftyp", []byte("isom\x00\x00\x02\x00isom"))
	large := append(binary.BigEndian.AppendUint32(nil, 1), "mdat"...)
	large = binary.BigEndian.AppendUint64(large, 16+4)
	large = append(large, "abcd"...)
	mehd := mp4Box("mehd", binary.BigEndian.AppendUint32([]byte{0, 0, 0, 0}, 90_000*42))
	for _, tc := range []struct {
		name string
		file []byte
		want float64 // 0: none
	}{
		{"version 0", bytes.Join([][]byte{ftyp, mp4Box("moov", mvhd(0, 600, 600*95))}, nil), 95},
		{"version 1", bytes.Join([][]byte{ftyp, mp4Box("moov", mvhd(1, 48000, 48000*3600+24000))}, nil), 3600.5},
		{"after a 64-bit mdat", bytes.Join([][]byte{ftyp, large, mp4Box("moov", mp4Box("free"), mvhd(0, 1000, 2500))}, nil), 2.5},
		{"fragmented, from mehd", bytes.Join([][]byte{ftyp, mp4Box("moov", mvhd(0, 90_000, 0), mp4Box("mvex", mehd))}, nil), 42},
		{"no moov", bytes.Join([][]byte{ftyp, mp4Box("mdat", []byte("x"))}, nil), 0},
		{"zero timescale", mp4Box("moov", mvhd(0, 0, 100)), 0},
		{"unknown duration", mp4Box("moov", mvhd(0, 1000, 0xFFFFFFFF)), 0},
		{"longer than a day", mp4Box("moov", mvhd(1, 1, 90_000)), 0},
		{"a box larger than the file", append(binary.BigEndian.AppendUint32(nil, 1<<30), "moov"...), 0},
		{"a box smaller than its header", append(binary.BigEndian.AppendUint32(nil, 3), "moov"...), 0},
		{"a cut-off mvhd", mp4Box("moov", mp4Box("mvhd", []byte{0, 0, 0, 0, 1})), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mp4Duration(bytes.NewReader(tc.file), int64(len(tc.file)))
			if tc.want == 0 {
				if !errors.Is(err, errNoDuration) {
					t.Fatalf("duration %v, %v; want errNoDuration", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("duration %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// countingReader counts the ranged reads a duration costs.
type countingReader struct {
	r     *bytes.Reader
	reads int
	bytes int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	c.bytes += len(p)
	return c.r.ReadAt(p, off)
}

// The index at the end of a big file is found by box headers alone: the
// samples before it are skipped, not read.
func TestMP4DurationSkipsTheSamples(t *testing.T) {
	b := fixture(t, "moov-at-end.mp4")
	c := &countingReader{r: bytes.NewReader(b)}
	if _, err := mp4Duration(c, int64(len(b))); err != nil {
		t.Fatal(err)
	}
	if c.bytes > 200 { // box headers of 16 bytes and the 32 of mvhd
		t.Fatalf("%d reads of %d bytes in all, for a %d-byte file", c.reads, c.bytes, len(b))
	}
}

func FuzzMP4Duration(f *testing.F) {
	f.Add(fixture(f, "lesson.mp4"))
	f.Add(fixture(f, "moov-at-end.mp4"))
	f.Add(mp4Box("moov", mvhd(1, 48000, 48000*60), mp4Box("mvex", mp4Box("mehd", make([]byte, 12)))))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &countingReader{r: bytes.NewReader(b)}
		d, err := mp4Duration(c, int64(len(b)))
		if err == nil && (d <= 0 || d > maxDuration) {
			t.Fatalf("duration %v accepted", d)
		}
		if c.reads > 3*mp4MaxBoxes {
			t.Fatalf("%d reads", c.reads)
		}
	})
}

func FuzzWebMDuration(f *testing.F) {
	f.Add(fixture(f, "lesson.webm"))
	f.Add(fixture(f, "no-duration.webm"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := webmDuration(bytes.NewReader(b))
		if err == nil && (d <= 0 || d > maxDuration) {
			t.Fatalf("duration %v accepted", d)
		}
	})
}
