package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"

	"mooc/media"
)

func registerMedia(r *registry, svc *media.Service) {
	r.add(BasePath, op{method: "POST", path: "/media", summary: "Upload a file (multipart/form-data, part `file`); streamed to storage, type sniffed from the bytes",
		tag: "media", access: authors, reply: media.Media{}, status: 201, long: true},
		func(c *fiber.Ctx) error {
			part, err := filePart(c)
			if err != nil {
				return err
			}
			m, err := svc.Upload(c.UserContext(), me(c), part.FileName(), part)
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(m)
		})

	r.add(BasePath, op{method: "POST", path: "/media/uploads", summary: "Begin a resumable upload of a big file: PUT each part to its presigned URL (valid 24 hours; the reply's ETag header names the part), each part part_size bytes and the last the rest (a URL takes no more, on MinIO exactly that length), then complete it",
		tag: "media", access: authors, body: beginUploadRequest{}, reply: uploadReply{}, status: 201},
		func(c *fiber.Ctx) error {
			var in beginUploadRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			up, err := svc.BeginUpload(c.UserContext(), me(c), in.Filename, in.ContentType, in.Size)
			if err != nil {
				return err
			}
			out := uploadReply{ID: up.ID, PartSize: up.PartSize, Parts: make([]partURLReply, len(up.Parts))}
			for i, p := range up.Parts {
				out.Parts[i] = partURLReply{Number: p.Number, URL: p.URL}
			}
			return c.Status(fiber.StatusCreated).JSON(out)
		})

	r.add(BasePath, op{method: "POST", path: "/media/:id/complete", summary: "Complete a resumable upload; the file is checked as POST /media checks it, and a file refused leaves nothing behind",
		tag: "media", access: authors, body: completeUploadRequest{}, reply: media.Media{}, long: true},
		func(c *fiber.Ctx) error {
			var in completeUploadRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			parts := make([]media.Part, len(in.Parts))
			for i, p := range in.Parts {
				parts[i] = media.Part{Number: p.Number, ETag: p.ETag}
			}
			m, err := svc.CompleteUpload(c.UserContext(), me(c), c.Params("id"), parts)
			if err != nil {
				return err
			}
			return c.JSON(m)
		})

	r.add(BasePath, op{method: "DELETE", path: "/media/uploads/:id", summary: "Abort a resumable upload not yet completed, discarding its parts", tag: "media", access: authors, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.AbortUpload(c.UserContext(), me(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "GET", path: "/media/:id", summary: "Media metadata (own media; team sees all)", tag: "media", access: authors, reply: media.Media{}},
		func(c *fiber.Ctx) error {
			m, err := svc.Get(c.UserContext(), me(c), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(m)
		})

	r.add(BasePath, op{method: "GET", path: "/media", summary: "List media (own media; team sees all), newest first", tag: "media", access: authors,
		reply: list[media.Media]{}, query: pageParams},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			items, next, err := svc.List(c.UserContext(), me(c), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[media.Media]{Items: items, NextCursor: next})
		})
}

type beginUploadRequest struct {
	Filename string `json:"filename" validate:"required"`
	// ContentType is a hint for storage only; the type is sniffed from the
	// bytes when the upload completes.
	ContentType string `json:"content_type"`
	Size        int64  `json:"size" validate:"required"`
}

type uploadReply struct {
	ID       string         `json:"id"`
	PartSize int64          `json:"part_size"`
	Parts    []partURLReply `json:"parts"`
}

type partURLReply struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

type completeUploadRequest struct {
	Parts []partRequest `json:"parts" validate:"required"`
}

type partRequest struct {
	Number int    `json:"number" validate:"required"`
	ETag   string `json:"etag" validate:"required"`
}

// filePart walks the multipart body, as a stream, to the part named "file".
// Parts before it are skipped; nothing is buffered beyond the current part.
func filePart(c *fiber.Ctx) (*multipart.Part, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, badRequest(415, "unsupported_media_type", "send the file as multipart/form-data with a part named file")
	}
	body := c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, media.ErrNoFile
		}
		if err != nil {
			return nil, badRequest(400, "malformed_body", "the multipart body could not be read")
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}
