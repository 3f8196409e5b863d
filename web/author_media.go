package web

import (
	"errors"
	"io"
	"time"

	"github.com/gofiber/fiber/v2"

	"mooc/api"
	"mooc/catalogue"
	"mooc/media"
)

// authorUpload takes the builder's file form without a script: the part
// named file is streamed to storage as POST /api/v1/media streams it (the
// CSRF token rides in the query, so that checking it reads no body), and
// the builder is shown again with the new file, or with why it was
// refused beside the file field.
func (p *pages) authorUpload(c *fiber.Ctx, r *request) error {
	courseID := c.Query("course")
	part, err := api.FilePart(c)
	var m media.Media
	if err == nil {
		m, err = p.Media.Upload(r.ctx, r.principal, part.FileName(), part)
	}
	if err != nil {
		status, _ := statusOf(err)
		if status >= 500 {
			return err
		}
		return p.authorBuilderWith(c, r, status, courseID, func(pg *authorBuilderPage) { pg.FileError = p.authorFileError(r, err) }, nil)
	}
	return p.redirect(c, r, "/author/courses/"+courseID+"?media="+m.ID+"#files", "flash.author_uploaded")
}

// authorFileError words a refused file for the reader: a captions file by
// the line and rule it breaks, others by the contract's code.
func (p *pages) authorFileError(r *request, err error) string {
	var cerr *media.CaptionsError
	if errors.As(err, &cerr) {
		key := "author.vtt." + cerr.Code // one key a rule of the format
		reason := r.loc.T(key)
		if cerr.Line == 0 {
			return reason
		}
		return r.loc.T("author.vtt.line", cerr.Line, reason)
	}
	msg, _ := p.explain(r, err)
	return msg
}

// authorCheckCaptions tells author.js, after the API refused a captions
// file as invalid_captions, which line breaks which rule: the body is
// the file.
func (p *pages) authorCheckCaptions(c *fiber.Ctx, r *request) error {
	var body []byte
	var err error
	if stream := c.Context().RequestBodyStream(); stream != nil {
		body, err = io.ReadAll(io.LimitReader(stream, 2<<20+1))
	} else {
		body = c.Body()
	}
	if err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"code": "malformed_body"})
	}
	if err := media.ValidateWebVTT(body); err != nil {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"code": "invalid_captions", "message": p.authorFileError(r, err)})
	}
	return c.JSON(fiber.Map{"code": "ok"})
}

// authorPreviewPage is a lesson as a learner will see it, with links to
// its file and captions signed for the author.
type authorPreviewPage struct {
	Course   catalogue.Course
	Lesson   catalogue.Lesson
	Media    *media.Media
	URL      string
	Captions []authorSignedCaption
}

type authorSignedCaption struct{ Language, URL string }

// authorPreviewTTL is how long the preview's links work.
const authorPreviewTTL = 15 * time.Minute

func (p *pages) authorPreview(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	pg := authorPreviewPage{Course: co}
	found := false
	for _, l := range co.Lessons() {
		if l.ID == c.Params("lesson") {
			pg.Lesson, found = l, true
		}
	}
	if !found {
		return catalogue.ErrNotFound
	}
	if id := pg.Lesson.MediaID; id != nil {
		m, err := p.Media.Lookup(r.ctx, *id)
		if err != nil {
			return err
		}
		if pg.URL, err = p.Media.SignedURL(r.ctx, m, authorPreviewTTL); err != nil {
			return err
		}
		pg.Media = &m
		for _, cp := range pg.Lesson.Captions {
			cm, err := p.Media.Lookup(r.ctx, cp.MediaID)
			if err != nil {
				return err
			}
			u, err := p.Media.SignedURL(r.ctx, cm, authorPreviewTTL)
			if err != nil {
				return err
			}
			pg.Captions = append(pg.Captions, authorSignedCaption{Language: cp.Language, URL: u})
		}
	}
	return p.render(c, r, fiber.StatusOK, "author_preview", pg.Lesson.Title, pg, nil)
}
