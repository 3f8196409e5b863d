// Package media owns files: videos, readings, captions and the rendered
// certificates. It stores them behind one ObjectStore interface with two
// backends, MinIO (production) and a folder on local disk (the embedded
// default), which pass one shared test suite, and hands out short-lived
// signed links so that clients fetch bytes straight from storage.
package media
