// Command mooc runs the e-learning platform's API server.
//
//	mooc [serve]   apply pending migrations, then serve HTTP until SIGTERM
//	mooc migrate   apply pending migrations and exit
//	mooc version   print the version
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"mooc/accounts"
	"mooc/api"
	"mooc/assessment"
	"mooc/certificates"
	"mooc/config"
	"mooc/courses"
	"mooc/internal/database"
	"mooc/media"
	"mooc/migrations"
	"mooc/notify"
	"mooc/programmes"
	"mooc/reports"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "mooc:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own
// environment and stop it by cancelling ctx. When listening is not nil it
// receives the bound address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer, listening chan<- string) error {
	command := "serve"
	if len(args) > 0 {
		command = args[0]
	}
	if command == "version" {
		_, err := fmt.Fprintln(out, version)
		return err
	}
	if command != "serve" && command != "migrate" {
		return fmt.Errorf("unknown command %q (want serve, migrate or version)", command)
	}

	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg.LogLevel, out)

	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetPoolSize(cfg.DatabasePoolSize)
	schema, err := migrations.Up(ctx, db, log)
	if err != nil {
		return err
	}
	log.Info("database ready", "dialect", db.Dialect(), "schema_version", schema)
	if command == "migrate" {
		return nil
	}

	secret, err := tokenSecret(cfg)
	if err != nil {
		return err
	}
	objects, disk, err := openObjects(ctx, cfg, secret)
	if err != nil {
		return err
	}

	users, err := accounts.New(db, accounts.Options{
		TokenSecret: secret, TokenTTL: cfg.TokenTTL, RegisterLimit: cfg.RegisterLimit, Log: log,
	})
	if err != nil {
		return err
	}
	if cfg.BootstrapEmail != "" {
		created, err := users.Bootstrap(ctx, cfg.BootstrapEmail, cfg.BootstrapPassword)
		if err != nil {
			return fmt.Errorf("bootstrap team account: %w", err)
		}
		if created {
			log.Info("bootstrap team account created", "email", cfg.BootstrapEmail)
		}
	}

	files := media.NewService(db, objects, cfg.MaxUploadBytes, log)
	catalogue := courses.New(db, files)
	tests := assessment.New(db, catalogue)
	certs := certificates.New(db, objects, catalogue, users, cfg.PublicURL, log)
	inPerson := programmes.New(db, catalogue, certs)
	outbox := notify.NewOutbox(db)
	catalogue.UseNotifier(outbox)
	certs.UseNotifier(outbox)
	inPerson.UseNotifier(outbox)
	var mailer notify.Mailer = notify.LogMailer{Log: log}
	if cfg.SMTP.Host != "" {
		mailer = notify.NewSMTPMailer(notify.SMTPConfig(cfg.SMTP))
	}
	mail := notify.NewSender(db, mailer, users, cfg.PublicURL, log)

	app, err := api.New(api.Deps{
		Log:          log,
		Accounts:     users,
		Media:        files,
		Courses:      catalogue,
		Assessment:   tests,
		Certificates: certs,
		Programmes:   inPerson,
		Reports:      reports.New(db),
		Ready: map[string]api.Check{
			"database":       db.Ping,
			"object_storage": objects.Ping,
		},
		Disk:           disk,
		ObjectsPath:    objectsPath,
		MaxUploadBytes: cfg.MaxUploadBytes,
		CORSOrigins:    cfg.CORSOrigins,
		TrustedProxies: cfg.TrustedProxies,
		Version:        version,
		RequestTimeout: cfg.RequestTimeout,
	})
	if err != nil {
		return err
	}

	// Background work stops with the server; what it left unfinished is
	// picked up at the next start.
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	go certs.RunJobs(background, time.Minute)
	go mail.Run(background, 5*time.Second)
	go catalogue.RunAnnouncer(background, time.Minute, func(err error) { log.Error("cohort announcements", "error", err) })
	go files.RunSweeper(background, time.Hour, 48*time.Hour)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "version", version)
	if listening != nil {
		listening <- ln.Addr().String()
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused meanwhile.
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-served
}

const objectsPath = "/objects"

// openObjects connects MinIO when configured, else the disk store under
// DataDir whose signed links the API itself serves.
func openObjects(ctx context.Context, cfg config.Config, secret []byte) (media.ObjectStore, *media.DiskStore, error) {
	if cfg.S3.Endpoint != "" {
		s, err := media.NewS3Store(ctx, media.S3Config{
			Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
			Bucket: cfg.S3.Bucket, Secure: cfg.S3.Secure, PublicURL: cfg.S3.PublicURL,
		})
		return s, nil, err
	}
	// A key of its own, derived from the token secret, so a signed file link
	// can never be replayed as an access token or the other way round.
	linkKey := sha256.Sum256(append([]byte("mooc objects\x00"), secret...))
	s, err := media.NewDiskStore(filepath.Join(cfg.DataDir, "objects"), cfg.PublicURL+objectsPath, linkKey[:])
	if err != nil {
		return nil, nil, err
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

func newLogger(level string, out io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: l}))
}
