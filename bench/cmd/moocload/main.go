// Command moocload measures a running mooc server, for `make bench`
// (scripts/bench.sh starts the server and then this tool). Phases (-phases,
// default all):
//
//   - upload: POST /api/v1/media of a generated MP4 of -upload-size bytes
//     (2 GiB), streamed with a Content-Length, while the server process's
//     resident set is sampled; beside it the same stream put straight into
//     the same MinIO with minio-go (the reference). Issue 3.
//   - outline: a published five-week course of 25 lessons is built over
//     HTTP, then GET /api/v1/courses/{id} from -concurrency clients with
//     keep-alive; beside it a bare Fiber handler that answers the same JSON
//     bytes (the reference). Issues 3 and 16 (target: half the reference).
//     Then the course's HTML page (-page-path, /courses/{id}) the same way,
//     reported on a line of its own; a page that does not answer 200 is a
//     failure line, not a silent gap.
//   - enrolment: -burst-learners learners (written with SQL, acting with
//     minted tokens) enrol at one instant into a cohort of -burst-capacity
//     seats; beside it pgbench running the same statements. Issue 4.
//   - submissions: learners in a cohort's last week submit their final
//     test attempts at one instant; beside it a bare Fiber handler. Issue 5.
//   - certificates: the same learners' certificates as one bulk job, each
//     sealed; beside it certificates.Render of the same pages, alone and
//     signed with a seal of the tool's. Issues 6 and 19.
//   - report: GET /api/v1/reports/completions over a history written with
//     SQL; beside it the report's bare SQL over pgx. Issue 7.
//   - soak: mixed traffic for -soak, sampling the server's RSS and p99
//     every -soak-every. Issue 8.
//
// It prints one Markdown table and can write it (-markdown) and the raw
// figures (-json) to files. It talks to loopback addresses only, and every
// phase is bounded in requests and time; -timeout bounds the whole run.
//
//	moocload -url http://127.0.0.1:PORT -pid PID -fixture lesson.mp4 [flags]
//
// Environment: MOOC_BENCH_EMAIL and MOOC_BENCH_PASSWORD (a team account);
// for the upload, MOOC_TEST_S3_ENDPOINT, MOOC_TEST_S3_ACCESS_KEY and
// MOOC_TEST_S3_SECRET_KEY (the MinIO the server uses); for the phases of
// issues 4–8, MOOC_BENCH_DATABASE_URL (the server's database, where
// fixtures are written with SQL) and MOOC_BENCH_TOKEN_SECRET (the server's
// MOOC_TOKEN_SECRET, to mint learners' tokens).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"mooc/bench"
	"mooc/internal/database"
)

// Targets of issue 3.
const (
	targetRSSGrowth   = 64 << 20 // bytes of server RSS growth during a 2 GiB upload
	targetUploadRatio = 0.80     // upload throughput over the reference
)

// Target of issue 16: outline reads, served from the catalogue's cache of
// published outlines, over the bare Fiber reference.
const targetOutlineRatio = 0.50

type options struct {
	url, fixture              string
	pid                       int
	uploadSize                int64
	uploadRounds              int
	serverBucket, refBucket   string
	concurrency               int
	pagePath                  string
	duration, warmup, timeout time.Duration
	maxRequests               int64
	refInProcess, strict      bool
	markdown, jsonOut         string
	email, password           string
	s3Endpoint, s3Key, s3Sec  string

	phases                   map[string]bool
	databaseURL, tokenSecret string
	pgbench                  string
	pgbenchClients           int
	burstLearners            int
	burstCapacity            int
	submitLearners           int
	reportCohorts            int
	reportEnrolments         int
	reportCertificates       int
	reportRequests           int
	soak, soakEvery          time.Duration
	soakThink                time.Duration
	soakClients              int
	soakMaxRequests          int64
}

// allPhases in the order they run.
var allPhases = []string{"upload", "outline", "enrolment", "submissions", "certificates", "report", "soak"}

func (o options) runs(phase string) bool { return o.phases[phase] }

func main() {
	if len(os.Args) > 1 && os.Args[1] == referenceCommand {
		if err := serveReference(); err != nil {
			fmt.Fprintln(os.Stderr, "moocload reference:", err)
			os.Exit(1)
		}
		return
	}
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "moocload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	r, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "moocload:", err)
		os.Exit(1)
	}
	table := r.markdown()
	fmt.Print(table)
	if o.markdown != "" {
		if err := writeReport(o.markdown, table); err != nil {
			fmt.Fprintln(os.Stderr, "moocload:", err)
			os.Exit(1)
		}
	}
	if o.jsonOut != "" {
		raw, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(raw, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "moocload:", err)
			os.Exit(1)
		}
	}
	if o.strict && !r.Passed() {
		fmt.Fprintln(os.Stderr, "moocload: a target was missed")
		os.Exit(3)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("moocload", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "base URL of the mooc server (loopback only), e.g. http://127.0.0.1:8080")
	fs.IntVar(&o.pid, "pid", 0, "process ID of the server, whose memory is sampled")
	fs.StringVar(&o.fixture, "fixture", "api/testdata/lesson.mp4", "a small real MP4 for the course's video lessons")
	fs.Int64Var(&o.uploadSize, "upload-size", 2<<30, "bytes of the generated video upload (at most 8 GiB)")
	fs.IntVar(&o.uploadRounds, "upload-rounds", 3, "upload rounds; a round measures the platform and the reference back to back, in alternating order. Medians count for throughput, the highest memory growth for memory")
	fs.StringVar(&o.serverBucket, "server-bucket", "", "the server's bucket, the run's own: the uploaded video is deleted after each round and the bucket at the end (optional)")
	fs.StringVar(&o.refBucket, "ref-bucket", "", "bucket for the reference uploads (created and removed; default: a random name)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "clients reading the course outline")
	fs.StringVar(&o.pagePath, "page-path", "/courses/{id}", "the course's HTML page, measured after the outline ({id}: the course); none: not measured (the table says so)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long the outline is read (at most 2m)")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "outline reads before measuring, not counted")
	fs.Int64Var(&o.maxRequests, "max-requests", 2_000_000, "at most this many outline reads per measurement")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound on the whole run (default 15m plus the soak)")
	fs.BoolVar(&o.refInProcess, "ref-in-process", false, "run the Fiber reference inside this process instead of a process of its own")
	fs.BoolVar(&o.strict, "strict", false, "exit with status 3 when a target is missed")
	fs.StringVar(&o.markdown, "markdown", "", "also write the table to this file")
	fs.StringVar(&o.jsonOut, "json", "", "also write the raw figures to this file")
	phases := fs.String("phases", "all", "comma-separated phases to run: "+strings.Join(allPhases, ", ")+" (certificates needs submissions and runs it), or all")
	fs.StringVar(&o.pgbench, "pgbench", "", "pgbench binary for the enrolment reference (default: pgbench on PATH; none: no reference)")
	fs.IntVar(&o.pgbenchClients, "pgbench-clients", database.DefaultPoolSize, "pgbench clients: the server's database pool size")
	fs.IntVar(&o.burstLearners, "burst-learners", 2000, "learners enrolling at one instant")
	fs.IntVar(&o.burstCapacity, "burst-capacity", 200, "seats of the burst's cohort (1..200)")
	fs.IntVar(&o.submitLearners, "submit-learners", 200, "learners submitting the final test at one instant (and getting certificates)")
	fs.IntVar(&o.reportCohorts, "report-cohorts", 50, "cohorts written for the completions report")
	fs.IntVar(&o.reportEnrolments, "report-enrolments", 10000, "enrolments written for the completions report (at most 200 per cohort)")
	fs.IntVar(&o.reportCertificates, "report-certificates", 2000, "certificates written for the completions report")
	fs.IntVar(&o.reportRequests, "report-requests", 20, "sequential reads of the completions report")
	fs.DurationVar(&o.soak, "soak", 60*time.Second, "how long the soak runs (0: no soak; at most 60m)")
	fs.DurationVar(&o.soakEvery, "soak-every", 30*time.Second, "the soak's sampling interval")
	fs.DurationVar(&o.soakThink, "soak-think", 20*time.Millisecond, "each soak client's pause before each request")
	fs.IntVar(&o.soakClients, "soak-clients", 32, "soak clients, each a learner; the cohort has 3/4 as many seats")
	fs.Int64Var(&o.soakMaxRequests, "soak-max-requests", 5_000_000, "at most this many soak requests")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.email, o.password = os.Getenv("MOOC_BENCH_EMAIL"), os.Getenv("MOOC_BENCH_PASSWORD")
	o.s3Endpoint, o.s3Key, o.s3Sec = os.Getenv("MOOC_TEST_S3_ENDPOINT"), os.Getenv("MOOC_TEST_S3_ACCESS_KEY"), os.Getenv("MOOC_TEST_S3_SECRET_KEY")
	o.databaseURL, o.tokenSecret = os.Getenv("MOOC_BENCH_DATABASE_URL"), os.Getenv("MOOC_BENCH_TOKEN_SECRET")
	switch o.pgbench {
	case "":
		o.pgbench, _ = exec.LookPath("pgbench")
	case "none":
		o.pgbench = ""
	}

	var errs []error
	need := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New(msg))
		}
	}
	o.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "all":
			for _, q := range allPhases {
				o.phases[q] = true
			}
		case slices.Contains(allPhases, p):
			o.phases[p] = true
		case p != "":
			errs = append(errs, fmt.Errorf("-phases: unknown phase %q (want %s or all)", p, strings.Join(allPhases, ", ")))
		}
	}
	if o.soak == 0 {
		delete(o.phases, "soak")
	}
	if o.phases["certificates"] {
		o.phases["submissions"] = true
	}
	stagePhases := o.phases["enrolment"] || o.phases["submissions"] || o.phases["report"] || o.phases["soak"]
	if o.timeout == 0 {
		o.timeout = 15*time.Minute + o.soak
	}
	need(o.url != "", "-url is required")
	need(o.pid > 0, "-pid is required")
	need(o.email != "" && o.password != "", "MOOC_BENCH_EMAIL and MOOC_BENCH_PASSWORD (a team account) are required")
	need(!o.phases["upload"] && o.serverBucket == "" || o.s3Endpoint != "" && o.s3Key != "" && o.s3Sec != "",
		"MOOC_TEST_S3_ENDPOINT, MOOC_TEST_S3_ACCESS_KEY and MOOC_TEST_S3_SECRET_KEY are required for the upload")
	need(!stagePhases || o.databaseURL != "" && o.tokenSecret != "",
		"MOOC_BENCH_DATABASE_URL and MOOC_BENCH_TOKEN_SECRET are required for the phases enrolment, submissions, certificates, report and soak")
	need(o.pgbenchClients >= 1 && o.pgbenchClients <= 200, "-pgbench-clients must lie between 1 and 200")
	need(o.burstLearners >= 1 && o.burstLearners <= 5000, "-burst-learners must lie between 1 and 5,000")
	need(o.burstCapacity >= 1 && o.burstCapacity <= 200, "-burst-capacity must lie between 1 and 200")
	need(o.submitLearners >= 1 && o.submitLearners <= 200, "-submit-learners must lie between 1 and 200 (one cohort)")
	need(o.reportCohorts >= 5 && o.reportCohorts <= 500, "-report-cohorts must lie between 5 and 500")
	need(o.reportEnrolments >= o.reportCohorts && o.reportEnrolments <= 200*o.reportCohorts && o.reportEnrolments <= 100_000,
		"-report-enrolments must lie between -report-cohorts and 200 per cohort (at most 100,000)")
	need(o.reportCertificates >= 0 && o.reportCertificates*5/4 <= o.reportEnrolments, "-report-certificates must lie between 0 and 4/5 of the enrolments")
	need(o.reportRequests >= 1 && o.reportRequests <= 1000, "-report-requests must lie between 1 and 1,000")
	need(o.soak >= 0 && o.soak <= time.Hour, "-soak must lie between 0 and 60m")
	need(o.soakEvery >= time.Second && o.soakEvery <= 10*time.Minute, "-soak-every must lie between 1s and 10m")
	need(o.soakThink >= 0 && o.soakThink <= 10*time.Second, "-soak-think must lie between 0 and 10s")
	need(o.soakClients >= 2 && o.soakClients <= 1000, "-soak-clients must lie between 2 and 1,000")
	need(o.soakMaxRequests >= 1 && o.soakMaxRequests <= 100_000_000, "-soak-max-requests must lie between 1 and 100,000,000")
	if o.databaseURL != "" {
		if err := databaseHost(o.databaseURL); err != nil {
			errs = append(errs, fmt.Errorf("MOOC_BENCH_DATABASE_URL: %w", err))
		}
	}
	need(o.uploadSize >= 1<<20 && o.uploadSize <= 8<<30, "-upload-size must lie between 1 MiB and 8 GiB")
	need(o.uploadRounds >= 1 && o.uploadRounds <= 5, "-upload-rounds must lie between 1 and 5")
	need(o.concurrency >= 1 && o.concurrency <= 1024, "-concurrency must lie between 1 and 1024")
	need(o.pagePath == "none" || strings.HasPrefix(o.pagePath, "/") && strings.Contains(o.pagePath, "{id}"),
		"-page-path must be a path holding {id}, or none")
	need(o.duration > 0 && o.duration <= 2*time.Minute, "-duration must lie between 0 and 2m")
	need(o.warmup >= 0 && o.warmup <= 30*time.Second, "-warmup must lie between 0 and 30s")
	need(o.maxRequests >= 1 && o.maxRequests <= 10_000_000, "-max-requests must lie between 1 and 10,000,000")
	need(o.timeout > 0 && o.timeout <= 90*time.Minute, "-timeout must lie between 0 and 90m")
	if o.url != "" {
		o.url = strings.TrimRight(o.url, "/")
		if err := bench.CheckLoopback(o.url); err != nil {
			errs = append(errs, fmt.Errorf("-url: %w", err))
		}
	}
	if o.s3Endpoint != "" {
		if err := bench.CheckLoopback(o.s3Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("MOOC_TEST_S3_ENDPOINT: %w", err))
		}
	}
	if o.refBucket == "" {
		o.refBucket = fmt.Sprintf("moocbench-ref-%d", time.Now().UnixNano()%1_000_000_000)
	}
	return o, errors.Join(errs...)
}

// report is everything one run measured.
type report struct {
	Date         time.Time     `json:"date"`
	UploadBytes  int64         `json:"upload_bytes"`
	Upload       []uploadRound `json:"upload_rounds"`
	IdleRSS      int64         `json:"server_idle_rss_bytes"` // as started, before any request of the tool
	PeakRSS      int64         `json:"server_peak_rss_bytes"` // highest during the uploads
	RSSGrowth    int64         `json:"rss_growth_bytes"`      // highest over the rounds
	UploadMiBs   float64       `json:"upload_mib_per_s"`      // median over the rounds
	RefMiBs      float64       `json:"reference_mib_per_s"`   // median over the rounds
	UploadRatio  float64       `json:"upload_ratio"`          // median of the rounds' ratios
	OutlineBytes int           `json:"outline_bytes"`         // size of the course JSON
	Lessons      int           `json:"outline_lessons"`       // lessons in it
	Concurrency  int           `json:"concurrency"`           // outline clients
	Duration     time.Duration `json:"outline_duration_ns"`   // per measurement
	Outline      loadFigures   `json:"outline"`               // the platform
	AnonOutline  loadFigures   `json:"outline_anonymous"`     // the platform, no token
	RefOutline   loadFigures   `json:"reference_outline"`     // bare Fiber
	RefInProcess bool          `json:"reference_in_process"`  // where the Fiber reference ran
	Page         *pageFigures  `json:"course_page,omitempty"` // the HTML page, when measured
	PagePath     string        `json:"course_page_path"`      // -page-path

	Phases   []string           `json:"phases"`
	Enrol    *enrolReport       `json:"enrolment_burst,omitempty"`
	Submit   *submitReport      `json:"submissions,omitempty"`
	Certs    *certReport        `json:"certificates,omitempty"`
	Report   *completionsReport `json:"completions_report,omitempty"`
	Soak     *soakReport        `json:"soak,omitempty"`
	Failures []phaseFailure     `json:"failures,omitempty"`

	secrets []string // never written out (see scrub)
}

// phaseFailure is a phase that could not be measured.
type phaseFailure struct {
	Phase string `json:"phase"`
	Error string `json:"error"`
}

func (r *report) ran(phase string) bool { return slices.Contains(r.Phases, phase) }

type uploadRound struct {
	APISeconds      float64 `json:"api_seconds"`
	APIMiBs         float64 `json:"api_mib_per_s"`
	RefSeconds      float64 `json:"reference_seconds"`
	RefMiBs         float64 `json:"reference_mib_per_s"`
	BaselineRSS     int64   `json:"server_baseline_rss_bytes"`
	PeakRSS         int64   `json:"server_peak_rss_bytes"`
	Growth          int64   `json:"server_rss_growth_bytes"`
	RSSSamples      int     `json:"rss_samples"`
	ServerCPUSecond float64 `json:"server_cpu_seconds"`
}

type loadFigures struct {
	Requests  int64   `json:"requests"`
	OK        int     `json:"ok"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"requests_per_s"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
}

func figures(r bench.Result) loadFigures {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return loadFigures{
		Requests: r.Requests, OK: len(r.Latencies), Errors: r.Errors, Seconds: r.Elapsed.Seconds(),
		PerSecond: r.PerSecond(), P50ms: ms(r.Percentile(0.50)), P99ms: ms(r.Percentile(0.99)),
	}
}

func (r *report) rssPass() bool    { return r.RSSGrowth <= targetRSSGrowth }
func (r *report) uploadPass() bool { return r.UploadRatio >= targetUploadRatio }
func (r *report) outlinePass() bool {
	return ratio(r.Outline.PerSecond, r.RefOutline.PerSecond) >= targetOutlineRatio
}

// pagePass: the course page, when measured, meets the outline's target
// too (issue 16 sets one for both).
func (r *report) pagePass() bool {
	return r.Page == nil || ratio(r.Page.Load.PerSecond, r.RefOutline.PerSecond) >= targetOutlineRatio
}

// pageFigures are the course page's reads.
type pageFigures struct {
	Bytes       int         `json:"bytes"`
	ContentType string      `json:"content_type"`
	Load        loadFigures `json:"load"`
}

// Passed reports whether every target was met (and every phase ran).
func (r *report) Passed() bool {
	ok := len(r.Failures) == 0
	if r.ran("upload") {
		ok = ok && r.rssPass() && r.uploadPass()
	}
	if r.ran("outline") {
		ok = ok && r.outlinePass() && r.pagePass()
	}
	if r.Enrol != nil {
		ok = ok && r.Enrol.latencyPass() && r.Enrol.outcomePass() && r.Enrol.ratioPass()
	}
	if r.Submit != nil {
		ok = ok && r.Submit.pass()
	}
	if r.Certs != nil {
		ok = ok && r.Certs.pass()
	}
	if r.Report != nil {
		ok = ok && r.Report.pass()
	}
	if r.Soak != nil {
		ok = ok && r.Soak.pass()
	}
	return ok
}

func run(ctx context.Context, o options) (*report, error) {
	video, err := os.ReadFile(o.fixture)
	if err != nil {
		return nil, fmt.Errorf("the small MP4 for the lessons: %w", err)
	}
	api := &client{base: o.url, http: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 4, DisableCompression: true, IdleConnTimeout: 30 * time.Second,
	}}}
	if err := api.call(ctx, "GET", "/readyz", "", nil, 200, nil); err != nil {
		return nil, fmt.Errorf("the server is not ready: %w", err)
	}

	r := &report{Date: time.Now().UTC(), UploadBytes: o.uploadSize, Concurrency: o.concurrency, Duration: o.duration, RefInProcess: o.refInProcess,
		PagePath: o.pagePath,
		secrets:  []string{o.databaseURL, o.tokenSecret, o.password, o.s3Sec}}
	for _, p := range allPhases {
		if o.runs(p) {
			r.Phases = append(r.Phases, p)
		}
	}

	// The server as it started: it has answered nothing but /readyz.
	idle, err := bench.ReadMemory(o.pid)
	if err != nil {
		return nil, fmt.Errorf("reading the server's memory: %w", err)
	}
	r.IdleRSS = idle.RSS
	step("log in as the team")
	team, err := api.login(ctx, o.email, o.password)
	if err != nil {
		return nil, err
	}

	if o.runs("upload") || o.serverBucket != "" {
		s3, err := minio.New(o.s3Endpoint, &minio.Options{
			Creds: credentials.NewStaticV4(o.s3Key, o.s3Sec, ""), Region: "us-east-1",
		})
		if err != nil {
			return nil, err
		}
		// The server's bucket is the run's own: empty it when done.
		if o.serverBucket != "" {
			defer func() {
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				_ = s3.RemoveBucketWithOptions(cctx, o.serverBucket, minio.RemoveBucketOptions{ForceDelete: true})
			}()
		}
		// 1. Upload first, so that the server has served nothing but a
		// login before.
		if o.runs("upload") {
			if err := uploadPhase(ctx, o, api, team, s3, r); err != nil {
				return nil, err
			}
		}
	}
	if o.runs("outline") {
		if err := outlinePhase(ctx, o, api, team, video, r); err != nil {
			return nil, err
		}
	}

	// Issues 4–8 share a course, the database and minted tokens. A phase
	// that fails is reported as failed, and the next one runs.
	if !o.runs("enrolment") && !o.runs("submissions") && !o.runs("report") && !o.runs("soak") {
		return r, nil
	}
	st, err := newStage(ctx, o, api, team, video)
	if err != nil {
		return nil, err
	}
	defer st.close()
	failed := func(phase string, err error) {
		if ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		fmt.Fprintf(os.Stderr, "moocload: %s: %v\n", phase, err)
		r.Failures = append(r.Failures, phaseFailure{Phase: phase, Error: err.Error()})
	}
	if o.runs("enrolment") {
		if r.Enrol, err = st.enrolBurst(ctx); err != nil {
			failed("enrolment", err)
		}
	}
	if o.runs("submissions") {
		var fc *finalCohort
		if r.Submit, fc, err = st.submissions(ctx); err != nil {
			failed("submissions", err)
		}
		if o.runs("certificates") {
			switch {
			case fc == nil && err == nil:
				failed("certificates", errors.New("not every learner passed the final test, so the cohort is not ready for certificates"))
			case fc == nil:
				failed("certificates", errors.New("the submissions, which prepare the cohort, failed"))
			default:
				if r.Certs, err = st.certificatesBulk(ctx, fc); err != nil {
					failed("certificates", err)
				}
			}
		}
	}
	if o.runs("report") {
		if r.Report, err = st.completions(ctx); err != nil {
			failed("report", err)
		}
	}
	if o.runs("soak") {
		if r.Soak, err = st.soak(ctx); err != nil {
			failed("soak", err)
		}
	}
	return r, nil
}

// uploadPhase: reference and platform alternating, -upload-rounds times.
func uploadPhase(ctx context.Context, o options, api *client, team string, s3 *minio.Client, r *report) error {
	if err := s3.MakeBucket(ctx, o.refBucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		return fmt.Errorf("reference bucket: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = s3.RemoveBucketWithOptions(cctx, o.refBucket, minio.RemoveBucketOptions{ForceDelete: true})
	}()
	mib := float64(o.uploadSize) / (1 << 20)
	for round := range o.uploadRounds {
		var u uploadRound
		measureAPI := func() error {
			step(fmt.Sprintf("upload round %d/%d: POST /api/v1/media, %s", round+1, o.uploadRounds, size(o.uploadSize)))
			settleServer(ctx, o.pid)
			cpu0, err := bench.ReadCPU(o.pid)
			if err != nil {
				return err
			}
			watch, err := bench.WatchPeak(o.pid, 5*time.Millisecond)
			if err != nil {
				return err
			}
			uctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			t0 := time.Now()
			m, err := api.upload(uctx, team, "lielais-video.mp4", "video/mp4", bench.NewVideo(o.uploadSize, uint64(round+1)), o.uploadSize)
			took := time.Since(t0)
			cancel()
			peak, perr := watch.Stop()
			cpu1, cerr := bench.ReadCPU(o.pid)
			if err = errors.Join(err, perr, cerr); err != nil {
				return err
			}
			if m.ContentType != "video/mp4" {
				return fmt.Errorf("the generated video was stored as %q, want video/mp4", m.ContentType)
			}
			u.APISeconds, u.APIMiBs = took.Seconds(), mib/took.Seconds()
			u.BaselineRSS, u.PeakRSS, u.Growth, u.RSSSamples = peak.Baseline, peak.Peak, peak.Growth(), peak.Samples
			u.ServerCPUSecond = (cpu1 - cpu0).Seconds()
			fmt.Fprintf(os.Stderr, "    %.1f s, %.0f MiB/s, server RSS %s → %s (+%s), server CPU %.1f s\n",
				took.Seconds(), u.APIMiBs, size(peak.Baseline), size(peak.Peak), size(peak.Growth()), u.ServerCPUSecond)
			r.PeakRSS = max(r.PeakRSS, peak.Peak)
			if o.serverBucket != "" {
				_ = s3.RemoveObject(ctx, o.serverBucket, "media/"+m.ID, minio.RemoveObjectOptions{})
			}
			return nil
		}
		measureRef := func() error {
			step(fmt.Sprintf("upload round %d/%d: reference, minio-go PutObject of the same stream", round+1, o.uploadRounds))
			settle()
			key := fmt.Sprintf("video-%d.mp4", round+1)
			uctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			t0 := time.Now()
			info, err := s3.PutObject(uctx, o.refBucket, key, bench.NewVideo(o.uploadSize, uint64(round+1)), o.uploadSize,
				minio.PutObjectOptions{ContentType: "video/mp4"})
			took := time.Since(t0)
			cancel()
			if err != nil {
				return fmt.Errorf("reference upload: %w", err)
			}
			if info.Size != o.uploadSize {
				return fmt.Errorf("reference upload stored %d bytes, want %d", info.Size, o.uploadSize)
			}
			u.RefSeconds, u.RefMiBs = took.Seconds(), mib/took.Seconds()
			fmt.Fprintf(os.Stderr, "    %.1f s, %.0f MiB/s\n", took.Seconds(), u.RefMiBs)
			_ = s3.RemoveObject(ctx, o.refBucket, key, minio.RemoveObjectOptions{})
			return nil
		}
		order := []func() error{measureRef, measureAPI}
		if round%2 == 1 {
			order = []func() error{measureAPI, measureRef}
		}
		for _, measure := range order {
			if err := measure(); err != nil {
				return err
			}
		}
		r.Upload = append(r.Upload, u)
		r.RSSGrowth = max(r.RSSGrowth, u.Growth)
	}
	// Other work on the machine comes and goes; a round's two figures,
	// taken back to back, see much the same of it. Hence the median of
	// the rounds' ratios rather than a ratio of bests.
	var platform, reference, ratios []float64
	for _, u := range r.Upload {
		platform, reference = append(platform, u.APIMiBs), append(reference, u.RefMiBs)
		ratios = append(ratios, u.APIMiBs/u.RefMiBs)
	}
	r.UploadMiBs, r.RefMiBs, r.UploadRatio = median(platform), median(reference), median(ratios)

	return nil
}

// outlinePhase: the team builds the course, a learner reads it; then the
// course's page; then the reference. A page that cannot be measured is a
// failure of its own; the outline's figures stand.
func outlinePhase(ctx context.Context, o options, api *client, team string, video []byte, r *report) error {
	step("build a published course of 5 weeks and 25 lessons as the team")
	learner, err := api.learner(ctx)
	if err != nil {
		return err
	}
	courseID, err := api.buildCourse(ctx, team, video, 0)
	if err != nil {
		return fmt.Errorf("building the course: %w", err)
	}
	path := "/api/v1/courses/" + courseID
	var outline course
	body, err := api.raw(ctx, "GET", path, learner, nil, 200)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, &outline); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	for _, w := range outline.Weeks {
		r.Lessons += len(w.Lessons)
	}
	if outline.Status != "published" || len(outline.Weeks) != 5 || r.Lessons != 25 {
		return fmt.Errorf("GET %s: status %q, %d weeks, %d lessons; want published, 5 and 25", path, outline.Status, len(outline.Weeks), r.Lessons)
	}
	r.OutlineBytes = len(body)

	if r.Outline, err = readLoad(ctx, o, "course outline, platform", o.url+path, learner, r.OutlineBytes); err != nil {
		return err
	}
	// The same without a token: what the cache costs without the
	// token's check (signature, claims), as a visitor of the catalogue reads.
	if r.AnonOutline, err = readLoad(ctx, o, "course outline, platform, anonymous", o.url+path, "", r.OutlineBytes); err != nil {
		return err
	}
	if o.pagePath != "none" {
		if err := pageLoad(ctx, o, strings.ReplaceAll(o.pagePath, "{id}", courseID), r); err != nil {
			fmt.Fprintf(os.Stderr, "moocload: course page: %v\n", err)
			r.Failures = append(r.Failures, phaseFailure{Phase: "Course page `GET " + o.pagePath + "`", Error: err.Error()})
		}
	}
	ref, err := startReference(ctx, body, o.refInProcess)
	if err != nil {
		return err
	}
	r.RefOutline, err = readLoad(ctx, o, "course outline, bare Fiber reference", "http://"+ref.addr+path, "", r.OutlineBytes)
	if serr := ref.stop(); err == nil && serr != nil && !o.refInProcess {
		fmt.Fprintln(os.Stderr, "moocload: stopping the reference server:", serr)
	}
	return err
}

// pageLoad measures the course's HTML page as an anonymous visitor reads
// it, once it has answered 200 with HTML.
func pageLoad(ctx context.Context, o options, path string, r *report) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.url+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	_ = resp.Body.Close() // read whole; a close error loses nothing
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode != http.StatusOK:
		// The error names no path: the table's scrubbing takes paths
		// for files of this machine. The failure's line names the page.
		return fmt.Errorf("answered %d, not the page (%d bytes of %s)", resp.StatusCode, len(body), ct)
	case !strings.HasPrefix(ct, "text/html"):
		return fmt.Errorf("answered %s, not HTML", ct)
	}
	f, err := readLoad(ctx, o, "course page "+path, o.url+path, "", len(body))
	if err != nil {
		return err
	}
	r.Page = &pageFigures{Bytes: len(body), ContentType: ct, Load: f}
	return nil
}

// readLoad reads url from -concurrency keep-alive clients, a warm-up
// first; each reply must be 200 of about size bytes.
func readLoad(ctx context.Context, o options, name, url, token string, size int) (loadFigures, error) {
	transport := &http.Transport{
		MaxIdleConns: 2 * o.concurrency, MaxIdleConnsPerHost: o.concurrency, MaxConnsPerHost: o.concurrency,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	read := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close() // the reply is read; a close error loses nothing
		switch {
		case err != nil:
			return err
		case resp.StatusCode != http.StatusOK:
			return fmt.Errorf("status %d", resp.StatusCode)
		case n < int64(size)*9/10:
			return fmt.Errorf("reply of %d bytes, want about %d", n, size)
		}
		return nil
	}
	if o.warmup > 0 {
		step(fmt.Sprintf("%s: warm-up, %d clients for %s", name, o.concurrency, o.warmup))
		bench.Load{Concurrency: o.concurrency, Duration: o.warmup, MaxRequests: o.maxRequests}.Run(ctx, read)
	}
	step(fmt.Sprintf("%s: %d clients for %s (at most %d requests)", name, o.concurrency, o.duration, o.maxRequests))
	res := bench.Load{Concurrency: o.concurrency, Duration: o.duration, MaxRequests: o.maxRequests}.Run(ctx, read)
	if ctx.Err() != nil {
		return loadFigures{}, ctx.Err()
	}
	f := figures(res)
	fmt.Fprintf(os.Stderr, "    %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors\n", f.Requests, f.PerSecond, f.P50ms, f.P99ms, f.Errors)
	if res.Errors > 0 && res.Errors*100 > res.Requests {
		return f, fmt.Errorf("%s: %d of %d requests failed, the first with: %v", name, res.Errors, res.Requests, res.FirstErr)
	}
	return f, nil
}

// learner registers a learner (the server runs with no registration
// limit) and logs in.
func (c *client) learner(ctx context.Context) (string, error) {
	email := fmt.Sprintf("liga.ozolina.%d@example.lv", time.Now().UnixNano())
	const password = "bench: correct horse battery staple"
	if err := c.call(ctx, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": email, "password": password, "given_name": "Līga", "family_name": "Ozoliņa",
		"municipality": "Ogres novads", "workplace": "Ogres novada sociālais dienests", "position": "sociālā darbiniece",
	}, 201, nil); err != nil {
		return "", err
	}
	return c.login(ctx, email, password)
}

// median of a non-empty list (the mean of the middle two for an even length).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// settle gives the machine a moment between measurements: writes of the
// previous upload to flush, the server's collector to run.
func settle() { time.Sleep(2 * time.Second) }

// settleServer is settle, and then waits (at most 15 s) until the server's
// resident set has stopped shrinking for 2 s: the Go runtime hands freed
// memory back to the system gradually, and a baseline taken while it does
// so would hide part of the growth that follows.
func settleServer(ctx context.Context, pid int) {
	settle()
	deadline := time.Now().Add(15 * time.Second)
	low, since := int64(-1), time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		m, err := bench.ReadMemory(pid)
		if err != nil {
			return
		}
		if low < 0 || m.RSS < low-(256<<10) {
			low, since = m.RSS, time.Now()
		} else if time.Since(since) >= 2*time.Second {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func step(s string) { fmt.Fprintf(os.Stderr, "==> %s\n", s) }

// size renders bytes in binary units.
func size(b int64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
}
