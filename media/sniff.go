package media

import (
	"github.com/gabriel-vasile/mimetype"
)

// sniffLen is how many leading bytes decide a file's type.
const sniffLen = 3072

// allowedTypes are the types the platform accepts, as detected from the
// bytes; a client's declared type or file extension is never trusted.
var allowedTypes = []string{
	"video/mp4", "video/webm", "audio/mpeg", "application/pdf", "image/png", "image/jpeg", "text/vtt",
}

// sniff returns the accepted content type of head, or ErrUnsupportedType.
func sniff(head []byte) (string, error) {
	// Only the detected type itself counts, not its parents: HEIC images
	// and M4A audio descend from MP4 but are no video lesson.
	mt := mimetype.Detect(head)
	for _, allowed := range allowedTypes {
		if mt.Is(allowed) {
			return allowed, nil
		}
	}
	return "", ErrUnsupportedType
}
