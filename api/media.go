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
		tag: "media", access: authors, reply: media.Media{}, status: 201, raw: ""},
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

// filePart walks the multipart body, as a stream, to the part named "file".
// Parts before it are skipped; nothing is buffered beyond the current part.
func filePart(c *fiber.Ctx) (*multipart.Part, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, badRequest(415, "unsupported_media_type", "send the file as multipart/form-data with a part named file")
	}
	var body io.Reader = c.Context().RequestBodyStream()
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
