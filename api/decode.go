package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// maxJSONBody bounds every JSON request body; uploads have their own limit.
const maxJSONBody = 1 << 20

// bind decodes the JSON body into v: 415 for another content type, 413
// past the limit, 400 for anything that is not a JSON object of the right
// shape. Validation of values is the domain's business, not this one.
func bind(c *fiber.Ctx, v any) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mt != fiber.MIMEApplicationJSON && mt != "application/merge-patch+json") {
		return badRequest(415, "unsupported_media_type", "send the body as application/json")
	}
	body, err := readBody(c, maxJSONBody)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readBody reads at most limit bytes of the body, streamed or not.
func readBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	if n := c.Request().Header.ContentLength(); n > int(limit) {
		return nil, badRequest(413, "too_large", fmt.Sprintf("the body may be at most %d bytes", limit))
	}
	var body []byte
	if stream := c.Context().RequestBodyStream(); stream != nil {
		b, err := io.ReadAll(io.LimitReader(stream, limit+1))
		if err != nil {
			return nil, badRequest(400, "malformed_body", "the body could not be read")
		}
		body = b
	} else {
		body = c.Body()
	}
	if int64(len(body)) > limit {
		return nil, badRequest(413, "too_large", fmt.Sprintf("the body may be at most %d bytes", limit))
	}
	return body, nil
}

// decodeJSON turns body into v or a 400 that says what is wrong.
func decodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return badRequest(400, "malformed_json", "the body is empty; send a JSON object")
	case trimmed[0] != '{':
		return badRequest(400, "malformed_json", "the body must be a JSON object")
	case !utf8.Valid(body):
		return badRequest(400, "malformed_json", "the body is not valid UTF-8")
	case bytes.Contains(body, []byte(`\u0000`)):
		// PostgreSQL cannot store the NUL character in text.
		return badRequest(400, "malformed_json", "text may not contain the NUL character (\\u0000)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		if times := badTimes(body, v); times != nil {
			return times
		}
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			field := typeErr.Field
			if field == "" {
				return badRequest(400, "malformed_json", "the body must be a JSON object")
			}
			return badRequest(400, "malformed_json", fmt.Sprintf("field %q must be of JSON type %s", field, jsonKind(typeErr.Type.Kind().String())))
		case errors.As(err, &syntaxErr):
			return badRequest(400, "malformed_json", fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset))
		default:
			return badRequest(400, "malformed_json", "the body is not valid JSON")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest(400, "malformed_json", "the body must hold exactly one JSON value")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}
