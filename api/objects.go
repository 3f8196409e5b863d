package api

import (
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"mooc/media"
)

// registerObjects serves the disk store's signed links.
func registerObjects(r *registry, disk *media.DiskStore, path string) {
	r.add("", op{method: "GET", path: path + "/*", summary: "Download a stored file through a signed, short-lived link (disk storage only; supports Range)", tag: "media", raw: "application/octet-stream"},
		adaptor.HTTPHandler(disk.Handler()))
}
