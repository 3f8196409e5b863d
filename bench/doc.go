// Package bench holds the pieces of the load tool behind `make bench`
// (cmd/moocload) and the micro-benchmarks that go with them: a generated
// MP4 stream of any length, a multipart body of known length that streams
// it through an io.Pipe, a closed-loop load runner with latency
// percentiles, a burst that opens one connection per request and then
// releases every request at the same instant, access tokens minted as the
// platform issues them, a reader of pgbench's summary, and readers of a
// process's memory and CPU from /proc.
//
// Nothing here holds a large body in memory: the 2 GiB upload of the
// benchmark is generated while it is sent. Everything is meant for
// loopback addresses only (see CheckLoopback).
package bench
