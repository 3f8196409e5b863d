package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pdfBytes(t *testing.T) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 14)
	pdf.Cell(40, 10, "Metodika: krizes intervence")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func imageBytes(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const captionsLV = "WEBVTT\n\n00:00.000 --> 00:02.500\nLabdien! Šodien runāsim par krīzes intervenci.\n\n00:02.500 --> 00:05.000\nĢimenes asistents ķeras pie darba.\n"

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Real files of every accepted type are stored with the sniffed type, size
// and hash, and read back byte for byte, on both databases and both stores.
func TestUploadAcceptedTypes(t *testing.T) {
	files := []struct {
		name, want string
		content    []byte
	}{
		{"notes.txt", "video/mp4", fixture(t, "lesson.mp4")}, // the name lies; the bytes decide
		{"lesson.webm", "video/webm", fixture(t, "lesson.webm")},
		{"intervija.mp3", "audio/mpeg", fixture(t, "interview.mp3")},
		{"materiāls.pdf", "application/pdf", pdfBytes(t)},
		{"shēma.png", "image/png", imageBytes(t, "png")},
		{"foto.jpg", "image/jpeg", imageBytes(t, "jpeg")},
		{"subtitri.vtt", "text/vtt", []byte(captionsLV)},
	}
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				s := newServer(t, db.Dialect(), options{db: db, s3: storage == "s3"})
				_, author := s.signUp("author")
				for _, f := range files {
					m := s.uploaded(author, f.name, f.content)
					if m.ContentType != f.want || m.Size != int64(len(f.content)) || m.SHA256 != sum(f.content) || m.Status != "ready" || m.Filename != f.name {
						t.Fatalf("%s: got %+v", f.name, m)
					}
					var row struct{ ObjectKey string }
					db.Conn(context.Background()).Table("media").Select("object_key").Where("id = ?", m.ID).Scan(&row)
					rc, err := s.objects.Open(context.Background(), row.ObjectKey, 0, -1)
					if err != nil {
						t.Fatal(err)
					}
					stored, _ := io.ReadAll(rc)
					_ = rc.Close()
					if !bytes.Equal(stored, f.content) {
						t.Fatalf("%s: stored bytes differ", f.name)
					}
					var got mediaBody
					s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: author}).expect(t, 200).json(t, &got)
					if got != m {
						t.Fatalf("GET media %+v, upload said %+v", got, m)
					}
				}
			})
		})
	}
}

func TestUploadRejections(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
			t.Run(storage, func(t *testing.T) {
				s := newServer(t, db.Dialect(), options{db: db, s3: storage == "s3", maxUpload: 64 << 10})
				_, author := s.signUp("author")
				_, learner := s.signUp()

				s.upload(author, "virus.exe", append([]byte("MZ\x90\x00"), make([]byte, 600)...)).problem(t, 415, "unsupported_media_type")
				s.upload(author, "lesson.mp4", []byte("just some text pretending to be a video")).problem(t, 415, "unsupported_media_type")
				s.upload(author, "empty.mp4", nil).problem(t, 415, "unsupported_media_type")
				s.upload(author, "bad.vtt", []byte("WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n")).problem(t, 422, "invalid_captions")
				big := append(fixture(t, "lesson.mp4"), make([]byte, 64<<10)...)
				s.upload(author, "big.mp4", big).problem(t, 413, "too_large")
				s.upload(learner, "lesson.mp4", fixture(t, "lesson.mp4")).problem(t, 403, "forbidden")
				s.upload("", "lesson.mp4", fixture(t, "lesson.mp4")).problem(t, 401, "unauthorized")

				body, ct := multipartBody(t, "attachment", "lesson.mp4", "video/mp4", fixture(t, "lesson.mp4"))
				s.do(request{method: "POST", path: "/api/v1/media", token: author, body: body, header: map[string]string{"Content-Type": ct}}).problem(t, 422, "validation_failed")
				s.do(request{method: "POST", path: "/api/v1/media", token: author, body: fixture(t, "lesson.mp4"), header: map[string]string{"Content-Type": "video/mp4"}}).problem(t, 415, "unsupported_media_type")
				s.do(request{method: "POST", path: "/api/v1/media", token: author, body: "--x\r\nbroken", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}}).problem(t, 400, "malformed_body")

				if n := s.rowCount("media"); n != 0 {
					t.Fatalf("%d media rows after rejected uploads", n)
				}
				if n := s.objectCount(); n != 0 {
					t.Fatalf("%d objects after rejected uploads", n)
				}
			})
		})
	}
}

// Path-like and hostile file names are kept for display only, never used
// as a path.
func TestUploadFilenames(t *testing.T) {
	s := newServer(t, database.SQLite, options{})
	_, author := s.signUp("author")
	for name, want := range map[string]string{
		"../../etc/passwd.vtt":             "passwd.vtt",
		`C:\Users\Līga\lekcija.vtt`:        "lekcija.vtt",
		"<script>alert(1)</script>.vtt":    "script>.vtt",
		"'; DROP TABLE media; --.vtt":      "'; DROP TABLE media; --.vtt",
		"Ģimenes asistenta ievads (1).vtt": "Ģimenes asistenta ievads (1).vtt",
	} {
		m := s.uploaded(author, name, []byte(captionsLV))
		if m.Filename != want {
			t.Errorf("%q stored as %q, want %q", name, m.Filename, want)
		}
	}
	if n := s.rowCount("media"); n != 5 {
		t.Fatalf("%d rows", n)
	}
}

func TestMediaVisibility(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newServer(t, db.Dialect(), options{db: db})
		_, alice := s.signUp("author")
		_, bob := s.signUp("author")
		_, team := s.signUp("team")
		_, learner := s.signUp()
		m := s.uploaded(alice, "lesson.mp4", fixture(t, "lesson.mp4"))
		s.uploaded(bob, "bob.vtt", []byte(captionsLV))

		s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: alice}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: team}).expect(t, 200)
		s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: bob}).problem(t, 404, "not_found")
		s.do(request{method: "GET", path: "/api/v1/media/" + m.ID, token: learner}).problem(t, 403, "forbidden")
		s.do(request{method: "GET", path: "/api/v1/media/not-a-uuid", token: team}).problem(t, 404, "not_found")

		count := func(token string) int {
			var l struct{ Items []mediaBody }
			s.do(request{method: "GET", path: "/api/v1/media", token: token}).expect(t, 200).json(t, &l)
			return len(l.Items)
		}
		if a, b, tm := count(alice), count(bob), count(team); a != 1 || b != 1 || tm != 2 {
			t.Fatalf("lists: alice %d, bob %d, team %d", a, b, tm)
		}
	})
}

// A client that disconnects half-way through an upload leaves nothing.
func TestUploadClientDisconnectLeavesNothing(t *testing.T) {
	for _, storage := range []string{"disk", "s3"} {
		t.Run(storage, func(t *testing.T) {
			s := newServer(t, database.Postgres, options{s3: storage == "s3"})
			_, author := s.signUp("author")
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = s.app.Listener(ln) }()
			t.Cleanup(func() { _ = s.app.Shutdown() })

			video := append(fixture(t, "lesson.mp4"), make([]byte, 4<<20)...)
			body, ct := multipartBody(t, "file", "lesson.mp4", "video/mp4", video)
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fmt.Fprintf(conn, "POST /api/v1/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", author, ct, len(body)); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write(body[:len(body)/2]); err != nil {
				t.Fatal(err)
			}
			if err := conn.Close(); err != nil {
				t.Fatal(err)
			}

			// The request's log line is written once the handler has
			// finished with it; wait for that, not for a fixed time.
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(s.logs.String(), `"route":"/api/v1/media"`) {
				if time.Now().After(deadline) {
					t.Fatalf("the upload was never finished; logs:\n%s", s.logs)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if n := s.rowCount("media"); n != 0 {
				t.Fatalf("%d media rows after a broken upload", n)
			}
			if n := s.objectCount(); n != 0 {
				t.Fatalf("%d objects after a broken upload", n)
			}
		})
	}
}
