package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/media"
)

type uploadBody struct {
	ID       string `json:"id"`
	PartSize int64  `json:"part_size"`
	Parts    []struct {
		Number int    `json:"number"`
		URL    string `json:"url"`
	} `json:"parts"`
}

type partBody struct {
	Number int    `json:"number"`
	ETag   string `json:"etag"`
}

// forEachBackend runs fn on both databases and both object stores.
func forEachBackend(t *testing.T, o options, fn func(t *testing.T, s *server)) {
	t.Helper()
	for _, storage := range []string{"disk", "s3"} {
		t.Run(storage, func(t *testing.T) {
			testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
				o := o
				o.db, o.s3 = db, storage == "s3"
				fn(t, newServer(t, db.Dialect(), o))
			})
		})
	}
}

func (s *server) beginUpload(token, filename string, size int64) reply {
	s.t.Helper()
	return s.do(request{method: "POST", path: "/api/v1/media/uploads", token: token,
		body: map[string]any{"filename": filename, "content_type": "video/mp4", "size": size}})
}

func (s *server) begun(token, filename string, size int64) uploadBody {
	s.t.Helper()
	var up uploadBody
	s.beginUpload(token, filename, size).expect(s.t, 201).json(s.t, &up)
	return up
}

// sendParts PUTs content, cut by the upload's part size, to the part URLs
// as a browser would: straight to MinIO, or to the API's /objects route
// when the disk store is the backend.
func (s *server) sendParts(up uploadBody, content []byte) []partBody {
	s.t.Helper()
	var parts []partBody
	for _, p := range up.Parts {
		start := min(int64(p.Number-1)*up.PartSize, int64(len(content)))
		chunk := content[start:min(start+up.PartSize, int64(len(content)))]
		var status int
		var etag string
		if s.s3 != nil {
			req, err := http.NewRequest(http.MethodPut, p.URL, bytes.NewReader(chunk))
			if err != nil {
				s.t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				s.t.Fatal(err)
			}
			_ = resp.Body.Close()
			status, etag = resp.StatusCode, resp.Header.Get("ETag")
		} else {
			r := s.do(request{method: "PUT", path: linkPath(s.t, p.URL), body: chunk})
			status, etag = r.status, r.header.Get("ETag")
		}
		if status != 200 || etag == "" {
			s.t.Fatalf("PUT part %d = %d, ETag %q", p.Number, status, etag)
		}
		parts = append(parts, partBody{Number: p.Number, ETag: etag})
	}
	return parts
}

func (s *server) complete(token, id string, parts []partBody) reply {
	s.t.Helper()
	return s.do(request{method: "POST", path: "/api/v1/media/" + id + "/complete", token: token, body: map[string]any{"parts": parts}})
}

// bigVideo is a real MP4 padded with zeros past one part: sniffing only
// looks at the head.
func bigVideo(t *testing.T) []byte {
	t.Helper()
	v := fixture(t, "lesson.mp4")
	return append(v, make([]byte, 6<<20+12345-len(v))...)
}

func (s *server) mediaRow(id string) bool {
	s.t.Helper()
	var n int64
	if err := s.db.Conn(context.Background()).Table("media").Where("id = ?", id).Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return n == 1
}

func TestResumableUpload(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		video := bigVideo(t)
		up := s.begun(author, "lekcija.mp4", int64(len(video)))
		if up.ID == "" || up.PartSize != media.MinPartSize || len(up.Parts) != 2 || up.Parts[0].Number != 1 || up.Parts[1].Number != 2 {
			t.Fatalf("begin: %+v", up)
		}
		parts := s.sendParts(up, video)

		var m mediaBody
		s.complete(author, up.ID, parts).expect(t, 200).json(t, &m)
		want := mediaBody{ID: up.ID, Filename: "lekcija.mp4", ContentType: "video/mp4", Size: int64(len(video)), SHA256: sum(video), Status: "ready"}
		if m != want {
			t.Fatalf("complete: %+v, want %+v", m, want)
		}
		var got mediaBody
		s.do(request{method: "GET", path: "/api/v1/media/" + up.ID, token: author}).expect(t, 200).json(t, &got)
		if got != m {
			t.Fatalf("GET media %+v, complete said %+v", got, m)
		}
		s.complete(author, up.ID, parts).problem(t, 409, "upload_not_open")
		s.do(request{method: "DELETE", path: "/api/v1/media/uploads/" + up.ID, token: author}).problem(t, 409, "upload_not_open")
		// The object, and no part or upload left over.
		if n := s.objectCount(); n != 1 {
			t.Fatalf("%d objects after completion, want 1", n)
		}
	})
}

// Every refused upload leaves no object and no row; each case is checked
// on its own so a leak is pinned on the case that caused it.
func TestResumableUploadRejections(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		_, other := s.signUp("author")
		_, learner := s.signUp()
		video := bigVideo(t)
		leavesNothing := func(what, id string) {
			t.Helper()
			if s.mediaRow(id) {
				t.Errorf("%s: the row is still there", what)
			}
			if n := s.objectCount(); n != 0 {
				t.Errorf("%s: %d objects or uploads left", what, n)
			}
		}

		// Fewer bytes arrive than were announced. On MinIO a part URL takes
		// exactly its part's length (signed into it), so the short last
		// part is refused at once; the parts that did arrive add up to
		// less than announced.
		up := s.begun(author, "lekcija.mp4", int64(len(video))+1000)
		sent := up
		if s.s3 != nil {
			if status := s.putPart(up.Parts[1].URL, video[up.PartSize:]); status != 403 {
				t.Errorf("a short last part straight to MinIO: %d, want 403", status)
			}
			sent.Parts = up.Parts[:1]
		}
		s.complete(author, up.ID, s.sendParts(sent, video)).problem(t, 422, "size_mismatch")
		leavesNothing("size mismatch", up.ID)

		// Bytes of no accepted type, whatever the declared content type.
		zeros := make([]byte, 6<<20)
		up = s.begun(author, "lekcija.mp4", int64(len(zeros)))
		s.complete(author, up.ID, s.sendParts(up, zeros)).problem(t, 415, "unsupported_media_type")
		leavesNothing("zeros", up.ID)

		captions := []byte("WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n")
		up = s.begun(author, "subtitri.vtt", int64(len(captions)))
		s.complete(author, up.ID, s.sendParts(up, captions)).problem(t, 422, "invalid_captions")
		leavesNothing("invalid captions", up.ID)

		s.beginUpload(author, "huge.mp4", 64<<20+1).problem(t, 413, "too_large")
		p := s.do(request{method: "POST", path: "/api/v1/media/uploads", token: author, body: map[string]any{"filename": " ", "size": 0}}).problem(t, 422, "validation_failed")
		if len(p.Errors) != 2 {
			t.Errorf("validation errors %+v, want filename and size", p.Errors)
		}
		s.beginUpload(learner, "lekcija.mp4", 1000).problem(t, 403, "forbidden")
		s.beginUpload("", "lekcija.mp4", 1000).problem(t, 401, "unauthorized")
		leavesNothing("refused begins", "")

		// Someone else's upload is not there for another author, nor for a
		// learner; the owner's still is.
		up = s.begun(author, "lekcija.mp4", int64(len(video)))
		parts := s.sendParts(up, video)
		s.complete(other, up.ID, parts).problem(t, 404, "not_found")
		s.do(request{method: "DELETE", path: "/api/v1/media/uploads/" + up.ID, token: other}).problem(t, 404, "not_found")
		s.complete(learner, up.ID, parts).problem(t, 403, "forbidden")
		s.complete(author, "not-a-uuid", parts).problem(t, 404, "not_found")
		// A bad part list leaves the upload open for a corrected one.
		s.complete(author, up.ID, []partBody{parts[1], parts[0]}).problem(t, 422, "invalid_parts")
		s.complete(author, up.ID, nil).problem(t, 422, "invalid_parts")
		if !s.mediaRow(up.ID) {
			t.Fatal("a refused part list removed the upload")
		}
		s.do(request{method: "DELETE", path: "/api/v1/media/uploads/" + up.ID, token: author}).expect(t, 204)
		leavesNothing("abort", up.ID)
		s.complete(author, up.ID, parts).problem(t, 404, "not_found")
	})
}

// Two clients completing one upload at once: one wins, the other is told
// the upload is no longer open, and the result is one ready media.
func TestResumableUploadConcurrentCompletes(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		video := bigVideo(t)
		up := s.begun(author, "lekcija.mp4", int64(len(video)))
		parts := s.sendParts(up, video)

		statuses := make([]int, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := s.try(request{method: "POST", path: "/api/v1/media/" + up.ID + "/complete", token: author, body: map[string]any{"parts": parts}})
				if err != nil {
					t.Error(err)
				}
				statuses[i] = r.status
			}()
		}
		close(start)
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != 200 || statuses[1] != 409 {
			t.Fatalf("statuses %v, want one 200 and one 409", statuses)
		}
		var m mediaBody
		s.do(request{method: "GET", path: "/api/v1/media/" + up.ID, token: author}).expect(t, 200).json(t, &m)
		if m.Status != "ready" || m.SHA256 != sum(video) {
			t.Fatalf("after the race: %+v", m)
		}
		if n := s.objectCount(); n != 1 {
			t.Fatalf("%d objects, want 1", n)
		}
	})
}

// The sweep removes an upload abandoned long ago, row and storage upload,
// and leaves a recent upload and ready media alone.
func TestSweepAbandonedUploads(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		ready := s.uploaded(author, "lekcija.mp4", fixture(t, "lesson.mp4"))
		png := imageBytes(t, "png")
		recent := s.begun(author, "shēma.png", int64(len(png)))
		before := s.objectCount()

		video := bigVideo(t)
		abandoned := s.begun(author, "lekcija.mp4", int64(len(video)))
		s.sendParts(uploadBody{ID: abandoned.ID, PartSize: abandoned.PartSize, Parts: abandoned.Parts[:1]}, video)
		if s.objectCount() <= before {
			t.Fatal("the abandoned upload holds nothing in storage")
		}
		// The service's clock is the test's in package media; here the
		// upload is made old instead.
		long := time.Now().Add(-49 * time.Hour).UTC()
		if err := s.db.Conn(context.Background()).Exec("UPDATE media SET created_at = ?, updated_at = ? WHERE id = ?", long, long, abandoned.ID).Error; err != nil {
			t.Fatal(err)
		}

		sweeper := media.NewService(s.db, s.objects, 64<<20, slog.New(slog.DiscardHandler))
		n, err := sweeper.SweepStaleUploads(context.Background(), 48*time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("sweep removed %d, %v; want 1", n, err)
		}
		if s.mediaRow(abandoned.ID) {
			t.Error("the abandoned upload's row is still there")
		}
		if n := s.objectCount(); n != before {
			t.Errorf("%d objects and uploads after the sweep, want %d", n, before)
		}
		s.do(request{method: "GET", path: "/api/v1/media/" + ready.ID, token: author}).expect(t, 200)
		var m mediaBody
		s.complete(author, recent.ID, s.sendParts(recent, png)).expect(t, 200).json(t, &m)
		if m.ContentType != "image/png" || m.Size != int64(len(png)) {
			t.Fatalf("the recent upload after the sweep: %+v", m)
		}
	})
}

// putPart PUTs body to one part URL as a browser would and returns the
// status.
func (s *server) putPart(url string, body []byte) int {
	s.t.Helper()
	if s.s3 == nil {
		return s.do(request{method: "PUT", path: linkPath(s.t, url), body: body}).status
	}
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// A part URL takes its part's length and no more: not past part_size, not
// past the declared size (and so not past MOOC_MAX_UPLOAD_BYTES). On disk
// the API refuses with 413; MinIO refuses the signature (403).
func TestResumableUploadPartsBounded(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		refused := func(what string, status int) {
			t.Helper()
			want := 413
			if s.s3 != nil {
				want = 403
			}
			if status != want {
				t.Errorf("%s: PUT answered %d, want %d", what, status, want)
			}
		}
		png := imageBytes(t, "png")
		small := s.begun(author, "shēma.png", 10)
		refused("30 MiB for a 10-byte upload", s.putPart(small.Parts[0].URL, append(png, make([]byte, 30<<20)...)))
		refused("11 bytes for a 10-byte upload", s.putPart(small.Parts[0].URL, make([]byte, 11)))

		video := bigVideo(t)
		up := s.begun(author, "lekcija.mp4", int64(len(video)))
		refused("a first part over part_size", s.putPart(up.Parts[0].URL, make([]byte, up.PartSize+1)))
		refused("a last part over the rest", s.putPart(up.Parts[1].URL, make([]byte, up.PartSize)))
		if s.objectCount() > 2 {
			t.Errorf("%d objects or uploads after refused parts", s.objectCount())
		}
		// The right lengths still go through.
		var m mediaBody
		s.complete(author, up.ID, s.sendParts(up, video)).expect(t, 200).json(t, &m)
		if m.Size != int64(len(video)) {
			t.Fatalf("media %+v", m)
		}
	})
}

// A completed upload is served with the type sniffed from its bytes, not
// the one the client declared when it began.
func TestResumableUploadStoresSniffedType(t *testing.T) {
	forEachBackend(t, options{}, func(t *testing.T, s *server) {
		_, author := s.signUp("author")
		png := imageBytes(t, "png")
		up := s.begun(author, "shēma.png", int64(len(png))) // declared video/mp4
		var m mediaBody
		s.complete(author, up.ID, s.sendParts(up, png)).expect(t, 200).json(t, &m)
		info, err := s.objects.Stat(context.Background(), "media/"+up.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.ContentType != "image/png" || info.ContentType != "image/png" || info.Size != int64(len(png)) {
			t.Fatalf("media says %q, storage serves %q (%d bytes)", m.ContentType, info.ContentType, info.Size)
		}
	})
}
