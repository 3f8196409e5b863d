package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DiskStore keeps objects as plain files for development and single-machine
// installs. Object data, metadata and in-flight uploads live in three sibling
// trees so that no key can collide with a sidecar file and half-written
// uploads never show up as objects.
type DiskStore struct {
	objects    string
	meta       string
	tmp        string
	publicBase string
	basePath   string
	secret     []byte
	now        func() time.Time // signs links and checks their expiry
}

// At returns the same store, over the same files and key, signing links
// and checking their expiry by the clock now: a test signs a link in the
// past to have it expired without waiting for it.
func (s *DiskStore) At(now func() time.Time) *DiskStore {
	c := *s
	c.now = now
	return &c
}

var _ ObjectStore = (*DiskStore)(nil)

// diskMeta is the sidecar of one object: what the filesystem cannot tell us.
type diskMeta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`
}

// NewDiskStore stores objects under dir (created if needed). publicBase is
// the URL at which Handler is mounted, e.g. "http://localhost:8080/objects";
// secret signs the URLs of SignedURL.
func NewDiskStore(dir string, publicBase string, secret []byte) (*DiskStore, error) {
	if dir == "" {
		return nil, errors.New("media: disk store needs a directory")
	}
	// A short secret would make signed links guessable.
	if len(secret) < 16 {
		return nil, errors.New("media: disk store secret must be at least 16 bytes")
	}
	base := strings.TrimRight(publicBase, "/")
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("media: public base URL: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("media: disk store directory: %w", err)
	}
	s := &DiskStore{
		objects:    filepath.Join(abs, "objects"),
		meta:       filepath.Join(abs, "meta"),
		tmp:        filepath.Join(abs, "tmp"),
		publicBase: base,
		basePath:   u.Path,
		secret:     append([]byte(nil), secret...),
		now:        time.Now,
	}
	for _, d := range []string{s.objects, s.meta, s.tmp} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("media: disk store directory: %w", err)
		}
	}
	return s, nil
}

func (s *DiskStore) objectPath(key string) string {
	return filepath.Join(s.objects, filepath.FromSlash(key))
}

func (s *DiskStore) metaPath(key string) string {
	return filepath.Join(s.meta, filepath.FromSlash(key)+".json")
}

func (s *DiskStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if size < -1 {
		return ObjectInfo{}, fmt.Errorf("media: invalid size %d", size)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, err
	}

	data, handOver, err := s.tempFile()
	if err != nil {
		return ObjectInfo{}, err
	}
	defer handOver(false)

	h := sha256.New()
	w := io.MultiWriter(data, h)
	src := ctxReader{ctx: ctx, r: r}
	var n int64
	if size >= 0 {
		n, err = io.CopyN(w, src, size)
		if err == nil {
			// A longer body than announced is a caller bug; storing a
			// truncated object would hide it.
			var one [1]byte
			if m, _ := io.ReadFull(src, one[:]); m > 0 {
				err = fmt.Errorf("media: body is longer than the announced %d bytes", size)
			}
		} else if errors.Is(err, io.EOF) {
			err = fmt.Errorf("media: body ended after %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF)
		}
	} else {
		_, err = io.Copy(w, src)
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("media: put %s: %w", key, err)
	}
	handOver(true) // commit removes the file itself if it fails
	info, err := s.commit(ctx, key, data, diskMeta{ContentType: contentType, ETag: hex.EncodeToString(h.Sum(nil))})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("media: put %s: %w", key, err)
	}
	return info, nil
}

// commit moves a fully written temporary data file into place as key. It
// takes ownership of data: on error the file is closed and removed.
func (s *DiskStore) commit(ctx context.Context, key string, data *os.File, m diskMeta) (ObjectInfo, error) {
	renamed := false
	defer func() {
		if !renamed {
			// The object is being discarded: the file may be closed
			// already, and a failed removal only leaves litter in tmp.
			_ = data.Close()
			_ = os.Remove(data.Name())
		}
	}()
	if err := data.Sync(); err != nil {
		return ObjectInfo{}, err
	}
	if err := data.Close(); err != nil {
		return ObjectInfo{}, err
	}
	metaTmp, err := s.writeMetaTemp(m)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer func() { _ = os.Remove(metaTmp) }() // no-op once renamed

	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, err
	}
	dst, metaDst := s.objectPath(key), s.metaPath(key)
	for _, d := range []string{filepath.Dir(dst), filepath.Dir(metaDst)} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return ObjectInfo{}, err
		}
	}
	// Metadata first: the data file is what makes an object exist, so a
	// reader never sees data without its content type.
	if err := os.Rename(metaTmp, metaDst); err != nil {
		return ObjectInfo{}, err
	}
	if err := os.Rename(data.Name(), dst); err != nil {
		return ObjectInfo{}, err
	}
	renamed = true

	fi, err := os.Stat(dst)
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Key: key, Size: fi.Size(), ContentType: m.ContentType, ETag: m.ETag, LastModified: fi.ModTime().UTC()}, nil
}

func (s *DiskStore) writeMetaTemp(m diskMeta) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.tmp, "meta-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name()) // best effort; err is what matters
		return "", err
	}
	return f.Name(), nil
}

func (s *DiskStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return ObjectInfo{}, err
	}
	fi, err := os.Stat(s.objectPath(key))
	if err != nil {
		return ObjectInfo{}, s.statErr(err)
	}
	if !fi.Mode().IsRegular() {
		return ObjectInfo{}, ErrObjectNotFound
	}
	return s.info(key, fi), nil
}

func (s *DiskStore) info(key string, fi fs.FileInfo) ObjectInfo {
	m := diskMeta{ContentType: defaultContentType}
	// A lost sidecar should not make the object unreadable; it only costs
	// the content type and ETag.
	if b, err := os.ReadFile(s.metaPath(key)); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return ObjectInfo{Key: key, Size: fi.Size(), ContentType: m.ContentType, ETag: m.ETag, LastModified: fi.ModTime().UTC()}
}

// statErr tells a missing object from a broken disk. ENOTDIR means a
// prefix of the key is a file, which also means the object does not exist.
func (s *DiskStore) statErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return ErrObjectNotFound
	}
	return s.unavailable(err)
}

func (s *DiskStore) unavailable(err error) error {
	return fmt.Errorf("%w: %v", ErrStorageUnavailable, err)
}

func (s *DiskStore) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := checkRange(offset, length); err != nil {
		return nil, err
	}
	f, fi, err := s.openFile(key)
	if err != nil {
		return nil, err
	}
	n, err := clampRange(offset, length, fi.Size())
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, err
	}
	return readCloser{io.LimitReader(f, n), f}, nil
}

func (s *DiskStore) openFile(key string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(s.objectPath(key))
	if err != nil {
		return nil, nil, s.statErr(err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, s.unavailable(err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, ErrObjectNotFound
	}
	return f, fi, nil
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

type readCloser struct {
	io.Reader
	io.Closer
}

func (s *DiskStore) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	// Data first: once it is gone the object is gone, whatever happens to
	// the sidecar.
	for _, p := range []string{s.objectPath(key), s.metaPath(key)} {
		fi, err := os.Lstat(p)
		if err == nil && fi.IsDir() {
			continue // a prefix of other keys, not an object
		}
		if err == nil {
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			return fmt.Errorf("%w: delete %s: %v", ErrStorageUnavailable, key, err)
		}
	}
	return nil
}

func (s *DiskStore) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", fmt.Errorf("media: signed URL lifetime must be positive, got %s", ttl)
	}
	expires := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	return s.publicBase + "/" + key + "?expires=" + expires + "&signature=" + hex.EncodeToString(s.sign(key, expires)), nil
}

func (s *DiskStore) sign(key, expires string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(key + "\n" + expires))
	return m.Sum(nil)
}

func (s *DiskStore) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStorageUnavailable, err)
	}
	// Writing is what uploads need, so readiness checks a real write rather
	// than only that the directory exists.
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return s.unavailable(err)
	}
	name := f.Name()
	_, err = f.Write([]byte("ok"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return s.unavailable(err)
	}
	return nil
}

// Link is what a verified signed link grants.
type Link struct {
	Key string
	// Expires bounds how long caches may keep what the link served.
	Expires time.Time
	// For part uploads (PUT) only.
	UploadID string
	Part     int
	// MaxSize is the most bytes the part may have; 0 when the link
	// does not bound it (MaxPartSize then applies).
	MaxSize int64
}

var (
	ErrLinkInvalid = errors.New("media: link signature invalid")
	ErrLinkExpired = errors.New("media: link expired")
)

// Authorize verifies a link made by SignedURL (method GET or HEAD) or by
// PartURL (method PUT). path is the request path, "<path of
// publicBase>/<key>", and query its query string. A path outside publicBase
// or naming no valid key is ErrObjectNotFound (also ErrInvalidKey for the
// latter).
func (s *DiskStore) Authorize(method, path string, query url.Values) (Link, error) {
	key, ok := strings.CutPrefix(path, s.basePath+"/")
	if !ok {
		return Link{}, ErrObjectNotFound
	}
	link := Link{Key: key}
	expires := query.Get("expires")
	var want []byte
	var part string
	switch method {
	case http.MethodGet, http.MethodHead:
		want = s.sign(key, expires)
	case http.MethodPut:
		link.UploadID, part = query.Get("upload"), query.Get("part")
		want = s.signPart(key, link.UploadID, part, expires, query.Get("size"))
	default:
		return Link{}, fmt.Errorf("%w: no link allows %s", ErrLinkInvalid, method)
	}
	got, err := hex.DecodeString(query.Get("signature"))
	// The key is inside the MAC, so checking the signature first also
	// refuses every key the store would never have signed.
	if err != nil || !hmac.Equal(got, want) {
		return Link{}, ErrLinkInvalid
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return Link{}, ErrLinkInvalid
	}
	link.Expires = time.Unix(exp, 0)
	if s.now().Unix() > exp {
		return Link{}, ErrLinkExpired
	}
	if err := ValidKey(key); err != nil {
		return Link{}, fmt.Errorf("%w: %w", ErrObjectNotFound, err)
	}
	if method == http.MethodPut {
		n, err := strconv.Atoi(part)
		if err != nil || checkPartNumber(n) != nil || !validUploadID(link.UploadID) {
			return Link{}, ErrLinkInvalid
		}
		link.Part = n
		if size := query.Get("size"); size != "" {
			if link.MaxSize, err = strconv.ParseInt(size, 10, 64); err != nil || link.MaxSize < 1 {
				return Link{}, ErrLinkInvalid
			}
		}
	}
	return link, nil
}

// OpenFile opens key's data file for serving: the caller gets the open file
// rather than a path, so an overwrite between the check and the read cannot
// serve another version than the one described by the returned info.
func (s *DiskStore) OpenFile(key string) (*os.File, ObjectInfo, error) {
	if err := ValidKey(key); err != nil {
		return nil, ObjectInfo{}, err
	}
	f, fi, err := s.openFile(key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	return f, s.info(key, fi), nil
}

// Handler serves the URLs made by SignedURL and PartURL with net/http. The
// API serves them itself; this is for tests and programs without it. Mount
// it so that it sees the full request path, "<path of publicBase>/<key>".
func (s *DiskStore) Handler() http.Handler {
	return http.HandlerFunc(s.serveSigned)
}

func (s *DiskStore) serveSigned(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		writeProblem(w, http.StatusMethodNotAllowed, "method_not_allowed", "Only GET, HEAD and PUT are allowed.")
		return
	}
	link, err := s.Authorize(r.Method, r.URL.Path, r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	if r.Method == http.MethodPut {
		etag, err := s.WritePart(r.Context(), link.Key, link.UploadID, link.Part, r.Body, link.MaxSize)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusOK)
		return
	}
	f, info, err := s.OpenFile(link.Key)
	if err != nil {
		writeError(w, err)
		return
	}
	defer func() { _ = f.Close() }() // read only
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	// Caches must not keep the object past the link's own lifetime.
	h.Set("Cache-Control", "private, max-age="+strconv.FormatInt(max(0, int64(time.Until(link.Expires)/time.Second)), 10))
	if info.ETag != "" {
		h.Set("ETag", `"`+info.ETag+`"`)
	}
	http.ServeContent(w, r, "", info.LastModified, f)
}

func writeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrLinkExpired):
		writeProblem(w, http.StatusForbidden, "link_expired", "The link has expired.")
	case errors.Is(err, ErrLinkInvalid):
		writeProblem(w, http.StatusForbidden, "invalid_signature", "The link signature is invalid.")
	case errors.Is(err, ErrObjectNotFound):
		writeProblem(w, http.StatusNotFound, "not_found", "No such object.")
	case errors.Is(err, ErrUploadNotFound):
		writeProblem(w, http.StatusNotFound, "upload_not_found", "No such upload; it may have been completed or aborted.")
	case errors.Is(err, ErrPartTooLarge):
		writeProblem(w, http.StatusRequestEntityTooLarge, "too_large", "The part is larger than allowed.")
	case errors.Is(err, ErrStorageUnavailable):
		writeProblem(w, http.StatusServiceUnavailable, "storage_unavailable", "Object storage is unavailable.")
	default:
		writeProblem(w, http.StatusInternalServerError, "internal_error", "The request failed.")
	}
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	b, _ := json.Marshal(struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}{"about:blank", http.StatusText(status), status, code, detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // the status is sent; a failed write means the client left
}

// ctxReader lets a cancelled request stop an upload between reads, since
// io.Copy itself knows nothing about contexts.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// tempFile opens a temporary file in the same filesystem as the objects,
// so that the final rename is atomic. Until handOver(true) is called, a
// deferred handOver(false) removes it: every early return leaves nothing.
func (s *DiskStore) tempFile() (f *os.File, handOver func(kept bool), err error) {
	f, err = os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	done := false
	return f, func(kept bool) {
		if done {
			return
		}
		done = true
		if !kept {
			// Discarded: errors would only say the file was already closed,
			// or leave litter in tmp.
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}, nil
}
