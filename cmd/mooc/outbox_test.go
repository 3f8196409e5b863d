package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
)

// TestMain lets a test start this binary as a real server process, which
// it can then kill like a crash would; otherwise it runs the tests, with a
// throwaway PostgreSQL and MinIO when MOOC_TEST_* name none.
func TestMain(m *testing.M) {
	if os.Getenv("MOOC_TEST_AS_SERVER") == "1" {
		os.Args = []string{os.Args[0], "serve"}
		main()
		return
	}
	testenv.Main(m)
}

// process is `mooc serve` in a child process.
type process struct {
	cmd  *exec.Cmd
	addr string
}

func spawn(t *testing.T, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MOOC_TEST_AS_SERVER=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		var entry struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &entry) == nil && entry.Msg == "listening" {
			go func() { // keep draining so the child never blocks on its log
				for lines.Scan() {
				}
			}()
			return &process{cmd: cmd, addr: entry.Addr}
		}
	}
	t.Fatal("the server process ended before listening")
	return nil
}

// A message queued by a process that is then killed is delivered, once,
// by the next one.
func TestOutboxSurvivesAKilledProcess(t *testing.T) {
	dir := t.TempDir()
	env := embeddedEnv(t)
	env["MOOC_DATA_DIR"] = dir
	env["MOOC_SMTP_HOST"], env["MOOC_SMTP_PORT"] = "127.0.0.1", "1" // nothing listens: mail stays queued
	first := spawn(t, env)
	s := &started{addr: first.addr}
	status, _ := s.call(t, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": "ilze@example.lv", "password": "correct horse battery", "given_name": "Ilze", "family_name": "Kalniņa", "municipality": "Cēsu novads",
	})
	if status != 201 {
		t.Fatalf("register %d", status)
	}
	// Queue a message as a domain would, inside its own transaction.
	db, err := database.OpenSQLite(context.Background(), filepath.Join(dir, "mooc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var userID string
	db.Conn(context.Background()).Raw("SELECT id FROM users WHERE email = ?", "ilze@example.lv").Scan(&userID)
	now := time.Now().UTC()
	if err := db.Conn(context.Background()).Exec(`INSERT INTO outbox (id, user_id, template, params, created_at, send_after)
		VALUES ('certificate:test', ?, 'certificate_issued', '{"title":"Krīzes intervence","code":"K7QM-3XPA-9RTB","verify_url":"x"}', ?, ?)`,
		userID, now, now).Error; err != nil {
		t.Fatal(err)
	}

	// Kill it while the message waits (the relay refused it).
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	// The registration's verification e-mail is not this test's subject.
	db.Conn(context.Background()).Exec("UPDATE outbox SET sent_at = ? WHERE template = 'verify_email'", now)
	db.Conn(context.Background()).Exec("UPDATE outbox SET send_after = ?, claimed_until = NULL", now.Add(-time.Second))

	inbox := testenv.SMTP(t)
	env["MOOC_SMTP_HOST"], env["MOOC_SMTP_PORT"] = inbox.Host, strconv.Itoa(inbox.Port)
	spawn(t, env)
	got := inbox.WaitFor(1, 30*time.Second)
	if len(got) != 1 || !strings.Contains(got[0].Subject, "apliecinājums") || strings.Trim(got[0].To, "<>") != "ilze@example.lv" {
		t.Fatalf("after the restart: %+v", got)
	}
	var sent int64
	db.Conn(context.Background()).Table("outbox").Where("id = ? AND sent_at IS NOT NULL", "certificate:test").Count(&sent)
	deadline := time.Now().Add(10 * time.Second)
	for sent != 1 && time.Now().Before(deadline) { // the worker marks it right after the relay's OK
		time.Sleep(20 * time.Millisecond)
		db.Conn(context.Background()).Table("outbox").Where("id = ? AND sent_at IS NOT NULL", "certificate:test").Count(&sent)
	}
	if sent != 1 || len(inbox.Messages()) != 1 {
		t.Fatalf("sent marked %d, inbox %d", sent, len(inbox.Messages()))
	}
}
