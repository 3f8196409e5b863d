package config

import (
	"errors"
	"fmt"
	"image/png"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole service configuration.
type Config struct {
	Addr        string
	DatabaseURL string // postgres:// URL; empty means the embedded SQLite file
	// DatabasePoolSize is the most PostgreSQL connections this process
	// opens; 0 leaves the database package's default.
	DatabasePoolSize int
	DataDir          string
	S3               S3
	// TokenSecret signs access tokens and disk-store links. Empty is allowed
	// only on the embedded default, where the secret is generated once and
	// kept in DataDir.
	TokenSecret       string
	TokenTTL          time.Duration
	PublicURL         string // base of links a person follows (verify pages, signed disk links)
	MaxUploadBytes    int64
	RegisterLimit     int // registrations per client address per hour; 0 = unlimited
	BootstrapEmail    string
	BootstrapPassword string
	CORSOrigins       []string
	TrustedProxies    []string // proxies whose X-Forwarded-For is believed
	// MetricsToken, when set, is the bearer token GET /metrics requires;
	// without it /metrics is closed on Addr.
	MetricsToken string
	// MetricsAddr, when set, is a listen address of its own serving
	// /metrics without a token, for a scraper on an inside network.
	MetricsAddr string
	// PprofAddr, when set, is a loopback listen address serving the Go
	// profiler (net/http/pprof), for measuring a replica under load; off
	// by default, and never on an outside address: profiles show internals.
	PprofAddr string
	// PrivacyNoticeVersion is the privacy notice in force, recorded with
	// each registration.
	PrivacyNoticeVersion string
	// Demo: on a database without any methodology, add a demonstration
	// course with an open cohort and an in-person programme, so that a
	// newcomer's `make run` can go from registration to a certificate.
	Demo     bool
	LogLevel string
	// LogRequestsPerSecond is how many request lines a second go to the
	// info log before the rest of that second is summarised in one line.
	LogRequestsPerSecond int
	SMTP                 SMTP
	// RequestTimeout bounds a request's work (file transfers aside).
	RequestTimeout time.Duration
	// YearlyTrainingHours is the hours of training a social worker needs
	// in a calendar year, the required_hours of training records.
	YearlyTrainingHours int
	// Issuer is who issues certificates: named on every PDF, transcript
	// and credential, with the keys that sign them.
	Issuer Issuer
	// ReplicaID names this process in the log lines of the background
	// work it claims, takes over and finishes, so that an operator can
	// tell which replica held a job.
	ReplicaID string
	// OrphanMinAge is how long a stored object may go unknown to the
	// database before the orphan sweep removes it: longer than any write
	// of an object and then its row takes.
	OrphanMinAge time.Duration
	// OrphanSweepEvery is how often the orphan sweep runs.
	OrphanSweepEvery time.Duration
}

// DefaultIssuerName is MOOC_ISSUER_NAME unless configured.
const DefaultIssuerName = "Sociālā darba e-mācības"

// Issuer is the issuing organisation and its keys. A file left empty is
// generated once into DataDir and kept, so a single embedded process
// signs the same way after a restart; replicas must be given the files.
type Issuer struct {
	Name string // MOOC_ISSUER_NAME, printed on PDFs and credentials
	Logo string // MOOC_ISSUER_LOGO: a PNG file, optional
	// SealCert and SealKey are PEM files of the X.509 seal that signs PDFs
	// (PAdES); both or neither.
	SealCert string
	SealKey  string
	// Key is a PEM Ed25519 private key file that signs verifiable
	// credentials and status lists.
	Key string
}

// SMTP is the mail relay; an empty Host means e-mails go to the log.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// S3 is the MinIO connection; an empty Endpoint means objects on local disk.
type S3 struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
	PublicURL string
}

// Embedded reports whether the service runs on its embedded SQLite default.
func (c Config) Embedded() bool { return c.DatabaseURL == "" }

// FromEnv reads the configuration through getenv (os.Getenv in main, a map
// in tests) and reports every problem at once.
func FromEnv(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		Addr:             p.str("MOOC_ADDR", ":8080"),
		DatabaseURL:      p.str("MOOC_DATABASE_URL", ""),
		DatabasePoolSize: int(p.int64("MOOC_DATABASE_POOL_SIZE", 0)),
		DataDir:          p.str("MOOC_DATA_DIR", "./data"),
		S3: S3{
			Endpoint:  p.str("MOOC_S3_ENDPOINT", ""),
			AccessKey: p.str("MOOC_S3_ACCESS_KEY", ""),
			SecretKey: p.str("MOOC_S3_SECRET_KEY", ""),
			Bucket:    p.str("MOOC_S3_BUCKET", "mooc"),
			Secure:    p.boolean("MOOC_S3_SECURE", false),
			PublicURL: p.str("MOOC_S3_PUBLIC_URL", ""),
		},
		TokenSecret:          p.str("MOOC_TOKEN_SECRET", ""),
		TokenTTL:             p.duration("MOOC_TOKEN_TTL", 12*time.Hour),
		PublicURL:            strings.TrimRight(p.str("MOOC_PUBLIC_URL", ""), "/"),
		MaxUploadBytes:       p.int64("MOOC_MAX_UPLOAD_BYTES", 4<<30),
		RegisterLimit:        int(p.int64("MOOC_REGISTER_LIMIT", 50)),
		YearlyTrainingHours:  int(p.int64("MOOC_YEARLY_TRAINING_HOURS", 24)),
		BootstrapEmail:       p.str("MOOC_BOOTSTRAP_EMAIL", ""),
		BootstrapPassword:    p.str("MOOC_BOOTSTRAP_PASSWORD", ""),
		CORSOrigins:          p.list("MOOC_CORS_ORIGINS"),
		TrustedProxies:       p.list("MOOC_TRUSTED_PROXIES"),
		MetricsToken:         p.str("MOOC_METRICS_TOKEN", ""),
		MetricsAddr:          p.str("MOOC_METRICS_ADDR", ""),
		PprofAddr:            p.str("MOOC_PPROF_ADDR", ""),
		PrivacyNoticeVersion: p.str("MOOC_PRIVACY_NOTICE_VERSION", "2026-12"),
		LogLevel:             p.str("MOOC_LOG_LEVEL", "info"),
		LogRequestsPerSecond: int(p.int64("MOOC_LOG_REQUESTS_PER_SECOND", 20)),
		Demo:                 p.boolean("MOOC_DEMO", false),
		Issuer: Issuer{
			Name:     strings.TrimSpace(p.str("MOOC_ISSUER_NAME", DefaultIssuerName)),
			Logo:     p.str("MOOC_ISSUER_LOGO", ""),
			SealCert: p.str("MOOC_SEAL_CERT", ""),
			SealKey:  p.str("MOOC_SEAL_KEY", ""),
			Key:      p.str("MOOC_ISSUER_KEY", ""),
		},
		SMTP: SMTP{
			Host:     p.str("MOOC_SMTP_HOST", ""),
			Port:     int(p.int64("MOOC_SMTP_PORT", 587)),
			Username: p.str("MOOC_SMTP_USERNAME", ""),
			Password: p.str("MOOC_SMTP_PASSWORD", ""),
			From:     p.str("MOOC_SMTP_FROM", "mooc@localhost"),
		},
	}
	// Writers on the embedded SQLite file queue behind each other, so a
	// burst of enrolments may legitimately wait longer than on PostgreSQL.
	defTimeout := 5 * time.Second
	if c.Embedded() {
		defTimeout = 30 * time.Second
	}
	c.RequestTimeout = p.duration("MOOC_REQUEST_TIMEOUT", defTimeout)
	c.ReplicaID = p.str("MOOC_REPLICA_ID", "")
	if c.ReplicaID == "" {
		c.ReplicaID = DefaultReplicaID()
	}
	c.OrphanMinAge = p.duration("MOOC_ORPHAN_MIN_AGE", time.Hour)
	c.OrphanSweepEvery = p.duration("MOOC_ORPHAN_SWEEP_EVERY", 10*time.Minute)
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost" + portOf(c.Addr)
	}
	if c.S3.PublicURL == "" && c.S3.Endpoint != "" {
		scheme := "http://"
		if c.S3.Secure {
			scheme = "https://"
		}
		c.S3.PublicURL = scheme + c.S3.Endpoint
	}
	p.check(c)
	return c, errors.Join(p.errs...)
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) int64(name string, def int64) int64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a whole number ≥ 0", name, v))
		return def
	}
	return n
}

func (p *parser) boolean(name string, def bool) bool {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return def
	}
	return b
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a positive duration such as 12h", name, v))
		return def
	}
	return d
}

func (p *parser) list(name string) []string {
	var out []string
	for _, part := range strings.Split(p.str(name, ""), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (p *parser) check(c Config) {
	fail := func(format string, args ...any) { p.errs = append(p.errs, fmt.Errorf(format, args...)) }
	// Checked here, not when listening: by then the database is migrated.
	if !listenAddr(c.Addr) {
		fail("MOOC_ADDR: %q is not a listen address such as :8080 or 127.0.0.1:8080", c.Addr)
	}
	if c.MetricsAddr != "" && (!listenAddr(c.MetricsAddr) || c.MetricsAddr == c.Addr) {
		fail("MOOC_METRICS_ADDR: %q is not a listen address such as 10.0.0.5:9090, other than MOOC_ADDR", c.MetricsAddr)
	}
	if c.PprofAddr != "" && (!loopbackAddr(c.PprofAddr) || c.PprofAddr == c.Addr || c.PprofAddr == c.MetricsAddr) {
		fail("MOOC_PPROF_ADDR: %q is not a loopback listen address such as 127.0.0.1:6060, other than MOOC_ADDR and MOOC_METRICS_ADDR", c.PprofAddr)
	}
	if c.YearlyTrainingHours <= 0 || c.YearlyTrainingHours > 1000 {
		fail("MOOC_YEARLY_TRAINING_HOURS: must be a positive number of hours such as 24")
	}
	if c.Issuer.Name == "" || len([]rune(c.Issuer.Name)) > 120 {
		fail("MOOC_ISSUER_NAME: must name the issuing organisation in at most 120 characters")
	}
	if c.Issuer.Logo != "" {
		if err := pngFile(c.Issuer.Logo); err != nil {
			fail("MOOC_ISSUER_LOGO: %v", err)
		}
	}
	if (c.Issuer.SealCert == "") != (c.Issuer.SealKey == "") {
		fail("MOOC_SEAL_CERT and MOOC_SEAL_KEY: set both or neither")
	}
	if len(c.PrivacyNoticeVersion) > 40 || strings.TrimSpace(c.PrivacyNoticeVersion) == "" {
		fail("MOOC_PRIVACY_NOTICE_VERSION: must be a short version name such as 2026-12")
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			fail("MOOC_DATABASE_URL: must be a postgres:// URL")
		}
		if c.TokenSecret == "" {
			fail("MOOC_TOKEN_SECRET: must be set when running on PostgreSQL (every replica needs the same secret); generate one with `openssl rand -hex 32`")
		}
	}
	if c.TokenSecret != "" && len(c.TokenSecret) < 32 {
		fail("MOOC_TOKEN_SECRET: must be at least 32 characters")
	}
	if c.S3.Endpoint != "" && (c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		fail("MOOC_S3_ACCESS_KEY and MOOC_S3_SECRET_KEY: must be set with MOOC_S3_ENDPOINT")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" {
		fail("MOOC_PUBLIC_URL: %q is not an absolute URL", c.PublicURL)
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
		fail("MOOC_METRICS_TOKEN: must be at least 32 characters")
	}
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		fail("MOOC_SMTP_FROM: %q is not an e-mail address such as noreply@example.lv or \"E-mācības\" <noreply@example.lv>", c.SMTP.From)
	}
	for _, proxy := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(proxy); err != nil && net.ParseIP(proxy) == nil {
			fail("MOOC_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", proxy)
		}
	}
	if c.LogRequestsPerSecond < 0 {
		fail("MOOC_LOG_REQUESTS_PER_SECOND: must be 0 (every request) or more")
	}
	if c.DatabasePoolSize > 100 {
		fail("MOOC_DATABASE_POOL_SIZE: must be at most 100")
	}
	if c.MaxUploadBytes == 0 {
		fail("MOOC_MAX_UPLOAD_BYTES: must be above 0")
	}
	if (c.BootstrapEmail == "") != (c.BootstrapPassword == "") {
		fail("MOOC_BOOTSTRAP_EMAIL and MOOC_BOOTSTRAP_PASSWORD: set both or neither")
	}
	if !validReplicaID(c.ReplicaID) {
		fail("MOOC_REPLICA_ID: %q is not a short name (at most %d letters, digits, '.', '_' or '-') such as mooc-2", c.ReplicaID, maxReplicaIDLen)
	}
	if c.OrphanMinAge < time.Minute {
		// Younger objects may be ones whose rows are still being written.
		fail("MOOC_ORPHAN_MIN_AGE: must be at least 1m")
	}
	if c.OrphanSweepEvery < time.Second {
		// Each sweep lists the whole bucket.
		fail("MOOC_ORPHAN_SWEEP_EVERY: must be at least 1s")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("MOOC_LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
}

// maxReplicaIDLen keeps the replica's name short enough for every log line
// and job row that carries it.
const maxReplicaIDLen = 64

// DefaultReplicaID is MOOC_REPLICA_ID unless configured: the host's name
// and the process id, which tell replicas (and restarts) apart.
func DefaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "mooc"
	}
	id := fmt.Sprintf("%s-%d", host, os.Getpid())
	if !validReplicaID(id) { // an unusual host name: keep what fits
		id = fmt.Sprintf("mooc-%d", os.Getpid())
	}
	return id
}

func validReplicaID(id string) bool {
	if id == "" || len(id) > maxReplicaIDLen {
		return false
	}
	return strings.IndexFunc(id, func(c rune) bool {
		return ('a' > c || c > 'z') && ('A' > c || c > 'Z') && ('0' > c || c > '9') && c != '.' && c != '_' && c != '-'
	}) < 0
}

// maxLogoBytes bounds the issuer's logo, which is drawn into every PDF.
const maxLogoBytes = 1 << 20

// pngFile checks that a file is a PNG image of a size fit for a PDF.
func pngFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() > maxLogoBytes {
		return fmt.Errorf("%s is larger than %d bytes", path, maxLogoBytes)
	}
	img, err := png.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("%s is not a PNG image: %w", path, err)
	}
	if img.Width > 4000 || img.Height > 4000 {
		return fmt.Errorf("%s is %d×%d pixels, more than 4000 on a side", path, img.Width, img.Height)
	}
	return nil
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func portOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return ":8080"
}

// listenAddr: host:port with a valid port, the host possibly empty (every
// interface).
func listenAddr(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	return err == nil && validPort(port) && !strings.ContainsAny(host, " /")
}

// loopbackAddr is a listen address on a loopback IP (127.0.0.1:6060, [::1]:6060).
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return err == nil && listenAddr(addr) && ip != nil && ip.IsLoopback()
}
