package media

import (
	"errors"
	"path"
	"strings"
	"time"
	"unicode"
)

// Status of a media record.
const (
	StatusUploading = "uploading" // a resumable upload not yet completed
	StatusReady     = "ready"
	// An upload is completing or aborting while one request (or the
	// sweep) works on it; the status change is what keeps a second
	// complete, an abort and the sweep off the same upload meanwhile.
	StatusCompleting = "completing"
	StatusAborting   = "aborting"
)

// unfinished are the statuses of uploads that are not, or not yet, media.
var unfinished = []string{StatusUploading, StatusCompleting, StatusAborting}

// Media is an uploaded file: a video, a reading, captions, an image.
type Media struct {
	ID          string    `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Status      string    `json:"status"`
	OwnerID     string    `json:"owner_id"`
	CreatedAt   time.Time `json:"created_at"`
	// DurationSeconds is a video's length, read from the file when it was
	// stored; nil for other files and for videos that do not name it.
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
	// ObjectKey is where the bytes are; never shown to clients.
	ObjectKey string `json:"-"`
}

// IsVideo reports whether the media can back a video lesson.
func (m Media) IsVideo() bool { return strings.HasPrefix(m.ContentType, "video/") }

// Domain errors.
var (
	ErrNotFound        = errors.New("media: not found")
	ErrUnsupportedType = errors.New("media: unsupported media type")
	ErrTooLarge        = errors.New("media: file too large")
	ErrNoFile          = errors.New("media: no file in the request")
	ErrBrokenBody      = errors.New("media: the upload broke off before the file ended")
	ErrSizeMismatch    = errors.New("media: uploaded size differs from the declared size")
	ErrNotUploading    = errors.New("media: upload already completed or never started")
	ErrInvalidCaptions = errors.New("media: not a valid WebVTT file")
)

// cleanFilename keeps only the last path element of a client's file name
// and drops control characters: the name is for display, never a path.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(strings.ReplaceAll(name, `\`, "/"), "\uFFFD")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == ".." || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 255 {
		name = string(r[len(r)-255:])
	}
	return name
}
