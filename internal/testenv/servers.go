package testenv

// Private servers for fault tests: a PostgreSQL cluster and a MinIO server
// that belong to one test alone, so that it may stop and restart them
// without disturbing any other test. The shared servers of `make test`
// (PostgresURL, MinIO) must never be stopped.
//
// Stop, Start, Freeze and Thaw call t.Fatal on failure, so call them from
// the test's own goroutine.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/media"
)

// ---------------------------------------------------------------------------
// PostgreSQL

// PG is a private, throwaway PostgreSQL cluster on a loopback port: trust
// authentication, fsync off, removed when the test ends.
type PG struct {
	t testing.TB
	c *pgCluster
}

// OwnPostgres starts a private PostgreSQL cluster for the test. The server
// binaries are those of the newest PostgreSQL under the Debian location
// (/usr/lib/postgresql/<version>/bin), else initdb from PATH; the Debian
// package postgresql is installed when there are none. As root the cluster
// belongs to the system user postgres (created when missing), because
// initdb refuses to run as root. A missing binary or user is a test
// failure, never a skip.
func OwnPostgres(t testing.TB) *PG {
	t.Helper()
	c, err := newPGCluster(200, "32MB")
	if err != nil {
		t.Fatalf("testenv: a private PostgreSQL: %v", err)
	}
	p := &PG{t: t, c: c}
	t.Cleanup(func() {
		if err := c.close(); err != nil {
			t.Errorf("testenv: removing the private PostgreSQL: %v", err)
		}
	})
	return p
}

// URL is the connection URL of the cluster's postgres database.
func (p *PG) URL() string { return p.c.URL() }

// Port is the loopback port the cluster listens on, across restarts.
func (p *PG) Port() int { return p.c.port }

// Stop stops the server at once, as a crash would (pg_ctl stop -m
// immediate): connections are cut, nothing is shut down cleanly.
func (p *PG) Stop() {
	p.t.Helper()
	if err := p.c.thaw(); err != nil { // a stopped process would not take the signal
		p.t.Fatalf("testenv: %v", err)
	}
	if err := p.c.stop(); err != nil {
		p.t.Fatalf("testenv: stopping the private PostgreSQL: %v\n%s", err, p.c.logTail())
	}
}

// Start starts the stopped server again on the same port and data, and
// returns once it accepts connections.
func (p *PG) Start() {
	p.t.Helper()
	p.c.mu.Lock()
	running := p.c.running
	p.c.mu.Unlock()
	if running {
		return
	}
	if err := p.c.start(); err != nil {
		p.t.Fatalf("testenv: restarting the private PostgreSQL: %v\n%s", err, p.c.logTail())
	}
}

// Freeze stops every process of the cluster with SIGSTOP, as a hung
// server or a network partition looks to clients: connections open (the
// kernel still accepts them) but nothing answers. Thaw undoes it; the
// cleanup thaws a frozen cluster before stopping it. Linux only (/proc).
func (p *PG) Freeze() {
	p.t.Helper()
	if err := p.c.freeze(); err != nil {
		p.t.Fatalf("testenv: freezing the private PostgreSQL: %v", err)
	}
}

// Thaw resumes a frozen cluster (SIGCONT).
func (p *PG) Thaw() {
	p.t.Helper()
	if err := p.c.thaw(); err != nil {
		p.t.Fatalf("testenv: thawing the private PostgreSQL: %v", err)
	}
}

// ---------------------------------------------------------------------------
// MinIO

// MinIOProc is a private MinIO server on loopback ports. Its data folder
// is kept across Stop and Start, so objects survive a restart.
type MinIOProc struct {
	t testing.TB
	m *minioServer
}

// OwnMinIO starts a private MinIO server for the test, of the version
// `make test` uses, built once into ${XDG_CACHE_HOME:-$HOME/.cache}/mooc/minio/
// when the cache lacks it. A missing binary is a test failure, never a
// skip.
func OwnMinIO(t testing.TB) *MinIOProc {
	t.Helper()
	m, err := newMinIOServer()
	if err != nil {
		t.Fatalf("testenv: a private MinIO: %v", err)
	}
	t.Cleanup(func() {
		if err := m.close(); err != nil {
			t.Errorf("testenv: removing the private MinIO: %v", err)
		}
	})
	return &MinIOProc{t: t, m: m}
}

// Endpoint is host:port of the S3 API, the same across restarts.
func (m *MinIOProc) Endpoint() string { return m.m.addr }

// AccessKey is the server's root user.
func (m *MinIOProc) AccessKey() string { return m.m.accessKey }

// SecretKey is the server's root password.
func (m *MinIOProc) SecretKey() string { return m.m.secretKey }

// Config is the S3 configuration of bucket on this server.
func (m *MinIOProc) Config(bucket string) media.S3Config {
	return media.S3Config{Endpoint: m.m.addr, AccessKey: m.m.accessKey, SecretKey: m.m.secretKey, Bucket: bucket}
}

// Client is a minio-go client of the server, for looking behind the
// service's back (listing objects and unfinished uploads).
func (m *MinIOProc) Client() *minio.Client {
	m.t.Helper()
	c, err := minio.New(m.m.addr, &minio.Options{
		Creds: credentials.NewStaticV4(m.m.accessKey, m.m.secretKey, ""), Region: "us-east-1",
	})
	if err != nil {
		m.t.Fatalf("testenv: MinIO client: %v", err)
	}
	return c
}

// Stop kills the server (SIGKILL), as a crash would, and waits until it
// is gone.
func (m *MinIOProc) Stop() {
	m.t.Helper()
	if err := m.m.kill(); err != nil {
		m.t.Fatalf("testenv: %v", err)
	}
}

// Start starts the stopped server again on the same ports and data, and
// returns once it answers.
func (m *MinIOProc) Start() {
	m.t.Helper()
	if m.m.running() {
		return
	}
	if err := m.m.start(); err != nil {
		m.t.Fatalf("testenv: restarting the private MinIO: %v\n%s", err, m.m.logTail())
	}
}

// ---------------------------------------------------------------------------

// freePortNumber returns a loopback TCP port nothing listens on right now.
func freePortNumber() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("no free loopback port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, err
	}
	return port, nil
}

// randomString is 2n random lowercase hex digits.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

var secretLike = regexp.MustCompile(`(?i)(password|secret)[=:]\s*\S+`)

// tail returns the last n lines of a log file, for failure messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "----- last lines of " + filepath.Base(path) + " -----\n" +
		secretLike.ReplaceAllString(strings.Join(lines, "\n"), "$1=***") + "\n-----"
}

// Objects lists the keys under prefix in bucket, sorted.
func (m *MinIOProc) Objects(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	for o := range m.Client().ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return keys, o.Err
		}
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	return keys, nil
}

// Upload is an unfinished multipart upload and the bytes its parts hold.
type Upload struct {
	Key, UploadID string
	Bytes         int64
	Parts         int
}

// IncompleteUploads lists the multipart uploads in bucket that were
// neither completed nor aborted, with the size of their parts.
func (m *MinIOProc) IncompleteUploads(ctx context.Context, bucket string) ([]Upload, error) {
	core := minio.Core{Client: m.Client()}
	var out []Upload
	for up := range core.ListIncompleteUploads(ctx, bucket, "", true) {
		if up.Err != nil {
			return out, up.Err
		}
		u := Upload{Key: up.Key, UploadID: up.UploadID}
		marker := 0
		for {
			res, err := core.ListObjectParts(ctx, bucket, up.Key, up.UploadID, marker, 1000)
			if err != nil {
				return out, err
			}
			for _, p := range res.ObjectParts {
				u.Bytes += p.Size
				u.Parts++
			}
			if !res.IsTruncated {
				break
			}
			marker = res.NextPartNumberMarker
		}
		out = append(out, u)
	}
	return out, nil
}
