package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"mooc/internal/database"
)

// fuzzMaxUpload keeps "too large" within reach of small fuzz inputs.
const fuzzMaxUpload = 16 << 10

const fuzzBoundary = "mooc-robeza-7f3a"

// form builds a multipart body by hand, so that seeds can also be broken.
func form(boundary string, parts ...string) []byte {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String())
}

func filePartText(name, filename, declared string, content []byte) string {
	return `Content-Disposition: form-data; name="` + name + `"; filename="` + filename + "\"\r\nContent-Type: " + declared + "\r\n\r\n" + string(content)
}

func tinyPNG() []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2)))
	return buf.Bytes()
}

// FuzzUploadMultipart posts arbitrary multipart bodies, under fixed and
// fuzzed Content-Types, to POST /media as an author, through the real app
// over SQLite and the disk store. Every reply is 201, 400, 413, 415 or 422
// (never a 5xx); a refused upload leaves no row and no object; an accepted
// one stored exactly the bytes of the body's part "file".
func FuzzUploadMultipart(f *testing.F) {
	ct := "multipart/form-data; boundary=" + fuzzBoundary
	mp4, _ := os.ReadFile("testdata/lesson.mp4")
	mp3, _ := os.ReadFile("testdata/interview.mp3")
	vtt := []byte(captionsLV)
	note := `Content-Disposition: form-data; name="note"` + "\r\n\r\nPiezīme"
	for _, seed := range []struct {
		ct   string
		body []byte
	}{
		{ct, form(fuzzBoundary, note, filePartText("file", "subtitri.vtt", "text/vtt", vtt))},
		{ct, form(fuzzBoundary, filePartText("file", "shēma.png", "image/png", tinyPNG()))},
		{ct, form(fuzzBoundary, filePartText("file", "intervija.mp3", "audio/mpeg", mp3))},
		{ct, form(fuzzBoundary, filePartText("file", "lekcija.mp4", "video/mp4", mp4))},
		{ct, form(fuzzBoundary, filePartText("file", "liels.mp4", "video/mp4", append(mp4, make([]byte, 4<<10)...)))},
		{ct, form(fuzzBoundary, filePartText("file", "atpakaļ.vtt", "text/vtt", []byte("WEBVTT\n\n00:05.000 --> 00:01.000\nx\n")))},
		{ct, form(fuzzBoundary, filePartText("file", "virus.exe", "application/pdf", append([]byte("MZ\x90\x00"), make([]byte, 100)...)))},
		{ct, form(fuzzBoundary, filePartText("attachment", "a.vtt", "text/vtt", vtt))},
		{ct, form(fuzzBoundary, filePartText("file", "", "", nil))},
		{ct, form(fuzzBoundary)},
		{ct, []byte("--" + fuzzBoundary + "\r\n" + filePartText("file", "pusē.vtt", "text/vtt", vtt))}, // no closing boundary
		{ct, []byte("preambula\r\n--" + fuzzBoundary + "\r\n" + filePartText("file", "a.png", "image/png", tinyPNG()) + "\r\n--" + fuzzBoundary + "--\r\nepilogs")},
		{ct, form(fuzzBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"q.vtt\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nWEBVTT=0A=0A00:00.000 --> 00:01.000=0Ax=0A")},
		{ct, form(fuzzBoundary, "Content-Disposition: form-data; name*=utf-8''file; filename*=utf-8''%C4%A3.vtt\r\n\r\n"+captionsLV)},
		{ct, []byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n" + strings.Repeat("X-A: b\r\n", 2000) + "\r\nWEBVTT\n")},
		{ct, nil},
		{"multipart/form-data; boundary=x", []byte("--x\r\nbroken")},
		{"multipart/form-data; boundary=\"a b:c\"", form("a b:c", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"MULTIPART/FORM-DATA; BOUNDARY=Z", form("Z", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/form-data; boundary=" + strings.Repeat("b", 70), form(strings.Repeat("b", 70), filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/form-data; boundary=", form("", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/form-data", form("x", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/mixed; boundary=x", form("x", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/form-data; boundary*=utf-8''robe%C5%BEa", form("robeža", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"multipart/form-data; boundary=x; boundary=y", form("x", filePartText("file", "a.vtt", "text/vtt", vtt))},
		{"application/json", []byte(`{"file":"WEBVTT"}`)},
		{"", vtt},
		{"text/vtt", vtt},
	} {
		f.Add(seed.ct, seed.body)
	}

	s := assemble(f, database.SQLite, options{maxUpload: fuzzMaxUpload})
	token := tokenFor(f, s.users, "fuzz.autore@example.lv", "author")

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if !validHeaderValue(contentType) {
			return // no client can send it; net/http would not
		}
		s.t = t
		req := httptest.NewRequest("POST", "/api/v1/media", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := s.app.Test(req, -1)
		if err != nil {
			t.Fatalf("app.Test: %v", err)
		}
		reply, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()

		switch resp.StatusCode {
		case 201:
			var m mediaBody
			if err := json.Unmarshal(reply, &m); err != nil {
				t.Fatalf("201 reply is not media: %s", reply)
			}
			want, err := firstFilePart(contentType, body)
			if err != nil {
				t.Fatalf("accepted %q, whose file part cannot be read: %v", body, err)
			}
			h := sha256.Sum256(want)
			if m.Size != int64(len(want)) || m.SHA256 != hex.EncodeToString(h[:]) || m.Status != "ready" {
				t.Fatalf("stored %+v; the file part has %d bytes, sha256 %x", m, len(want), h)
			}
			if n := s.rowCount("media"); n != 1 {
				t.Fatalf("%d media rows after one upload", n)
			}
			if n := s.objectCount(); n != 1 {
				t.Fatalf("%d objects after one upload", n)
			}
			// Leave the store empty for the next input.
			var row struct{ ObjectKey string }
			s.db.Conn(context.Background()).Table("media").Select("object_key").Where("id = ?", m.ID).Scan(&row)
			if err := s.objects.Delete(context.Background(), row.ObjectKey); err != nil {
				t.Fatal(err)
			}
			if err := s.db.Conn(context.Background()).Exec("DELETE FROM media WHERE id = ?", m.ID).Error; err != nil {
				t.Fatal(err)
			}
		case 400, 413, 415, 422:
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%d with content type %q: %s", resp.StatusCode, ct, reply)
			}
			if n := s.rowCount("media"); n != 0 {
				t.Fatalf("%d media rows after a %d: %s", n, resp.StatusCode, reply)
			}
			if n := s.objectCount(); n != 0 {
				t.Fatalf("%d objects after a %d: %s", n, resp.StatusCode, reply)
			}
		default:
			t.Fatalf("status %d for Content-Type %q and body %q: %s\nserver log:\n%s", resp.StatusCode, contentType, body, reply, s.logs)
		}
	})
}

// firstFilePart reads, independently of the handler, the part named
// "file" as a client library would.
func firstFilePart(contentType string, body []byte) ([]byte, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if p.FormName() == "file" {
			b, err := io.ReadAll(p)
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return b, nil
		}
	}
}

// validHeaderValue: what net/http lets a client put in a header value.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
