package api_test

import (
	"bytes"
	"context"
	"io/fs"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// multipartBody builds a form with one file part; the part's declared type
// and name are whatever the test says, as a client may lie.
func multipartBody(t *testing.T, field, filename, declaredType string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("note", "ignored")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	h.Set("Content-Type", declaredType)
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

type mediaBody struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Status      string `json:"status"`
}

func (s *server) upload(token, filename string, content []byte) reply {
	s.t.Helper()
	body, ct := multipartBody(s.t, "file", filename, "application/octet-stream", content)
	return s.do(request{method: "POST", path: "/api/v1/media", token: token, body: body, header: map[string]string{"Content-Type": ct}})
}

func (s *server) uploaded(token, filename string, content []byte) mediaBody {
	s.t.Helper()
	var m mediaBody
	s.upload(token, filename, content).expect(s.t, 201).json(s.t, &m)
	return m
}

// objectCount counts what the object store holds, temporary files included.
func (s *server) objectCount() int {
	s.t.Helper()
	if s.s3 != nil {
		client, err := minio.New(s.s3.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.s3.AccessKey, s.s3.SecretKey, "")})
		if err != nil {
			s.t.Fatal(err)
		}
		n := 0
		for obj := range client.ListObjects(context.Background(), s.s3.Bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err != nil {
				s.t.Fatal(obj.Err)
			}
			n++
		}
		for up := range client.ListIncompleteUploads(context.Background(), s.s3.Bucket, "", true) {
			if up.Err == nil {
				n++
			}
		}
		return n
	}
	n := 0
	err := filepath.WalkDir(s.diskDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() && path == filepath.Join(s.diskDir, "meta") {
			return fs.SkipDir // sidecars of objects counted already
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *server) rowCount(table string) int64 {
	s.t.Helper()
	var n int64
	if err := s.db.Conn(context.Background()).Table(table).Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return n
}
