// Command testenv provisions the servers of a test run once and runs a
// command under them: `make test`, `make fuzz` and `make bench` run their
// scripts through it, so every test binary of the run shares one PostgreSQL
// and one MinIO.
//
//	testenv [-lint] [-pgbench] [-install packages] [-servers=false] [--] command [argument ...]
//
// It installs the Debian packages the suite lacks, checks the servers that
// MOOC_TEST_DATABASE_URL and MOOC_TEST_S3_* name or starts throwaway ones
// (see package mooc/internal/testenv), runs the command with these set and
// MOOC_TESTENV=1, removes what it started and exits with the command's
// status. It also sets, for the scripts:
//
//	MOOC_TEST_PSQL            psql of the PostgreSQL binaries, when there is one
//	MOOC_TEST_MINIO           which MinIO the run uses, in words
//	MOOC_TEST_PGBENCH         pgbench (with -pgbench; installed when missing, else none)
//	MOOC_TEST_GOLANGCI_LINT   golangci-lint (with -lint; built once into the cache)
//
// It is a tool of the tests, not part of the mooc binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"mooc/internal/testenv"
)

func main() {
	os.Exit(run())
}

func run() int {
	lint := flag.Bool("lint", false, "build golangci-lint into the cache when missing and set MOOC_TEST_GOLANGCI_LINT")
	pgbench := flag.Bool("pgbench", false, "install pgbench when missing and set MOOC_TEST_PGBENCH")
	servers := flag.Bool("servers", true, "provision PostgreSQL and MinIO")
	install := flag.String("install", "", "comma-separated Debian `packages` to install unless a command of the same name is on PATH")
	flag.Usage = func() {
		_, _ = fmt.Fprintf(flag.CommandLine.Output(), "usage: testenv [-lint] [-pgbench] [-install packages] [-servers=false] [--] command [argument ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "testenv: ERROR: %v\n", err)
		return 1
	}

	// A signal during provisioning waits until the servers are up, then
	// ends the run before the command starts, so nothing is left behind.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)

	if *install != "" {
		if err := testenv.InstallCommands(strings.Split(*install, ",")...); err != nil {
			return fail(err)
		}
	}
	env := map[string]string{"MOOC_TESTENV": "1"}
	if *lint {
		bin, err := testenv.GolangciLintBinary()
		if err != nil {
			return fail(err)
		}
		env["MOOC_TEST_GOLANGCI_LINT"] = bin
	}
	if *servers {
		s, err := testenv.Provision(context.Background())
		if err != nil {
			return fail(err)
		}
		defer func() {
			if err := s.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "testenv: removing the throwaway servers: %v\n", err)
			}
		}()
		for k, v := range s.Env {
			env[k] = v
		}
		if s.ThrowawayMinIO() {
			env["MOOC_TEST_MINIO"] = "MinIO " + testenv.MinIOVersion() + " (single drive, throwaway)"
		} else {
			env["MOOC_TEST_MINIO"] = "MinIO (given through MOOC_TEST_S3_ENDPOINT)"
		}
		if psql, err := testenv.PGTool("psql", false); err == nil {
			env["MOOC_TEST_PSQL"] = psql
		}
	}
	if *pgbench {
		bin, err := testenv.PGTool("pgbench", true)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v; the enrolment burst goes without its pgbench reference\n", err)
			bin = "none"
		}
		env["MOOC_TEST_PGBENCH"] = bin
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return fail(err)
		}
	}
	select {
	case sig := <-signals:
		fmt.Fprintf(os.Stderr, "testenv: %v during provisioning; removing the servers\n", sig)
		return 128 + int(sig.(syscall.Signal))
	default:
	}
	return runChild(flag.Args(), signals)
}

// runChild runs the command, passing on the signals that would end this
// process, and returns its exit status (128+n when signal n ended it).
func runChild(args []string, signals <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: ERROR: %v\n", err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-signals:
				_ = cmd.Process.Signal(sig) // fails only when the command has ended
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "testenv: ERROR: %v\n", err)
		return 1
	}
}
