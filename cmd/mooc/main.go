// Command mooc runs the e-learning platform's API server.
//
//	mooc [serve]   apply pending migrations, then serve HTTP until SIGTERM
//	mooc migrate   apply pending migrations and exit
//	mooc version   print the version (also --version)
//	mooc help      print this usage (also -h, --help)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"mooc/config"
	"mooc/internal/app"
)

const usage = `Usage: mooc [command]

Commands:
  serve     apply pending migrations, then serve HTTP until SIGTERM (the default)
  migrate   apply pending migrations and exit
  version   print the version (also --version)
  help      print this text (also -h, --help)

The configuration is read from MOOC_* environment variables; see the README.
`

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
	switch command {
	case "version", "--version", "-version", "-v":
		_, err := fmt.Fprintln(out, version)
		return err
	case "help", "--help", "-help", "-h":
		_, err := fmt.Fprint(out, usage)
		return err
	case "serve", "migrate":
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, version or help)", command)
	}

	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg.LogLevel, out)
	if command == "migrate" {
		schema, err := app.Migrate(ctx, cfg, log)
		if err == nil {
			log.Info("database migrated", "schema_version", schema)
		}
		return err
	}

	platform, err := app.New(ctx, cfg, app.Options{Log: log, Version: version})
	if err != nil {
		return err
	}
	// Closed last: the workers are stopped and waited for first, then the
	// database closes.
	defer func() { _ = platform.Close() }()
	platform.Start()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- platform.HTTP.Listener(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "version", version)
	if listening != nil {
		listening <- ln.Addr().String()
	}

	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(cfg.MetricsAddr, platform.Metrics, log)
		if err != nil {
			return err
		}
		defer stop()
		log.Info("metrics listening", "addr", cfg.MetricsAddr)
	}
	if cfg.PprofAddr != "" {
		stop, err := serveOn(cfg.PprofAddr, profiler(), "profiler", log)
		if err != nil {
			return err
		}
		defer stop()
		log.Info("profiler listening", "addr", cfg.PprofAddr)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused meanwhile.
	log.Info("shutting down")
	if err := platform.HTTP.ShutdownWithTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-served
}

// serveMetrics serves /metrics on an address of its own, for a scraper on
// an inside network. Its failure later is logged, not fatal: the service
// goes on without its metrics rather than stopping for them.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return serveOn(addr, mux, "metrics", log)
}

// profiler is the Go profiler's routes (net/http/pprof) for
// MOOC_PPROF_ADDR, on a mux of their own rather than the default one, so
// nothing else registered there is served with them.
func profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// serveOn serves h on an address of its own until stop.
func serveOn(addr string, h http.Handler, name string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(name+" listener failed", "error", err)
		}
	}()
	return func() { _ = srv.Close() }, nil
}

func newLogger(level string, out io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: l}))
}
