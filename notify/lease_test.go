package notify

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/internal/database"
	"mooc/internal/lease"
	"mooc/internal/testenv"
	"mooc/internal/testkit"
	"mooc/notify/outbox"
)

// relay counts what it accepted, by message; with a gate it holds every
// message there (a slow relay).
type relay struct {
	mu   sync.Mutex
	sent map[string]int
	gate *testkit.Gate // nil: no wait
}

func newRelay(gate *testkit.Gate) *relay { return &relay{sent: map[string]int{}, gate: gate} }

func (r *relay) Send(ctx context.Context, m Mail) error {
	if r.gate != nil {
		if err := r.gate.Wait(ctx); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent[m.ID]++
	return nil
}

func (r *relay) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent[id]
}

type mailEnv struct {
	db     *database.DB
	outbox *outbox.Outbox
	people *accounts.Service
	clk    *testkit.Clock
	logs   *testkit.Logs
}

func newMailEnv(t *testing.T, db *database.DB) *mailEnv {
	t.Helper()
	e := &mailEnv{db: db, clk: &testkit.Clock{}, logs: &testkit.Logs{}}
	e.outbox = outbox.New(db, e.clk.Now)
	people, err := accounts.New(db, accounts.Options{TokenSecret: []byte("mail-lease-test-secret-0123456789abcdef"), Hashing: &testkit.Hashing})
	if err != nil {
		t.Fatal(err)
	}
	e.people = people
	return e
}

// sender is one replica's sender, with a fast heartbeat.
func (e *mailEnv) sender(name string, mailer Mailer) *Sender {
	log := e.logs.Logger()
	return NewSender(SenderDeps{Outbox: e.outbox, Mailer: mailer, People: e.people, PublicURL: "https://mooc.example.lv",
		Log: log, Now: e.clk.Now, Worker: lease.Worker{Replica: name, Heartbeat: 5 * time.Millisecond, Log: log}})
}

// queue queues n e-mails to new people and returns their ids.
func (e *mailEnv) queue(t *testing.T, n int) []string {
	t.Helper()
	users, _ := testkit.SignUp(t, e.people, n, func(i int) accounts.Registration {
		return testkit.Person(fmt.Sprintf("mail.%d.%s@example.lv", i, uuid.NewString()[:8]))
	})
	var ids []string
	for _, u := range users {
		m := outbox.Message{ID: "promoted:" + uuid.NewString(), UserID: u, Template: "promoted",
			Params: map[string]string{"course": "Krīzes intervence", "cohort": "Pavasaris", "starts": "1. martā"}}
		if err := e.outbox.Queue(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

func (e *mailEnv) records(t *testing.T, msg string) []map[string]any { return e.logs.Records(t, msg) }

// A message whose sender died holding it is sent by the next replica to
// look once the lease lapsed, which says whose it was.
func TestMailOfADeadReplicaIsTakenOver(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newMailEnv(t, db)
		ctx := context.Background()
		id := e.queue(t, 1)[0]
		now := e.clk.Now().UTC()
		if ok, err := e.outbox.Claim(ctx, id, "replica-dead", now, now.Add(lease.Term)); err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		mail := newRelay(nil)
		b := e.sender("replica-b", mail)
		if n, err := b.SendDue(ctx); err != nil || n != 0 {
			t.Fatalf("sent %d, %v while the lease holds", n, err)
		}
		e.clk.Advance(lease.Term + time.Second)
		if n, err := b.SendDue(ctx); err != nil || n != 1 {
			t.Fatalf("sent %d, %v after the lease lapsed", n, err)
		}
		if mail.count(id) != 1 {
			t.Errorf("delivered %d times", mail.count(id))
		}
		over, done := e.records(t, "job taken over"), e.records(t, "job finished")
		if len(over) != 1 || over[0]["replica"] != "replica-b" || over[0]["previous_replica"] != "replica-dead" || over[0]["job"] != id || over[0]["kind"] != mailKind {
			t.Errorf("takeover lines %v", over)
		}
		if len(done) != 1 || done[0]["replica"] != "replica-b" || done[0]["job"] != id {
			t.Errorf("finished lines %v", done)
		}
	})
}

// A relay slower than the lease costs no second delivery: the heartbeat
// renews the lease while the relay takes its time.
func TestSlowRelayKeepsTheLease(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newMailEnv(t, db)
		ctx := context.Background()
		id := e.queue(t, 1)[0]
		gate := testkit.NewGate()
		slow, other := newRelay(gate), newRelay(nil)
		a, b := e.sender("replica-a", slow), e.sender("replica-b", other)
		sent := make(chan int, 1)
		go func() {
			n, err := a.SendDue(ctx)
			if err != nil {
				t.Error(err)
			}
			sent <- n
		}()
		<-gate.Arrived()
		e.clk.Advance(lease.Term + 10*time.Second)
		moved := e.clk.Now().UTC()
		testkit.Eventually(t, "a renewal after the clock moved past the first lease", func() (outbox.Stored, bool) {
			var m outbox.Stored
			if err := db.Conn(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
				t.Fatal(err)
			}
			return m, m.ClaimedUntil != nil && m.ClaimedUntil.After(moved)
		})
		if n, err := b.SendDue(ctx); err != nil || n != 0 || other.count(id) != 0 {
			t.Fatalf("replica-b sent %d (%v) of a message being sent", n, err)
		}
		gate.Open()
		if n := <-sent; n != 1 || slow.count(id) != 1 {
			t.Fatalf("replica-a sent %d, delivered %d", n, slow.count(id))
		}
		if n := len(e.records(t, "job taken over")); n != 0 {
			t.Errorf("%d takeovers of a message being sent", n)
		}
		if done := e.records(t, "job finished"); len(done) != 1 || done[0]["replica"] != "replica-a" {
			t.Errorf("finished lines %v", done)
		}
	})
}

// Two replicas sending at once deliver each message once.
func TestTwoSendersSendEachMessageOnce(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		e := newMailEnv(t, db)
		ctx := context.Background()
		ids := e.queue(t, 30)
		mail := newRelay(nil)
		var wg sync.WaitGroup
		var total atomic.Int64
		for _, name := range []string{"replica-a", "replica-b"} {
			s := e.sender(name, mail)
			wg.Go(func() {
				n, err := s.SendDue(ctx)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		if total.Load() != int64(len(ids)) {
			t.Errorf("sent %d of %d", total.Load(), len(ids))
		}
		for _, id := range ids {
			if n := mail.count(id); n != 1 {
				t.Errorf("%s delivered %d times", id, n)
			}
		}
		if n := len(e.records(t, "job claimed")); n != len(ids) {
			t.Errorf("%d claims of %d messages", n, len(ids))
		}
	})
}
