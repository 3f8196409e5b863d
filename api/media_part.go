package api

import (
	"mime/multipart"

	"github.com/gofiber/fiber/v2"
)

// FilePart is the part named "file" of a multipart request body, read as
// a stream as POST /media reads it, for the pages' upload form.
func FilePart(c *fiber.Ctx) (*multipart.Part, error) { return filePart(c) }
