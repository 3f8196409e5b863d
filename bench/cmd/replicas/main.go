// Command replicas measures the platform as it is deployed to grow past one
// process (issue 20), for `make bench-replicas` (scripts/bench-replicas.sh
// runs it under the provisioner, which gives it a PostgreSQL server): three
// `mooc serve` replicas on loopback ports behind Debian's haproxy (round
// robin, /readyz checks every 500 ms, a failed connection sent to another
// replica), one database, MinIO over four drive folders (an erasure set),
// and these phases through the balancer:
//
//   - rush: -learners learners enrol at -concurrency at a time into one
//     cohort of -capacity seats while one replica is killed (SIGKILL)
//     halfway; each sends an Idempotency-Key and sends it again after a 5xx
//     or a lost connection. Reported: the cohort's counts beside its rows,
//     lost replies (a row whose learner never got a 201), retries, 5xx.
//   - capacity: the learners' read mix (the course outline, their own
//     enrolments, a playback link) with vegeta at constant rates
//     (-rates, -step each) on one replica directly and on the three
//     behind the balancer; the highest rate whose p99 is within 50 ms,
//     and the replicas' CPU time per request; GET /healthz on one replica
//     beside it as the reference.
//   - jobs: a bulk certificate issue started on one replica, that replica
//     killed once the job has begun, and the time until another replica
//     has finished it; then the objects in the bucket no row names
//     (orphans), and again after waiting for the orphan sweep.
//   - outage: MinIO killed; catalogue, outline, enrolment and test attempts
//     through the balancer, /readyz and playback links; MinIO started
//     again and the time until playback works.
//
// It prints the figures and writes them as the section "Deployment: three
// replicas (issue 20)" of -markdown (BENCHMARKS.md), keeping the rest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/internal/testenv"
)

type options struct {
	mooc, fixture, markdown  string
	learners, capacity, conc int
	holders                  int
	rates                    []int
	step, p99, takeoverLimit time.Duration
	sweepLimit               time.Duration
	adminURL                 string
	phases                   map[string]bool
	profile                  string
	before, beforeName       string
}

// allPhases of the run, in order. The rush always runs, as its learners
// are the read mix's; without the phase rush no replica is killed in it.
var allPhases = []string{"rush", "capacity", "jobs", "outage"}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("replicas", flag.ContinueOnError)
	fs.StringVar(&o.mooc, "mooc", "bin/mooc", "the server binary")
	fs.StringVar(&o.fixture, "fixture", "api/testdata/lesson.mp4", "a small real MP4 for the video lesson")
	fs.StringVar(&o.markdown, "markdown", "BENCHMARKS.md", "the file whose section \"Deployment: three replicas (issue 20)\" is written (none: not written)")
	fs.IntVar(&o.learners, "learners", 600, "learners in the enrolment rush")
	fs.IntVar(&o.capacity, "capacity", 200, "seats of the rush's cohort (1..200)")
	fs.IntVar(&o.conc, "concurrency", 50, "learners enrolling at a time in the rush")
	fs.IntVar(&o.holders, "holders", 200, "certificates of the bulk job whose replica is killed (1..200)")
	rates := fs.String("rates", "500,1000,1500,2000,2500,3000,4000", "the constant rates of the read mix, requests per second")
	fs.DurationVar(&o.step, "step", 10*time.Second, "how long each rate is held")
	fs.DurationVar(&o.p99, "p99", 50*time.Millisecond, "the latency goal of the read mix")
	fs.DurationVar(&o.takeoverLimit, "takeover-limit", 90*time.Second, "how long to wait for the killed replica's job")
	fs.DurationVar(&o.sweepLimit, "sweep-limit", 75*time.Second, "how long to wait for the orphan sweep (orphans become sweepable "+orphanMinAge+" after they were stored, and a sweep runs every "+orphanSweepEvery+")")
	fs.StringVar(&o.before, "before", "", "a server binary built from an earlier commit: the read mix is measured on it too, as r1 on the same database, in the same run")
	fs.StringVar(&o.beforeName, "before-name", "the earlier binary", "what -before was built from, for the table")
	phases := fs.String("phases", "all", "comma-separated phases: "+strings.Join(allPhases, ", ")+", or all")
	fs.StringVar(&o.profile, "profile", "", "also write a 10 s CPU profile of r1 under the read mix at the second rate to this file (r1 gets MOOC_PPROF_ADDR)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		switch p = strings.TrimSpace(p); {
		case p == "all":
			for _, q := range allPhases {
				o.phases[q] = true
			}
		case slices.Contains(allPhases, p):
			o.phases[p] = true
		default:
			return o, fmt.Errorf("-phases: unknown phase %q", p)
		}
	}
	for _, s := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-rates: %q is not a rate", s)
		}
		o.rates = append(o.rates, n)
	}
	o.adminURL = os.Getenv(testenv.EnvDatabaseURL)
	if o.adminURL == "" {
		return o, errors.New(testenv.EnvDatabaseURL + " is not set: run this under bin/testenv (make bench-replicas does)")
	}
	if o.capacity < 1 || o.capacity > 200 || o.holders < 1 || o.holders > 200 || o.learners < 2 || o.conc < 1 {
		return o, errors.New("-capacity and -holders lie between 1 and 200, -learners is at least 2, -concurrency at least 1")
	}
	return o, nil
}

// The replicas' orphan sweep (where the server has one): short, so that a
// killed replica's objects are swept within the run, yet long enough that
// no upload or job under way is taken for an orphan.
const (
	orphanMinAge     = "1m"
	orphanSweepEvery = "30s"
)

// deployment is what run started.
type deployment struct {
	dir      string
	minio    *erasureMinIO
	replicas []*replica
	haproxy  *proc
	base     string // the balancer's URL
	bucket   string
	pprof    string // r1's profiler, with -profile
}

func (d *deployment) stop() {
	if d.haproxy != nil {
		d.haproxy.kill(syscall.SIGTERM)
	}
	for _, r := range d.replicas {
		r.kill(syscall.SIGTERM)
	}
	if d.minio != nil {
		d.minio.kill(syscall.SIGTERM)
	}
}

func say(format string, args ...any) { fmt.Fprintf(os.Stderr, "replicas: "+format+"\n", args...) }

func run(ctx context.Context, o options) (err error) {
	video, err := readVideo(o.fixture)
	if err != nil {
		return err
	}
	haproxyBin, err := testenv.HAProxy()
	if err != nil {
		return err
	}
	minioBin, err := testenv.MinIOBinary()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mooc-replicas.")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary folder; nothing in it is kept
	d := &deployment{dir: dir, bucket: "mooc-replicas-" + randomHex(4)}
	defer d.stop()

	// The run's own database on the provisioner's server.
	dbName := "mooc_replicas_" + randomHex(5)
	admin, err := pgx.Connect(ctx, o.adminURL)
	if err != nil {
		return err
	}
	defer func() { _ = admin.Close(context.Background()) }()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		return err
	}
	defer func() {
		d.stop()
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")
	}()
	u, err := url.Parse(o.adminURL)
	if err != nil {
		return err
	}
	u.Path = "/" + dbName
	dbURL := u.String()

	say("MinIO over four drives")
	if d.minio, err = newErasureMinIO(minioBin, dir); err != nil {
		return err
	}
	if err := d.minio.up(ctx); err != nil {
		return err
	}
	lbPort, err := freePort()
	if err != nil {
		return err
	}
	d.base = "http://127.0.0.1:" + strconv.Itoa(lbPort)
	secret := randomHex(32)
	teamEmail, teamPassword := "projekta.komanda@example.lv", randomHex(16)
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"MOOC_PUBLIC_URL=" + d.base, "MOOC_DATABASE_URL=" + dbURL, "MOOC_TOKEN_SECRET=" + secret,
		"MOOC_S3_ENDPOINT=" + d.minio.addr, "MOOC_S3_ACCESS_KEY=" + d.minio.accessKey, "MOOC_S3_SECRET_KEY=" + d.minio.secretKey,
		"MOOC_S3_BUCKET=" + d.bucket, "MOOC_S3_SECURE=false", "MOOC_S3_PUBLIC_URL=http://" + d.minio.addr,
		"MOOC_REGISTER_LIMIT=0", "MOOC_BOOTSTRAP_EMAIL=" + teamEmail, "MOOC_BOOTSTRAP_PASSWORD=" + teamPassword,
		"MOOC_TRUSTED_PROXIES=127.0.0.1",
		// The orphan sweep and job leases where the server has them; a
		// server without them ignores the variables.
		"MOOC_ORPHAN_MIN_AGE=" + orphanMinAge, "MOOC_ORPHAN_SWEEP_EVERY=" + orphanSweepEvery,
	}
	for i := 1; i <= 3; i++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		id := "r" + strconv.Itoa(i)
		data := filepath.Join(dir, id)
		if err := os.Mkdir(data, 0o700); err != nil {
			return err
		}
		r := &replica{id: id, addr: "127.0.0.1:" + strconv.Itoa(port)}
		r.proc = proc{name: "replica " + id, args: []string{o.mooc, "serve"}, log: filepath.Join(dir, id+".log"),
			env: append(append([]string{}, env...), "MOOC_ADDR="+r.addr, "MOOC_DATA_DIR="+data, "MOOC_REPLICA_ID="+id)}
		d.replicas = append(d.replicas, r)
	}
	if o.profile != "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		d.pprof = "127.0.0.1:" + strconv.Itoa(port)
		d.replicas[0].env = append(d.replicas[0].env, "MOOC_PPROF_ADDR="+d.pprof)
	}
	// The first replica migrates the database and generates the signing
	// keys it is not given; the others get its key files, as replicas
	// must share them.
	say("replica r1 on %s", d.replicas[0].addr)
	if err := d.replicas[0].up(ctx); err != nil {
		return err
	}
	shared := sharedKeys(filepath.Join(dir, "r1"))
	for _, r := range d.replicas[1:] {
		say("replica %s on %s", r.id, r.addr)
		r.env = append(r.env, shared...)
		if err := r.up(ctx); err != nil {
			return err
		}
	}
	conf := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(conf, []byte(haproxyConfig("127.0.0.1:"+strconv.Itoa(lbPort), d.replicas)), 0o600); err != nil {
		return err
	}
	if err := checkHAProxyConfig(haproxyBin, conf); err != nil {
		return err
	}
	d.haproxy = &proc{name: "haproxy", args: []string{haproxyBin, "-db", "-f", conf}, env: []string{"PATH=" + os.Getenv("PATH")},
		log: filepath.Join(dir, "haproxy.log")}
	say("haproxy on %s", d.base)
	if err := d.haproxy.start(); err != nil {
		return err
	}
	if err := waitHTTP(ctx, d.haproxy, d.base+"/readyz", 30*time.Second); err != nil {
		return err
	}
	time.Sleep(1500 * time.Millisecond) // every replica's checks passed twice: all three in the rotation

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	a := &api{http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute, DisableCompression: true}}}
	say("the course, through the balancer")
	f, err := newFixture(ctx, a, d.base, teamEmail, teamPassword, pool, []byte(secret), video)
	if err != nil {
		return err
	}
	rep := report{Started: time.Now(), Load: loadAverage(), Cores: numCPU()}

	// a. The rush, r2 killed halfway.
	say("rush: %d learners, %d seats, %d at a time; r2 killed halfway", o.learners, o.capacity, o.conc)
	rushCohort, people, err := f.cohortWith(ctx, "Pieplūdums", o.capacity, o.learners)
	if err != nil {
		return err
	}
	victim := d.replicas[1]
	if !o.phases["rush"] {
		victim = nil
	}
	if rep.Rush, err = rush(ctx, f, people, rushCohort, o.capacity, o.conc, victim); err != nil {
		return err
	}
	if victim != nil {
		rep.Rush.print()
		if err := victim.up(ctx); err != nil {
			return err
		}
		time.Sleep(1500 * time.Millisecond) // back in the rotation after two good checks
	}

	// e. Read capacity.
	learners, err := enrolledIn(ctx, f, rushCohort, people)
	if err != nil {
		return err
	}
	if len(learners) == 0 {
		return errors.New("the rush left no enrolled learner for the read mix")
	}
	rep.Learners = len(learners)
	one := d.replicas[0]
	pidsOf := func(rs ...*replica) func() []int {
		return func() []int {
			var out []int
			for _, r := range rs {
				out = append(out, r.pid())
			}
			return out
		}
	}
	if o.profile != "" {
		rate := o.rates[min(1, len(o.rates)-1)]
		say("profile: r1 under the read mix at %d/s for 10 s into %s", rate, o.profile)
		if err := profile(ctx, "http://"+d.pprof, o.profile, mixedTargets(one.url(), f, learners), rate); err != nil {
			return err
		}
	}
	if o.phases["capacity"] {
		say("capacity: GET /healthz on r1 (the reference)")
		rep.Health = ramp(ctx, "healthz, r1 direct", healthTargets(one.url()), o.rates, o.step, o.p99, pidsOf(one))
		say("capacity: the read mix on r1 directly (%d learners)", len(learners))
		rep.One = ramp(ctx, "mix, r1 direct", mixedTargets(one.url(), f, learners), o.rates, o.step, o.p99, pidsOf(one))
		say("capacity: the read mix through haproxy")
		rep.Three = ramp(ctx, "mix, 3 behind haproxy", mixedTargets(d.base, f, learners), o.rates, o.step, o.p99, pidsOf(d.replicas...))
		if o.before != "" {
			if rep.Before, err = measureBefore(ctx, o, one, f, learners); err != nil {
				return err
			}
		}
	}

	if o.phases["jobs"] {
		if err := jobsPhase(ctx, o, d, f, &rep); err != nil {
			return err
		}
	}
	if o.phases["outage"] {
		if err := outagePhase(ctx, d, f, learners, &rep); err != nil {
			return err
		}
	}
	rep.Elapsed = time.Since(rep.Started)
	if o.markdown != "none" && len(o.phases) == len(allPhases) {
		if err := writeSection(o.markdown, rep.markdown(o)); err != nil {
			return err
		}
		say("wrote the section of %s", o.markdown)
	}
	return nil
}

// measureBefore runs r1 as the earlier binary, measures the read mix on
// it directly, and starts r1 again as it was.
func measureBefore(ctx context.Context, o options, r1 *replica, f *fixture, learners []enrolled) (capacity, error) {
	say("capacity: the read mix on r1 directly, as %s", o.before)
	now := r1.args[0]
	r1.kill(syscall.SIGTERM)
	r1.args[0] = o.before
	if err := r1.up(ctx); err != nil {
		return capacity{}, err
	}
	c := ramp(ctx, "mix, r1 direct, built from "+o.beforeName, mixedTargets(r1.url(), f, learners), o.rates, o.step, o.p99, func() []int { return []int{r1.pid()} })
	r1.kill(syscall.SIGTERM)
	r1.args[0] = now
	return c, r1.up(ctx)
}

// jobsPhase: a killed replica's certificate job (b), then orphans (c).
func jobsPhase(ctx context.Context, o options, d *deployment, f *fixture, rep *report) error {
	say("jobs: %d certificates, r3 killed mid-job", o.holders)
	jobCohort, holders, err := f.cohortWith(ctx, "Apliecinājumi", o.holders, o.holders)
	if err != nil {
		return err
	}
	if err := f.eligible(ctx, holders, jobCohort); err != nil {
		return err
	}
	if rep.Jobs, err = takeover(ctx, f, jobCohort, o.holders, d.replicas[2], o.takeoverLimit); err != nil {
		return err
	}
	s3, err := minio.New(d.minio.addr, &minio.Options{Creds: credentials.NewStaticV4(d.minio.accessKey, d.minio.secretKey, ""), Region: "us-east-1"})
	if err != nil {
		return err
	}
	say("orphans: waiting up to %s for the sweep", o.sweepLimit)
	sweep(ctx, f, s3, d.bucket, &rep.Jobs, o.sweepLimit)
	rep.Jobs.print()
	if err := d.replicas[2].up(ctx); err != nil {
		return err
	}
	time.Sleep(1500 * time.Millisecond)
	return nil
}

// outagePhase: MinIO away (d).
func outagePhase(ctx context.Context, d *deployment, f *fixture, learners []enrolled, rep *report) error {
	say("outage: MinIO killed")
	outCohort, fresh, err := f.cohortWith(ctx, "Bez krātuves", 200, 20)
	if err != nil {
		return err
	}
	rep.Outage = outage(ctx, f, d.minio, fresh, outCohort, learners)
	for _, l := range rep.Outage.lines() {
		fmt.Println("outage: " + l)
	}
	return nil
}

// sharedKeys finds the signing keys a replica generated into its data
// folder (the PAdES seal and the credentials' Ed25519 key, where the
// server has them) and names them for the other replicas.
func sharedKeys(data string) []string {
	var out []string
	entries, _ := os.ReadDir(data) // an unreadable folder: nothing to share
	for _, e := range entries {
		name := strings.ToLower(e.Name())
		path := filepath.Join(data, e.Name())
		switch {
		case name == "seal.pem": // the generated seal: its certificate and key in one file
			out = append(out, "MOOC_SEAL_CERT="+path, "MOOC_SEAL_KEY="+path)
		case strings.Contains(name, "seal") && strings.Contains(name, "cert"):
			out = append(out, "MOOC_SEAL_CERT="+path)
		case strings.Contains(name, "seal") && strings.Contains(name, "key"):
			out = append(out, "MOOC_SEAL_KEY="+path)
		case strings.Contains(name, "issuer") && strings.Contains(name, "key"):
			out = append(out, "MOOC_ISSUER_KEY="+path)
		}
	}
	return out
}
