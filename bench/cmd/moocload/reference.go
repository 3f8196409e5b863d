package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// referenceCommand is the hidden subcommand that runs the bare Fiber
// reference server in a process of its own.
const referenceCommand = "serve-reference"

// referenceLifetime bounds a reference server that its parent forgot.
const referenceLifetime = 5 * time.Minute

// referenceApp answers GET /api/v1/courses/:id and POST
// /api/v1/attempts/:id/submit with body, a fixed JSON document: Fiber with
// its defaults and nothing else, the floor of what the platform's routes
// can reach on this machine. (Fiber reads a POST's body before the handler
// runs.)
func referenceApp(body []byte) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	answer := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(body)
	}
	app.Get("/api/v1/courses/:id", answer)
	app.Post("/api/v1/attempts/:id/submit", answer)
	return app
}

// serveReference is the subcommand: it reads the body from standard
// input, listens on a free loopback port, prints "listening ADDR" and
// serves until SIGTERM or referenceLifetime.
func serveReference() error {
	body, err := io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	app := referenceApp(body)
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	case <-time.After(referenceLifetime):
	}
	return app.ShutdownWithTimeout(5 * time.Second)
}

// reference is a running reference server.
type reference struct {
	addr string
	stop func() error
}

// startReference starts the reference server with body, in a process of
// its own (so that, like the platform's server, it does not share a Go
// runtime with the load) or, with inProcess, inside this one.
func startReference(ctx context.Context, body []byte, inProcess bool) (*reference, error) {
	if inProcess {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		app := referenceApp(body)
		go func() { _ = app.Listener(ln) }()
		return &reference{addr: ln.Addr().String(), stop: func() error { return app.ShutdownWithTimeout(5 * time.Second) }}, nil
	}

	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, referenceCommand)
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() error {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			return errors.Join(errors.New("the reference server did not stop on SIGTERM"), <-done)
		}
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line, ok := <-lines:
		addr, found := strings.CutPrefix(line, "listening ")
		if !ok || !found {
			return nil, errors.Join(fmt.Errorf("the reference server did not start (said %q)", line), stop())
		}
		return &reference{addr: addr, stop: stop}, nil
	case <-time.After(10 * time.Second):
		return nil, errors.Join(errors.New("the reference server did not start within 10 s"), stop())
	case <-ctx.Done():
		return nil, errors.Join(ctx.Err(), stop())
	}
}
