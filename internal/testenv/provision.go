package testenv

// The servers tests share. Given through the environment (MOOC_TEST_*),
// they are used as they are; otherwise they are throwaway ones:
//
//   - Provision starts them once for a whole run (the command
//     internal/testenv/cmd/testenv, which `make test`, `make fuzz` and
//     `make bench` run their commands under), so every test binary shares
//     one PostgreSQL and one MinIO;
//   - Main, called from a package's TestMain, starts them for that test
//     binary alone, on first use, when nothing is given (a plain
//     `go test ./api`), and removes them when the binary ends.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The variables that name the servers.
const (
	EnvDatabaseURL = "MOOC_TEST_DATABASE_URL"
	EnvS3Endpoint  = "MOOC_TEST_S3_ENDPOINT"
	EnvS3AccessKey = "MOOC_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey = "MOOC_TEST_S3_SECRET_KEY"
	EnvS3Secure    = "MOOC_TEST_S3_SECURE"
)

// What to set, for failure messages.
const (
	needDatabase = "set MOOC_TEST_DATABASE_URL=postgres://user@host:port/db?sslmode=disable for a server " +
		"where the user may create databases, or unset it and run `make test`, which starts a throwaway PostgreSQL"
	needMinIO = "set MOOC_TEST_S3_ENDPOINT (host:port), MOOC_TEST_S3_ACCESS_KEY and MOOC_TEST_S3_SECRET_KEY " +
		"(and MOOC_TEST_S3_SECURE=true for TLS) for a MinIO, or unset them and run `make test`, which starts a throwaway MinIO"
)

// Servers are the PostgreSQL and MinIO of a run, given or throwaway.
type Servers struct {
	// Env holds the MOOC_TEST_* variables that name them.
	Env map[string]string
	// Throwaway PostgreSQL and MinIO, nil when given.
	pg    *pgCluster
	minio *minioServer
}

// Provision checks the servers the environment names and starts throwaway
// ones for those it does not, first installing the Debian packages the
// suite lacks. Close removes what it started.
func Provision(ctx context.Context) (_ *Servers, err error) {
	haveDB := os.Getenv(EnvDatabaseURL) != ""
	haveS3 := os.Getenv(EnvS3Endpoint) != ""
	if err := installPackages(missingPackages(haveDB)...); err != nil {
		return nil, err
	}
	if !onPath("go") {
		return nil, errors.New("go is not on PATH; install the Go toolchain named in go.mod (https://go.dev/dl/)")
	}
	s := &Servers{Env: map[string]string{}}
	defer func() {
		if err != nil {
			_ = s.Close() // the first error is the one to report
		}
	}()
	// Given servers are checked before anything starts, so a wrong
	// setting fails at once; MinIO is built before PostgreSQL runs.
	if haveDB {
		if err := CheckDatabase(ctx, os.Getenv(EnvDatabaseURL)); err != nil {
			return nil, err
		}
		logf("PostgreSQL: using %s=%s", EnvDatabaseURL, redactURL(os.Getenv(EnvDatabaseURL)))
	}
	if haveS3 {
		if err := CheckMinIO(ctx, os.Getenv(EnvS3Endpoint), os.Getenv(EnvS3AccessKey), os.Getenv(EnvS3SecretKey), os.Getenv(EnvS3Secure) == "true"); err != nil {
			return nil, err
		}
		logf("MinIO: using %s=%s", EnvS3Endpoint, os.Getenv(EnvS3Endpoint))
	} else if _, err := MinIOBinary(); err != nil {
		return nil, err
	}
	if !haveDB {
		if s.pg, err = newPGCluster(400, "256MB"); err != nil {
			return nil, err
		}
		s.Env[EnvDatabaseURL] = s.pg.URL()
		logf("PostgreSQL: throwaway cluster on 127.0.0.1:%d (%s)", s.pg.port, s.pg.bin)
	}
	if !haveS3 {
		if s.minio, err = newMinIOServer(); err != nil {
			return nil, err
		}
		s.Env[EnvS3Endpoint] = s.minio.addr
		s.Env[EnvS3AccessKey] = s.minio.accessKey
		s.Env[EnvS3SecretKey] = s.minio.secretKey
		logf("MinIO: throwaway server %s on %s", minioVersion, s.minio.addr)
	}
	return s, nil
}

// ThrowawayMinIO tells whether the MinIO was started by Provision.
func (s *Servers) ThrowawayMinIO() bool { return s.minio != nil }

// Close stops and removes the throwaway servers.
func (s *Servers) Close() error {
	var err error
	if s.minio != nil {
		err = errors.Join(err, s.minio.close())
		s.minio = nil
	}
	if s.pg != nil {
		err = errors.Join(err, s.pg.close())
		s.pg = nil
	}
	return err
}

// CheckDatabase tells whether the PostgreSQL at url answers.
func CheckDatabase(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		var one int
		err = conn.QueryRow(ctx, "SELECT 1").Scan(&one)
		err = errors.Join(err, conn.Close(ctx))
	}
	if err != nil {
		return fmt.Errorf("%s=%s does not answer: %v. Start that server, fix the URL, "+
			"or unset %[1]s to let the tests start a throwaway PostgreSQL of their own", EnvDatabaseURL, redactURL(url), err)
	}
	return nil
}

// CheckMinIO tells whether the MinIO at endpoint answers and takes the
// keys.
func CheckMinIO(ctx context.Context, endpoint, accessKey, secretKey string, secure bool) error {
	if strings.Contains(endpoint, "://") {
		return fmt.Errorf("%s=%s must be host:port, without a scheme (%s=true for TLS)", EnvS3Endpoint, endpoint, EnvS3Secure)
	}
	if accessKey == "" || secretKey == "" {
		return fmt.Errorf("%s is set: set %s and %s too", EnvS3Endpoint, EnvS3AccessKey, EnvS3SecretKey)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	scheme := "http"
	if secure {
		scheme = "https"
	}
	fail := func(err error) error {
		return fmt.Errorf("%s=%s does not answer: %v. Start that MinIO, fix the address or keys, "+
			"or unset %[1]s to let the tests start a throwaway MinIO of their own", EnvS3Endpoint, endpoint, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+endpoint+"/minio/health/live", nil)
	if err != nil {
		return fail(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("/minio/health/live says %s", resp.Status))
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(accessKey, secretKey, ""), Secure: secure, Region: "us-east-1",
	})
	if err == nil {
		_, err = client.ListBuckets(ctx)
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

var urlPassword = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@`)

// redactURL hides a URL's password, for messages.
func redactURL(u string) string { return urlPassword.ReplaceAllString(u, "$1:***@") }

// ---------------------------------------------------------------------------
// Main

// shared holds the servers Main starts for one test binary.
var shared struct {
	sync.Mutex
	inMain bool
	pg     *pgCluster
	pgErr  error
	minio  *minioServer
	s3Err  error
}

// Main runs the package's tests (call it from TestMain) and exits. A
// PostgreSQL or MinIO that the environment does not name is started for
// this test binary on first use, and removed when the tests end or the
// binary is interrupted. m is the package's *testing.M, or one wrapping its
// Run to report on the run.
func Main(m interface{ Run() int }) {
	shared.Lock()
	shared.inMain = true
	shared.Unlock()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-signals
		closeShared()
		logf("%v: removed the throwaway servers", sig)
		os.Exit(1)
	}()
	code := m.Run()
	signal.Stop(signals)
	closeShared()
	os.Exit(code)
}

func closeShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.minio != nil {
		if err := shared.minio.close(); err != nil {
			logf("removing the throwaway MinIO: %v", err)
		}
		shared.minio = nil
	}
	if shared.pg != nil {
		if err := shared.pg.close(); err != nil {
			logf("removing the throwaway PostgreSQL: %v", err)
		}
		shared.pg = nil
	}
}

// sharedDatabaseURL is MOOC_TEST_DATABASE_URL, set by starting a throwaway
// cluster when Main runs the tests.
func sharedDatabaseURL() (string, error) {
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		return u, nil
	}
	shared.Lock()
	defer shared.Unlock()
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		return u, nil
	}
	if !shared.inMain {
		return "", errors.New("PostgreSQL is required: " + needDatabase + ", or call testenv.Main from this package's TestMain, " +
			"which starts one for the test binary")
	}
	if shared.pgErr != nil {
		return "", shared.pgErr
	}
	logf("PostgreSQL: %s is unset; starting a throwaway cluster for this test binary", EnvDatabaseURL)
	pg, err := newPGCluster(200, "64MB")
	if err != nil {
		shared.pgErr = fmt.Errorf("PostgreSQL is required and %s is unset, and a throwaway cluster did not start: %v. Or %s",
			EnvDatabaseURL, err, needDatabase)
		return "", shared.pgErr
	}
	shared.pg = pg
	// Children (a server started from the test binary) see it too.
	if err := os.Setenv(EnvDatabaseURL, pg.URL()); err != nil {
		return "", err
	}
	return pg.URL(), nil
}

// sharedMinIO sets MOOC_TEST_S3_* by starting a throwaway MinIO when Main
// runs the tests and they are unset.
func sharedMinIO() error {
	if os.Getenv(EnvS3Endpoint) != "" {
		return nil
	}
	shared.Lock()
	defer shared.Unlock()
	if os.Getenv(EnvS3Endpoint) != "" {
		return nil
	}
	if !shared.inMain {
		return errors.New("MinIO is required: " + needMinIO + ", or call testenv.Main from this package's TestMain, " +
			"which starts one for the test binary")
	}
	if shared.s3Err != nil {
		return shared.s3Err
	}
	logf("MinIO: %s is unset; starting a throwaway server for this test binary", EnvS3Endpoint)
	m, err := newMinIOServer()
	if err != nil {
		shared.s3Err = fmt.Errorf("MinIO is required and %s is unset, and a throwaway server did not start: %v. Or %s",
			EnvS3Endpoint, err, needMinIO)
		return shared.s3Err
	}
	shared.minio = m
	for k, v := range map[string]string{EnvS3Endpoint: m.addr, EnvS3AccessKey: m.accessKey, EnvS3SecretKey: m.secretKey, EnvS3Secure: "false"} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}
