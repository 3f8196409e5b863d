package media

import (
	"errors"
	"fmt"
	"strings"
)

// Part is one uploaded piece of a multipart upload, as the client reports it.
type Part struct {
	Number int    `json:"number"`
	ETag   string `json:"etag"`
}

var (
	ErrUploadNotFound = errors.New("media: no such multipart upload")
	ErrInvalidParts   = errors.New("media: parts missing, out of order or not matching what was uploaded")
	ErrPartTooLarge   = errors.New("media: part too large")
)

// The limits are S3's. The disk store enforces them too, so that a client
// written against a development install keeps working against S3.
const (
	MaxParts    = 10000
	MinPartSize = 5 << 20 // every part but the last
	MaxPartSize = 5 << 30
)

func checkPartNumber(number int) error {
	if number < 1 || number > MaxParts {
		return fmt.Errorf("%w: part number %d outside 1..%d", ErrInvalidParts, number, MaxParts)
	}
	return nil
}

// checkParts catches what is wrong with a part list before any I/O, so both
// backends answer such lists the same way.
func checkParts(parts []Part) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no parts", ErrInvalidParts)
	}
	prev := 0
	for _, p := range parts {
		if err := checkPartNumber(p.Number); err != nil {
			return err
		}
		if p.Number <= prev {
			return fmt.Errorf("%w: part %d listed after part %d", ErrInvalidParts, p.Number, prev)
		}
		if unquoteETag(p.ETag) == "" {
			return fmt.Errorf("%w: part %d has no ETag", ErrInvalidParts, p.Number)
		}
		prev = p.Number
	}
	return nil
}

// unquoteETag accepts ETags as sent in the header (quoted) or as a
// JavaScript client may have stripped them.
func unquoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		etag = etag[1 : len(etag)-1]
	}
	return etag
}
