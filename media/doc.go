// Package media owns files: videos, readings, captions and the rendered
// certificates. It stores them behind one ObjectStore interface with two
// backends, MinIO (production) and a folder on local disk (the embedded
// default), which pass one shared test suite, and hands out short-lived
// signed links so that clients fetch bytes straight from storage. Two
// sweeps keep storage and rows in step: the stale-upload sweep (sweep.go)
// ends resumable uploads nobody finished, and the orphan sweep (orphans.go)
// lists storage and removes the objects and multipart uploads no row has
// known for an hour, asking each domain that writes objects (media itself,
// certificates) which of its keys its rows name.
package media
