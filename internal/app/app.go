package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mooc/accounts"
	"mooc/api"
	"mooc/assessment"
	"mooc/audit"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/config"
	"mooc/credentials"
	"mooc/idempotency"
	"mooc/internal/database"
	"mooc/internal/demo"
	"mooc/internal/lease"
	"mooc/internal/page"
	"mooc/media"
	"mooc/mentoring"
	"mooc/migrations"
	"mooc/notify"
	"mooc/notify/outbox"
	"mooc/privacy"
	"mooc/programmes"
	"mooc/reports"
	"mooc/surveys"
	"mooc/training"
	"mooc/web"
)

// Options are what a caller may choose beyond the configuration; the
// zero value is what the command uses.
type Options struct {
	Log     *slog.Logger
	Version string
	// Now is every service's clock; time.Now when nil. Tests move it.
	Now func() time.Time
	// DB is an open, migrated database to use instead of opening the
	// configured one (replicas of a test share one); the caller closes it.
	DB *database.DB
	// Hashing overrides the password hashing parameters (tests choose
	// cheap ones).
	Hashing *argon2id.Params
	// Mailer overrides the configured SMTP relay or log.
	Mailer notify.Mailer
}

// App is the built platform.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *database.DB
	Objects media.ObjectStore

	Accounts     *accounts.Service
	Media        *media.Service
	Catalogue    *catalogue.Service
	Cohorts      *cohorts.Service
	Assessment   *assessment.Service
	Certificates *certificates.Service
	Credentials  *credentials.Service
	Programmes   *programmes.Service
	Reports      *reports.Service
	Training     *training.Service
	Surveys      *surveys.Service
	Mentoring    *mentoring.Service
	Privacy      *privacy.Service
	Audit        *audit.Log
	Idempotency  *idempotency.Service
	Outbox       *outbox.Outbox
	Mail         *notify.Sender
	Orphans      *media.OrphanSweep

	// HTTP serves the JSON API, the operations routes and the pages.
	HTTP *fiber.App
	// Metrics serves the Prometheus metrics without a token, for
	// Config.MetricsAddr.
	Metrics http.Handler

	// replica is this process as its background work claims jobs.
	replica lease.Worker
	ownDB   bool
	mu      sync.Mutex
	ctx     context.Context // the workers', cancelled by Close
	stop    context.CancelFunc
	workers sync.WaitGroup
}

// ObjectsPath is where the disk store's signed links point.
const ObjectsPath = "/objects"

// Migrate opens the configured database, applies pending migrations and
// closes it again; it returns the schema version.
func Migrate(ctx context.Context, cfg config.Config, log *slog.Logger) (int64, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return 0, err
	}
	defer func() { _ = db.Close() }()
	return migrations.Up(ctx, db, log)
}

// New builds the platform: it opens and migrates the database (unless
// o.DB is given), connects object storage, creates the bootstrap team
// account when configured, and wires every service and the HTTP adapter.
// Nothing runs in the background until Start.
func New(ctx context.Context, cfg config.Config, o Options) (_ *App, err error) {
	a := &App{Config: cfg, Log: o.Log, DB: o.DB}
	if a.Log == nil {
		a.Log = slog.New(slog.DiscardHandler)
	}
	a.replica = lease.Worker{Replica: cmp.Or(cfg.ReplicaID, config.DefaultReplicaID()), Log: a.Log}
	if a.DB == nil {
		if a.DB, err = database.Open(ctx, cfg.DatabaseURL, cfg.DataDir); err != nil {
			return nil, err
		}
		a.ownDB = true
		defer func() {
			if err != nil {
				_ = a.DB.Close()
			}
		}()
		a.DB.SetPoolSize(cfg.DatabasePoolSize)
		schema, err := migrations.Up(ctx, a.DB, a.Log)
		if err != nil {
			return nil, err
		}
		a.Log.Info("database ready", "dialect", a.DB.Dialect(), "schema_version", schema)
	}

	secret, err := tokenSecret(cfg)
	if err != nil {
		return nil, err
	}
	objects, disk, err := openObjects(ctx, cfg, secret, o.Now)
	if err != nil {
		return nil, err
	}
	a.Objects = objects
	if err := objects.Ping(ctx); err != nil {
		// Starting all the same: the catalogue, tests and enrolment need no
		// storage, and the store creates its bucket once storage answers.
		a.Log.Warn("object storage unavailable at start-up; serving what needs none until it answers", "error", err)
	}

	a.Outbox = outbox.New(a.DB, o.Now)
	a.Audit = audit.New(a.DB, o.Now)
	if a.Accounts, err = accounts.New(a.DB, accounts.Options{
		TokenSecret: secret, TokenTTL: cfg.TokenTTL, RegisterLimit: cfg.RegisterLimit, Hashing: o.Hashing, Now: o.Now, Log: a.Log,
		Outbox: a.Outbox, PublicURL: cfg.PublicURL, PrivacyNoticeVersion: cfg.PrivacyNoticeVersion, Audit: a.Audit,
	}); err != nil {
		return nil, err
	}
	if cfg.BootstrapEmail != "" {
		created, err := a.Accounts.Bootstrap(ctx, cfg.BootstrapEmail, cfg.BootstrapPassword)
		if err != nil {
			return nil, fmt.Errorf("bootstrap team account: %w", err)
		}
		if created {
			a.Log.Info("bootstrap team account created") // no address at info level: logs travel further than the database
		}
	}

	// The order is the dependency order: each service is built with the
	// ones before it, and none is changed afterwards.
	a.Media = media.NewService(a.DB, objects, cfg.MaxUploadBytes, a.Log)
	records, banks := assessment.NewRecords(a.DB), assessment.NewBanks(a.DB)
	// The cohorts read courses, and the catalogue reads cohorts (to archive
	// a course, and for a methodology's run history): the cohorts get a
	// catalogue without a cohort reader, which they never need, and
	// everything else a catalogue built after them, with one.
	// Both share one cache of outlines, so a write through either is seen
	// by both at once.
	outlines := catalogue.NewOutlines(0, o.Now)
	courses := catalogue.New(catalogue.Deps{DB: a.DB, Media: a.Media, Tests: records, Banks: banks, Now: o.Now, Outlines: outlines})
	a.Cohorts = cohorts.New(cohorts.Deps{DB: a.DB, Courses: courses, Files: a.Media, Tests: records,
		Audience: a.Accounts, People: a.Accounts, Outbox: a.Outbox, Audit: a.Audit, Now: o.Now})
	a.Catalogue = catalogue.New(catalogue.Deps{DB: a.DB, Media: a.Media, Tests: records, Banks: banks,
		Cohorts: courseCohorts{a.Cohorts}, Now: o.Now, Outlines: outlines})
	a.Assessment = assessment.New(assessment.Deps{DB: a.DB, Courses: a.Catalogue, Seats: a.Cohorts, Now: o.Now})
	// A configuration built in code rather than loaded may leave the
	// issuer unnamed; the PDFs and the generated seal name one all the same.
	issuerName := cmp.Or(cfg.Issuer.Name, config.DefaultIssuerName)
	issuer, err := certificates.LoadIssuer(issuerName, cfg.Issuer.Logo)
	if err != nil {
		return nil, err
	}
	seal, err := certificates.OpenSeal(certificates.SealConfig{CertFile: cfg.Issuer.SealCert, KeyFile: cfg.Issuer.SealKey,
		DataDir: cfg.DataDir, IssuerName: issuerName, Now: o.Now})
	if err != nil {
		return nil, err
	}
	a.Log.Info("PDF seal ready", "subject", seal.Certificate().Subject.String(), "issuer", seal.Certificate().Issuer.String(),
		"not_after", seal.Certificate().NotAfter.UTC().Format(time.DateOnly))
	a.Certificates = certificates.New(certificates.Deps{DB: a.DB, Objects: objects, Enrolments: a.Cohorts, Holders: a.Accounts,
		Outbox: a.Outbox, PublicURL: cfg.PublicURL, Issuer: issuer, Seal: seal, Audit: a.Audit, Log: a.Log, Now: o.Now,
		Worker: a.replica})
	issuerKey, err := credentials.LoadKey(cfg.Issuer.Key, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.Credentials = credentials.New(credentials.Deps{DB: a.DB, Certificates: a.Certificates, PublicURL: cfg.PublicURL,
		IssuerName: issuerName, Key: issuerKey, Now: o.Now})
	a.Programmes = programmes.New(programmes.Deps{DB: a.DB, Methodologies: a.Catalogue, Certificates: a.Certificates,
		People: a.Accounts, Outbox: a.Outbox, Audit: a.Audit, Now: o.Now})
	a.Training = training.New(training.Deps{DB: a.DB, People: a.Accounts, RequiredHours: cfg.YearlyTrainingHours,
		PublicURL: cfg.PublicURL, Transcripts: a.Certificates, Now: o.Now})
	a.Reports = reports.New(a.DB).Clock(o.Now)
	a.Surveys = surveys.New(surveys.Deps{DB: a.DB, Courses: a.Catalogue, Enrolments: a.Cohorts, Programmes: a.Programmes,
		Outbox: a.Outbox, PublicURL: cfg.PublicURL, Now: o.Now})
	a.Mentoring = mentoring.New(mentoring.Deps{DB: a.DB, Programmes: a.Programmes, People: a.Accounts, Now: o.Now})
	a.Idempotency = idempotency.New(idempotency.Deps{DB: a.DB, Now: o.Now})
	a.Privacy = privacy.New(privacy.Deps{DB: a.DB, Accounts: a.Accounts, Outbox: a.Outbox, Audit: a.Audit,
		Holders:    []privacy.Holder{a.Cohorts, a.Assessment, a.Certificates, a.Programmes, a.Mentoring, a.Surveys},
		Forgetters: []privacy.Forgetter{a.Cohorts, a.Programmes, a.Mentoring, a.Surveys, a.Idempotency}, Now: o.Now})
	if cfg.Demo {
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		_, added, err := demo.Seed(ctx, demo.Services{Accounts: a.Accounts, Catalogue: a.Catalogue, Media: a.Media,
			Assessment: a.Assessment, Cohorts: a.Cohorts, Programmes: a.Programmes}, now())
		if err != nil {
			return nil, fmt.Errorf("demonstration content: %w", err)
		}
		if added {
			a.Log.Info("demonstration course added (MOOC_DEMO)")
		}
	}
	mailer := o.Mailer
	if mailer == nil {
		mailer = notify.LogMailer{Log: a.Log}
		if cfg.SMTP.Host != "" {
			mailer = notify.NewSMTPMailer(notify.SMTPConfig(cfg.SMTP))
		}
	}
	a.Mail = notify.NewSender(notify.SenderDeps{Outbox: a.Outbox, Mailer: mailer, People: a.Accounts,
		PublicURL: cfg.PublicURL, Log: a.Log, Now: o.Now, Worker: a.replica})

	pages, err := web.New(web.Deps{Log: a.Log, Accounts: a.Accounts, Catalogue: a.Catalogue, Cohorts: a.Cohorts,
		Assessment: a.Assessment, Certificates: a.Certificates, Credentials: a.Credentials, Programmes: a.Programmes, Privacy: a.Privacy, Media: a.Media, Reports: a.Reports,
		Training: a.Training, Surveys: a.Surveys,
		Mentoring:    a.Mentoring,
		MediaOrigins: mediaOrigins(cfg), RequestTimeout: cfg.RequestTimeout, Now: o.Now})
	if err != nil {
		return nil, err
	}
	reg := api.NewMetricsRegistry()
	swept := prometheus.NewCounter(prometheus.CounterOpts{Name: "mooc_orphan_objects_swept_total",
		Help: "Stored objects removed because no row knew them for longer than MOOC_ORPHAN_MIN_AGE."})
	aborted := prometheus.NewCounter(prometheus.CounterOpts{Name: "mooc_orphan_uploads_aborted_total",
		Help: "Unfinished multipart uploads aborted because no row knew them for longer than MOOC_ORPHAN_MIN_AGE."})
	reg.MustRegister(swept, aborted)
	a.Orphans = media.NewOrphanSweep(media.OrphanDeps{Objects: objects, Owners: []media.KeyOwner{a.Media, a.Certificates},
		Uploads: a.Media, MinAge: cfg.OrphanMinAge, Swept: swept, Aborted: aborted, Log: a.Log, Now: o.Now})
	a.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if a.HTTP, err = api.New(api.Deps{
		Log: a.Log, Accounts: a.Accounts, Media: a.Media, Catalogue: a.Catalogue, Cohorts: a.Cohorts,
		Assessment: a.Assessment, Certificates: a.Certificates, Credentials: a.Credentials, Programmes: a.Programmes, Reports: a.Reports,
		Privacy: a.Privacy, Audit: a.Audit, Training: a.Training, Surveys: a.Surveys, Mentoring: a.Mentoring,
		Idempotency:          a.Idempotency,
		Ready:                map[string]api.Check{"database": a.DB.Ping},
		Degradable:           map[string]api.Check{"object_storage": objects.Ping},
		LogRequestsPerSecond: cfg.LogRequestsPerSecond,
		Now:                  o.Now,
		Disk:                 disk,
		ObjectsPath:          ObjectsPath,
		MaxUploadBytes:       cfg.MaxUploadBytes,
		CORSOrigins:          cfg.CORSOrigins,
		TrustedProxies:       cfg.TrustedProxies,
		MetricsToken:         cfg.MetricsToken,
		Metrics:              reg,
		Version:              o.Version,
		RequestTimeout:       cfg.RequestTimeout,
		VerifyPage:           pages.Verify(),
		NotFoundPage:         pages.NotFound(),
	}); err != nil {
		return nil, err
	}
	pages.Register(a.HTTP)
	return a, nil
}

// mediaOrigins are the origins the pages play videos and captions from
// besides their own: MinIO's, as the signed links name it.
func mediaOrigins(cfg config.Config) []string {
	if cfg.S3.Endpoint == "" {
		return nil
	}
	if cfg.S3.PublicURL != "" {
		if u, err := url.Parse(cfg.S3.PublicURL); err == nil && u.Host != "" {
			return []string{u.Scheme + "://" + u.Host}
		}
	}
	scheme := "http://"
	if cfg.S3.Secure {
		scheme = "https://"
	}
	return []string{scheme + cfg.S3.Endpoint}
}

// Worker names a background worker.
type Worker int

// The background workers; Start with none runs them all.
const (
	CertificateJobs  Worker = iota + 1 // bulk certificate issue
	MailSender                         // delivery of queued e-mails
	CohortAnnouncer                    // e-mails about cohorts whose enrolment opened
	UploadSweeper                      // removal of abandoned resumable uploads
	SessionRefresher                   // this replica's copy of ended sessions
	ThrottlePruner                     // removal of the throttle's ended windows
	SurveyInviter                      // e-mails inviting those who completed to answer the survey
	OrphanSweeper                      // removal of stored objects and uploads no row knows
	KeySweeper                         // removal of Idempotency-Keys older than 24 hours
)

// How often the workers whose work another replica could have left look
// for it: with leases of lease.Term (20 s) renewed while the work runs,
// the work of a replica that died is taken over within half a minute.
const (
	mailPoll         = 5 * time.Second
	announcementPoll = 10 * time.Second
	invitationPoll   = 10 * time.Second
)

// Start runs the given background workers (all when none is named) until
// Close. What they leave unfinished is picked up at the next start, by this
// replica or another.
func (a *App) Start(workers ...Worker) {
	if len(workers) == 0 {
		workers = []Worker{CertificateJobs, MailSender, CohortAnnouncer, UploadSweeper, SessionRefresher, ThrottlePruner, SurveyInviter,
			OrphanSweeper, KeySweeper}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop == nil {
		var ctx context.Context
		ctx, a.stop = context.WithCancel(context.Background())
		a.ctx = ctx
	}
	a.Log.Info("background workers started", "replica", a.replica.Name(), "workers", len(workers))
	for _, w := range workers {
		run := a.worker(w)
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			run(a.ctx)
		}()
	}
}

func (a *App) worker(w Worker) func(context.Context) {
	switch w {
	case CertificateJobs:
		return func(ctx context.Context) { a.Certificates.RunJobs(ctx, certificates.JobPoll) }
	case MailSender:
		return func(ctx context.Context) { a.Mail.Run(ctx, mailPoll) }
	case CohortAnnouncer:
		return func(ctx context.Context) {
			a.Cohorts.RunAnnouncer(ctx, announcementPoll, a.replica, func(err error) { a.Log.Error("cohort announcements", "error", err) })
		}
	case UploadSweeper:
		return func(ctx context.Context) { a.Media.RunSweeper(ctx, time.Hour, 48*time.Hour) }
	case SessionRefresher:
		return func(ctx context.Context) {
			a.Accounts.RefreshSessions(ctx, func(err error) { a.Log.Warn("ended sessions not read", "error", err) })
		}
	case ThrottlePruner:
		return func(ctx context.Context) {
			a.Accounts.RunThrottlePruner(ctx, 10*time.Minute, func(err error) { a.Log.Warn("throttle not pruned", "error", err) })
		}
	case SurveyInviter:
		return func(ctx context.Context) {
			a.Surveys.RunInviter(ctx, invitationPoll, a.replica, func(err error) { a.Log.Error("survey invitations", "error", err) })
		}
	case OrphanSweeper:
		return func(ctx context.Context) { a.Orphans.Run(ctx, cmp.Or(a.Config.OrphanSweepEvery, 10*time.Minute)) }
	case KeySweeper:
		return func(ctx context.Context) {
			a.Idempotency.RunSweeper(ctx, time.Hour, func(err error) { a.Log.Warn("idempotency keys not swept", "error", err) })
		}
	}
	panic(fmt.Sprintf("app: unknown worker %d", w))
}

// Close stops the background workers, waits until each has returned, and
// then closes the database if New opened it.
func (a *App) Close() error {
	a.mu.Lock()
	if a.stop != nil {
		a.stop()
	}
	a.mu.Unlock()
	a.workers.Wait()
	if a.ownDB {
		return a.DB.Close()
	}
	return nil
}

// courseCohorts reads the cohorts of courses for the catalogue
// (catalogue.CohortReader) from the cohorts service, translating its
// cohorts into the catalogue's runs: cohorts imports catalogue, so the
// catalogue cannot name them.
type courseCohorts struct{ cohorts *cohorts.Service }

func (r courseCohorts) CohortsOf(ctx context.Context, courseIDs []string) (map[string][]catalogue.Run, error) {
	out := make(map[string][]catalogue.Run, len(courseIDs))
	for _, id := range courseIDs {
		for cursor := ""; ; {
			items, next, err := r.cohorts.Cohorts(ctx, cohorts.CohortFilter{CourseID: id}, page.MaxLimit, cursor)
			if err != nil {
				return nil, err
			}
			for _, c := range items {
				out[id] = append(out[id], catalogue.Run{ID: c.ID, Title: c.Title, StartsAt: c.StartsAt, EndsAt: c.EndsAt,
					Capacity: c.Capacity, EnrolledCount: c.EnrolledCount, WaitlistCount: c.WaitlistCount})
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return out, nil
}

// openObjects connects MinIO when configured, else the disk store under
// DataDir whose signed links the API itself serves.
func openObjects(ctx context.Context, cfg config.Config, secret []byte, now func() time.Time) (media.ObjectStore, *media.DiskStore, error) {
	if cfg.S3.Endpoint != "" {
		s, err := media.NewS3Store(ctx, media.S3Config{
			Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
			Bucket: cfg.S3.Bucket, Secure: cfg.S3.Secure, PublicURL: cfg.S3.PublicURL, Now: now,
		})
		return s, nil, err
	}
	// A key of its own, derived from the token secret, so a signed file link
	// can never be replayed as an access token or the other way round.
	linkKey := sha256.Sum256(append([]byte("mooc objects\x00"), secret...))
	s, err := media.NewDiskStore(filepath.Join(cfg.DataDir, "objects"), cfg.PublicURL+ObjectsPath, linkKey[:])
	if err != nil {
		return nil, nil, err
	}
	if now != nil { // links expire by the platform's clock, which tests move
		s = s.At(now)
	}
	return s, s, nil
}

// tokenSecret is MOOC_TOKEN_SECRET, or on the embedded default a secret
// generated on first start and kept in DataDir so tokens survive restarts.
func tokenSecret(cfg config.Config) ([]byte, error) {
	if cfg.TokenSecret != "" {
		return []byte(cfg.TokenSecret), nil
	}
	path := filepath.Join(cfg.DataDir, "token-secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("keep token secret: %w", err)
	}
	return []byte(secret), nil
}
