package bench

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
)

// Multipart is a multipart/form-data body with one file part whose length
// is known before the first byte is sent, so that an HTTP request can carry
// Content-Length instead of being chunked.
type Multipart struct {
	// Body streams the form; closing it stops the writer.
	Body          io.ReadCloser
	ContentType   string // multipart/form-data; boundary=...
	ContentLength int64
}

// NewMultipart streams content (exactly size bytes) as the part named
// field, with the given file name and part content type, through an
// io.Pipe: the form is written while it is read, one buffer at a time.
// A content that yields more or fewer than size bytes makes Body fail.
func NewMultipart(field, filename, contentType string, content io.Reader, size int64) (*Multipart, error) {
	boundary := multipart.NewWriter(io.Discard).Boundary()
	header := textproto.MIMEHeader{}
	header.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, filename))
	header.Set("Content-Type", contentType)

	// The framing around the content: write it once without the content
	// and count the bytes; the writer produces the same bytes later.
	var framing countingWriter
	mw := multipart.NewWriter(&framing)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, err
	}
	if _, err := mw.CreatePart(header); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeForm(pw, boundary, header, content, size))
	}()
	return &Multipart{Body: pr, ContentType: mw.FormDataContentType(), ContentLength: framing.n + size}, nil
}

func writeForm(w io.Writer, boundary string, header textproto.MIMEHeader, content io.Reader, size int64) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	part, err := mw.CreatePart(header)
	if err != nil {
		return err
	}
	n, err := io.CopyBuffer(part, io.LimitReader(content, size+1), make([]byte, 256<<10))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("bench: multipart content has %d bytes, want %d", n, size)
	}
	return mw.Close()
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
