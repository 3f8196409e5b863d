package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/media"
)

// registerObjects serves the disk store's signed links: downloads, and the
// part uploads of resumable uploads. Both stream between the socket and the
// file, so neither a large video nor a large part is ever held in memory.
func registerObjects(r *registry, disk *media.DiskStore, path string) {
	download := func(c *fiber.Ctx) error { return serveObject(c, disk) }
	r.add("", op{method: "GET", path: path + "/*", summary: "Download a stored file through a signed, short-lived link (disk storage only; supports Range)", tag: "media", raw: "application/octet-stream",
		query: []param{{"expires", "expiry, Unix seconds"}, {"signature", "link signature"}}, long: true},
		download)
	// Fiber does not answer HEAD from a GET route by itself. The OpenAPI
	// document leaves HEAD implied by GET (TestOpenAPIMatchesRoutes skips
	// HEAD next to GET), so this one route goes to the app directly.
	r.app.Add(fiber.MethodHead, path+"/*", download)

	r.add("", op{method: "PUT", path: path + "/*", summary: "Upload one part of a resumable upload through a signed, short-lived part URL (disk storage only); the reply's ETag identifies the part",
		tag: "media", query: []param{{"upload", "upload id"}, {"part", "part number, 1..10000"}, {"size", "the most bytes the part may have"}, {"expires", "expiry, Unix seconds"}, {"signature", "link signature"}}, long: true},
		func(c *fiber.Ctx) error { return putPart(c, disk) })
}

func queryValues(c *fiber.Ctx) url.Values {
	q := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		q.Add(string(k), string(v))
	})
	return q
}

func serveObject(c *fiber.Ctx, disk *media.DiskStore) error {
	link, err := disk.Authorize(c.Method(), c.Path(), queryValues(c))
	if err != nil {
		return err
	}
	f, info, err := disk.OpenFile(link.Key)
	if err != nil {
		return err
	}
	handedOver := false
	defer func() {
		if !handedOver {
			_ = f.Close() // opened read-only: nothing to lose
		}
	}()

	etag := ""
	if info.ETag != "" {
		etag = `"` + info.ETag + `"`
		c.Set(fiber.HeaderETag, etag)
	}
	c.Set(fiber.HeaderContentType, info.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// Caches must not keep the object past the link's own lifetime.
	c.Set(fiber.HeaderCacheControl, "private, max-age="+strconv.FormatInt(max(0, int64(time.Until(link.Expires)/time.Second)), 10))
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderLastModified, info.LastModified.UTC().Format(http.TimeFormat))
	if etag != "" && etagListMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		c.Status(fiber.StatusNotModified)
		return nil
	}

	offset, length, status := int64(0), info.Size, fiber.StatusOK
	if spec := c.Get(fiber.HeaderRange); spec != "" && ifRangeHolds(c.Get(fiber.HeaderIfRange), etag, info.LastModified) {
		start, n, ok, satisfiable := parseRange(spec, info.Size)
		if !satisfiable {
			c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(info.Size, 10))
			return badRequest(fiber.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable",
				"the requested range lies outside the "+strconv.FormatInt(info.Size, 10)+"-byte object")
		}
		if ok {
			offset, length, status = start, n, fiber.StatusPartialContent
			c.Set(fiber.HeaderContentRange, "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+n-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
		}
	}
	c.Status(status)
	// fasthttp copies the stream to the socket after the handler returns,
	// then closes it (also for HEAD, where it only sends the length).
	c.Context().SetBodyStream(sectionFile{io.NewSectionReader(f, offset, length), f}, int(length))
	handedOver = true
	return nil
}

type sectionFile struct {
	*io.SectionReader
	f *os.File
}

func (s sectionFile) Close() error { return s.f.Close() }

// parseRange reads a single byte range (RFC 9110, section 14.1.2) against
// an object of size bytes. ok is false when the header is to be ignored and
// the whole object sent: malformed, another unit, or several ranges (which
// a server may serve whole). satisfiable is false for a 416.
func parseRange(spec string, size int64) (start, n int64, ok, satisfiable bool) {
	unit, set, found := strings.Cut(spec, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(set, ",") {
		return 0, 0, false, true
	}
	first, last, found := strings.Cut(strings.TrimSpace(set), "-")
	if !found {
		return 0, 0, false, true
	}
	if first == "" { // suffix: the last N bytes
		suffix, err := strconv.ParseInt(last, 10, 64)
		if err != nil || suffix < 0 {
			return 0, 0, false, true
		}
		if suffix == 0 || size == 0 {
			return 0, 0, false, size == 0
		}
		suffix = min(suffix, size)
		return size - suffix, suffix, true, true
	}
	from, err := strconv.ParseInt(first, 10, 64)
	if err != nil || from < 0 {
		return 0, 0, false, true
	}
	to := size - 1
	if last != "" {
		to, err = strconv.ParseInt(last, 10, 64)
		if err != nil || to < from {
			return 0, 0, false, true
		}
		to = min(to, size-1)
	}
	if from >= size {
		// Some clients send a Range with every request; for an empty
		// object, the whole (empty) body serves them better than a 416.
		return 0, 0, false, size == 0
	}
	return from, to - from + 1, true, true
}

// ifRangeHolds tells whether a Range may be honoured: a resumed download
// must not splice bytes of a newer version onto an older one.
func ifRangeHolds(ifRange, etag string, modified time.Time) bool {
	ifRange = strings.TrimSpace(ifRange)
	switch {
	case ifRange == "":
		return true
	case strings.HasPrefix(ifRange, `"`):
		return etag != "" && ifRange == etag
	case strings.HasPrefix(ifRange, "W/"):
		return false // weak validators never allow a range
	}
	t, err := http.ParseTime(ifRange)
	return err == nil && modified.Truncate(time.Second).Equal(t)
}

// etagListMatches is If-None-Match's weak comparison.
func etagListMatches(list, etag string) bool {
	for _, candidate := range strings.Split(list, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

func putPart(c *fiber.Ctx, disk *media.DiskStore) error {
	link, err := disk.Authorize(fiber.MethodPut, c.Path(), queryValues(c))
	// The link names the part's length (the upload's part size, less for
	// the last part); more would let a client store past its declared size
	// and past MOOC_MAX_UPLOAD_BYTES.
	limit := int64(media.MaxPartSize)
	if link.MaxSize > 0 {
		limit = min(limit, link.MaxSize)
	}
	tooLarge := badRequest(413, "too_large", "this part may be at most "+strconv.FormatInt(limit, 10)+" bytes")
	if err == nil && int64(c.Request().Header.ContentLength()) > limit {
		err = tooLarge
	}
	if err != nil {
		// The body stays unread; reading it only to discard it would let
		// anyone make the server swallow gigabytes.
		c.Context().SetConnectionClose()
		return err
	}
	body := c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	etag, err := disk.WritePart(c.UserContext(), link.Key, link.UploadID, link.Part, body, limit)
	if err != nil {
		c.Context().SetConnectionClose()
		if errors.Is(err, media.ErrPartTooLarge) {
			return tooLarge
		}
		return err
	}
	c.Set(fiber.HeaderETag, etag)
	c.Status(fiber.StatusOK)
	return nil
}
