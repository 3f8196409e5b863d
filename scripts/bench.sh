#!/usr/bin/env bash
#
# `make bench`: measures the real server binary against real PostgreSQL and
# MinIO (provisioned like `make test`, by the Go provisioner
# internal/testenv/cmd/testenv, which this script runs itself under) and
# writes BENCHMARKS.md.
#
#   1. builds cmd/mooc (CGO_ENABLED=0) and the load tool bench/cmd/moocload;
#   2. creates a database of its own on the test cluster and starts the
#      server on a free loopback port with a bucket of its own, a random
#      token secret, a team account, 3 GiB uploads and no registration limit;
#   3. runs the load tool (see bench/cmd/moocload): a 2 GiB upload beside
#      minio-go PutObject; course outline reads and the course page beside a
#      bare Fiber handler (issues 3 and 16); an enrolment burst beside pgbench (issue 4); final test
#      submissions beside a bare Fiber handler (issue 5); a bulk certificate
#      issue, sealed, beside certificates.Render alone and with the seal
#      (issues 6 and 19); the completions report
#      beside its bare SQL (issue 7); a soak of mixed traffic (issue 8);
#   4. stops the server, runs the Go micro-benchmarks (go test -bench);
#   5. runs every fuzz target for 60 s (scripts/fuzz.sh);
#   6. prints and writes the table.
#
# Arguments go to `go test` in step 4 (default: every benchmark of every
# package), e.g. scripts/bench.sh -bench Multipart ./bench/
#
#   MOOC_BENCH_SOAK=30m     length of the soak (default 60s; 0 or off: none)
#   MOOC_BENCH_FLAGS="-upload-rounds 1 -duration 10s"   extra flags of moocload
#                           (-phases enrolment,report runs only those phases)
#   MOOC_BENCH_STRICT=1     fail when a target is missed (default: report only)
#   MOOC_BENCH_NO_GOBENCH=1 leave out step 4's go test -bench
#   MOOC_BENCH_NO_FUZZ=1    leave out step 5's fuzzing
#   MOOC_BENCH_FUZZTIME=60s how long each fuzz target runs
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MOOC_TESTENV:-}" || -z "${MOOC_TEST_PGBENCH:-}" ]]; then
	MOOC_BENCH_STARTED=$EPOCHSECONDS
	MOOC_BENCH_LOAD_BEFORE=$(cut -d ' ' -f 1 /proc/loadavg)
	export MOOC_BENCH_STARTED MOOC_BENCH_LOAD_BEFORE
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -pgbench -- bash scripts/bench.sh "$@"
fi

started=${MOOC_BENCH_STARTED:-$EPOCHSECONDS}
bench_log() { printf 'bench: %s\n' "$*" >&2; }
bench_die() {
	printf 'bench: ERROR: %s\n' "$*" >&2
	exit 1
}
load_before=${MOOC_BENCH_LOAD_BEFORE:-$(cut -d ' ' -f 1 /proc/loadavg)}
# Seconds to wait for the server to answer.
start_timeout=60

[[ -n "${MOOC_TEST_PSQL:-}" ]] || bench_die "psql is missing (the Debian package postgresql-client ships it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mooc-bench.XXXXXX") || bench_die "could not create a temporary directory"
bench_db=""
server_pid=""

_bench_psql() {
	"$MOOC_TEST_PSQL" "$MOOC_TEST_DATABASE_URL" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# A random lowercase hex string of 2*$1 characters.
_bench_random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# A loopback port nothing listens on: below Linux's ephemeral range
# (32768+), above the usual service ports.
_bench_free_port() {
	local port tries
	for ((tries = 0; tries < 200; tries++)); do
		port=$((15000 + RANDOM % 17000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	bench_die "found no free TCP port on 127.0.0.1"
}

_bench_tail_log() {
	[[ -s "$1" ]] || return 0
	printf -- '----- last lines of %s -----\n' "${1##*/}" >&2
	tail -n 40 "$1" >&2
	printf -- '-----\n' >&2
}

_bench_stop_server() {
	[[ -n "$server_pid" ]] || return 0
	local pid=$server_pid i status=0
	server_pid=""
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 400; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		bench_log "the server did not stop within 40 s of SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || status=$?
	return "$status"
}

_bench_cleanup() {
	_bench_stop_server
	if [[ -n "$bench_db" ]]; then
		_bench_psql -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 ||
			_bench_psql -c "DROP DATABASE IF EXISTS $bench_db" >/dev/null 2>&1
		bench_db=""
	fi
	rm -rf -- "$work"
}
trap _bench_cleanup EXIT
# Ctrl-C and kill become a normal exit, so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# $1 with its database name replaced by $2 (query string kept).
_bench_database_url() {
	local url=$1 name=$2 base query scheme rest
	base=${url%%\?*}
	query=${url:${#base}}
	scheme=${base%%://*}
	rest=${base#*://}
	printf '%s://%s/%s%s' "$scheme" "${rest%%/*}" "$name" "$query"
}

# --- 1. build -----------------------------------------------------------------
bench_log "building cmd/mooc and bench/cmd/moocload"
CGO_ENABLED=0 go build -o "$work/mooc" ./cmd/mooc
CGO_ENABLED=0 go build -o "$work/moocload" ./bench/cmd/moocload

# --- 2. database, bucket, server -----------------------------------------------------
# The soak's length, a Go duration.
soak=${MOOC_BENCH_SOAK:-60s}
[[ "$soak" != off ]] || soak=0
[[ "$soak" =~ ^([0-9]+(ms|s|m|h))+$|^0$ ]] ||
	bench_die "MOOC_BENCH_SOAK=$soak is not a duration such as 60s or 30m (or 0/off for no soak)"
fuzztime=${MOOC_BENCH_FUZZTIME:-60s}
[[ "$fuzztime" =~ ^([0-9]+(ms|s|m|h))+$|^[0-9]+x$ ]] ||
	bench_die "MOOC_BENCH_FUZZTIME=$fuzztime is not a duration such as 60s"

# pgbench, the enrolment burst's reference: Debian ships it with the server
# package of PostgreSQL, which the provisioner installs when it is missing.
pgbench=$MOOC_TEST_PGBENCH

bench_db="mooc_bench_$(_bench_random_hex 6)"
_bench_psql -c "CREATE DATABASE $bench_db" >/dev/null || bench_die "could not create the database $bench_db"
database_url=$(_bench_database_url "$MOOC_TEST_DATABASE_URL" "$bench_db")
bucket="mooc-bench-$(_bench_random_hex 6)"
team_email="projekta.komanda@example.lv"
team_password=$(_bench_random_hex 16)
# The load tool mints learners' tokens with the server's secret.
token_secret=$(_bench_random_hex 32)
metrics_token=$(_bench_random_hex 32)

port=$(_bench_free_port)
base_url="http://127.0.0.1:$port"
mkdir "$work/data"

bench_log "starting the server on 127.0.0.1:$port (database $bench_db, bucket $bucket)"
env MOOC_ADDR="127.0.0.1:$port" \
	MOOC_PUBLIC_URL="$base_url" \
	MOOC_DATA_DIR="$work/data" \
	MOOC_DATABASE_URL="$database_url" \
	MOOC_TOKEN_SECRET="$token_secret" MOOC_METRICS_TOKEN="$metrics_token" \
	MOOC_S3_ENDPOINT="$MOOC_TEST_S3_ENDPOINT" \
	MOOC_S3_ACCESS_KEY="$MOOC_TEST_S3_ACCESS_KEY" \
	MOOC_S3_SECRET_KEY="$MOOC_TEST_S3_SECRET_KEY" \
	MOOC_S3_BUCKET="$bucket" \
	MOOC_S3_SECURE=false \
	MOOC_S3_PUBLIC_URL="http://$MOOC_TEST_S3_ENDPOINT" \
	MOOC_MAX_UPLOAD_BYTES=$((3 << 30)) \
	MOOC_REGISTER_LIMIT=0 \
	MOOC_BOOTSTRAP_EMAIL="$team_email" \
	MOOC_BOOTSTRAP_PASSWORD="$team_password" \
	"$work/mooc" serve </dev/null >"$work/server.log" 2>&1 &
server_pid=$!

_bench_ready() {
	kill -0 "$server_pid" 2>/dev/null || return 2
	curl -fsS -o /dev/null --max-time 2 "$base_url/readyz" 2>/dev/null
}
deadline=$((SECONDS + start_timeout))
until _bench_ready; do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		_bench_tail_log "$work/server.log"
		bench_die "the server exited during start-up"
	fi
	if ((SECONDS >= deadline)); then
		_bench_tail_log "$work/server.log"
		bench_die "the server is not ready on $base_url/readyz after ${start_timeout}s"
	fi
	sleep 0.2
done

# --- 3. load --------------------------------------------------------------------------
# shellcheck disable=SC2206 # word splitting of the extra flags is wanted
extra=(${MOOC_BENCH_FLAGS:-})
strict=()
[[ "${MOOC_BENCH_STRICT:-}" != 1 ]] || strict=(-strict)
load_status=0
MOOC_BENCH_EMAIL=$team_email MOOC_BENCH_PASSWORD=$team_password \
	MOOC_BENCH_DATABASE_URL=$database_url MOOC_BENCH_TOKEN_SECRET=$token_secret MOOC_BENCH_METRICS_TOKEN=$metrics_token \
	"$work/moocload" -url "$base_url" -pid "$server_pid" -fixture api/testdata/lesson.mp4 \
	-server-bucket "$bucket" -markdown "$work/table.md" -json "$work/results.json" \
	-pgbench "${pgbench:-none}" -soak "$soak" \
	"${strict[@]}" "${extra[@]}" >/dev/null || load_status=$?

server_status=0
_bench_stop_server || server_status=$?
if ((load_status != 0 && load_status != 3)); then
	_bench_tail_log "$work/server.log"
	bench_die "the load tool failed (exit $load_status)"
fi
if ((server_status != 0)); then
	_bench_tail_log "$work/server.log"
	bench_log "the server exited with status $server_status on SIGTERM"
fi

# --- 4. go test -bench ----------------------------------------------------------------
gobench_status=0
: >"$work/gobench.txt"
if [[ "${MOOC_BENCH_NO_GOBENCH:-}" != 1 ]]; then
	args=("$@")
	((${#args[@]} > 0)) || args=(-bench . ./...)
	bench_log "go test -run '^\$' -benchmem ${args[*]}"
	go test -run '^$' -benchmem "${args[@]}" 2>&1 | tee "$work/gobench.txt" >&2 || gobench_status=${PIPESTATUS[0]}
fi

# --- 5. fuzzing ---------------------------------------------------------------------------
# scripts/fuzz.sh reuses the PostgreSQL and MinIO of this run (exported by
# the provisioner). Its log becomes a table: target, result, executions,
# new interesting inputs.
fuzz_status=0
: >"$work/fuzz.txt"
: >"$work/fuzz.md"
if [[ "${MOOC_BENCH_NO_FUZZ:-}" != 1 ]]; then
	bench_log "fuzzing every target for $fuzztime (scripts/fuzz.sh)"
	FUZZTIME=$fuzztime bash scripts/fuzz.sh 2>&1 | tee "$work/fuzz.txt" >&2 || fuzz_status=${PIPESTATUS[0]}
	awk -v fuzztime="$fuzztime" '
		function emit() {
			if (name == "") return
			rows = rows sprintf("| `%s` (%s) | %s | %s | %s |\n", name, pkg, result, execs, interesting)
			n++; if (result == "**pass**") passed++
		}
		function th(x, s, out) {
			s = x ""; out = ""
			while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
			return s out
		}
		/^==> [^ ]+ Fuzz[^ ]* \(fuzztime/ { emit(); pkg = $2; name = $3; result = "**FAIL**"; execs = "—"; interesting = "—"; next }
		/^fuzz: elapsed: .*execs: / {
			line = $0; sub(/.*execs: /, "", line); split(line, a, " "); execs = th(a[1])
			if (match($0, /new interesting: [0-9]+ \(total: [0-9]+/)) {
				interesting = substr($0, RSTART + 17, RLENGTH - 17); sub(/ \(total: /, " (corpus ", interesting); interesting = interesting ")"
			}
			next
		}
		/^ok[ \t]/ && name != "" { result = "**pass**" }
		/^(--- )?FAIL/ && name != "" { result = "**FAIL**" }
		END {
			emit()
			if (n == 0) { print "No fuzz targets ran."; exit }
			printf "%d of %d fuzz targets passed, %s each (\"—\": still measuring its seed corpus'"'"'s coverage when the time was up).\n\n", passed, n, fuzztime
			print "| target (package) | result | executions | new interesting inputs |"
			print "|---|---|---|---|"
			printf "%s", rows
		}' "$work/fuzz.txt" >"$work/fuzz.md"
fi

# --- BENCHMARKS.md -------------------------------------------------------------------------
load_after=$(cut -d ' ' -f 1 /proc/loadavg)
cores=$(nproc)
run_minutes=$(((EPOCHSECONDS - started + 30) / 60))
memory=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
pg_version=$(_bench_psql -c 'SHOW server_version' | awk '{ print $1 }')
minio=${MOOC_TEST_MINIO:-MinIO}

{
	cat <<EOF
# Benchmarks

\`make bench\` (scripts/bench.sh) measures the targets of issues 3–8 on the real server binary and
rewrites this file. It provisions PostgreSQL and MinIO like \`make test\`, builds \`cmd/mooc\`,
creates a database and a bucket of its own, starts the server on a free loopback port and runs
the load tool \`bench/cmd/moocload\` against it; then the Go micro-benchmarks, then every fuzz
target for 60 s. On 2 cores it takes about 12 minutes: 3–4 for the load tool (one of them the
soak), 1 for the micro-benchmarks, 7–8 for the fuzzing (once MinIO is built; \`make test\` builds
it too); with \`MOOC_BENCH_SOAK=30m\`, about 41.

- \`MOOC_BENCH_SOAK=30m make bench\` runs the 30-minute soak of issue 8 instead of the default
  60 s (\`MOOC_BENCH_SOAK=0\`: no soak); the load tool's time bound grows with it.
- \`MOOC_BENCH_NO_FUZZ=1\` leaves out the fuzzing, \`MOOC_BENCH_FUZZTIME=5s\` shortens it;
  \`MOOC_BENCH_NO_GOBENCH=1\` leaves out the micro-benchmarks.
- \`MOOC_BENCH_FLAGS\` passes flags to the load tool: \`-phases enrolment,report\` runs only those
  phases (upload, outline, enrolment, submissions, certificates, report, soak), and
  \`-upload-rounds\`, \`-duration\`, \`-burst-learners\`, \`-soak-clients\`, … (see
  \`go run ./bench/cmd/moocload -h\`).
- \`MOOC_BENCH_STRICT=1\` makes a missed target fail the run; arguments go to \`go test\`
  (\`make bench ARGS='-bench Multipart ./bench/'\`).

What is measured, each beside a reference measured in the same run on the same machine:

1. **Upload** (issue 3): \`POST /api/v1/media\` of a generated 2 GiB MP4 (a real MP4 head, then
   generated bytes), streamed from a generating reader through a multipart writer and an
   \`io.Pipe\` with a Content-Length. The server process's resident set (VmRSS sampled every 5 ms,
   and VmHWM) is read before and during the upload. Reference: minio-go \`PutObject\` of the same
   stream, size known, from the load tool into the same MinIO (minio-go's default for a plain
   reader: one 16 MiB part at a time; a server that reads the next part while sending one can beat
   it). Three rounds, each measuring both back to back (in alternating order); the throughput
   ratio is the median of the rounds' ratios, the memory growth the highest of the rounds.
   Targets: RSS growth ≤ 64 MiB; throughput ≥ 80 % of the reference. The growth is the peak minus
   the RSS just before the upload. The Go runtime first reuses heap it already holds (a login's
   argon2id hash leaves 19 MiB that only the next collection frees), so the table also gives the
   peak above the idle server as it started.
2. **Course outline** (issue 3): the team builds over HTTP a published course of 5 weeks and 25
   lessons (720 minutes; the videos are a small real MP4), then 64 keep-alive clients read
   \`GET /api/v1/courses/{id}\` as a signed-in learner: 3 s of warm-up, then 20 s measured.
   Reference: a bare Fiber handler answering the same JSON bytes, in a process of its own on
   another loopback port, at the same concurrency. It touches no database; the platform serves a
   published outline from the catalogue's cache (\`catalogue/outline_cache.go\`: read again at
   most once a second, at once after a change on the same replica), so what it adds is its
   middleware (request id, log line, metrics, security headers, the token's check) and the ETag.
   Target (issue 16): ≥ 50 % of the reference's throughput. The same reads without a token follow
   on a line of their own (a visitor of the catalogue; no token to check). Then the course's HTML page
   (\`-page-path\`, default \`/courses/{id}\`) the same way, as an anonymous visitor, on a line of
   its own beside the same reference; a page that does not answer 200 with HTML is a failure
   line (\`-page-path none\` leaves it out, and the table says so).

The benchmarks of issues 4–8 share a second course that the team builds over HTTP: the same 25
lessons, a bank of 20 questions and a final test that draws all 20 (30 minutes, pass at 70 %).
Their learners are **written with SQL** into the bench database (\`users\` and \`user_roles\` rows
as registration writes them, all sharing one real argon2id hash), and the load tool **mints their
access tokens** itself: HS256 JWTs with \`iss: "mooc"\`, \`sub\`, \`iat\`, \`exp\` and
\`roles: ["learner"]\`, as sign-in issues them to a learner, signed with the server's
\`MOOC_TOKEN_SECRET\`, which scripts/bench.sh generates for the run and hands to both. That is a benchmark's shortcut around thousands of argon2id logins (20–40 ms of CPU each), not
something a client could do. The cohorts the tool opens over HTTP are marked announced with SQL
at once, or the announcer would queue an e-mail to every learner in the database in the middle of
a measurement. A **burst** opens one connection per request first, then releases every request at
the same instant; a request's latency runs from the release to the last byte of its reply.

3. **Enrolment burst** (issue 4): 2,000 learners \`POST /api/v1/cohorts/{id}/enrolments\` in one
   burst into one cohort of 200 seats whose window is open. Afterwards \`GET /api/v1/cohorts/{id}\`
   must say 200 enrolled and 1,800 waitlisted, and the team's list of the cohort's enrolments must
   hold the waitlist positions 1..1,800 exactly. Reference: \`pgbench\` with as many clients as
   the server's database pool holds connections (\`MOOC_DATABASE_POOL_SIZE\`, 8 by default),
   prepared statements, 2,000 transactions of a script that holds, statement for statement, what
   the server issues for one enrolment by a learner (whose token needs no look-up): the
   statements \`courses.EnrolmentStatements\` returns (the script is built from them), the cohort
   with its course's title and the one statement that claims a seat or joins the waitlist, ranks
   the learner and queues the e-mail; before them a table-less \`SELECT\` sets the ids and the
   time the server computes in Go. It enrols the same 2,000 learners into a copy of the course and
   of the (empty) cohort, written with SQL into the same database just after the burst. Targets:
   p99 ≤ 1 s without errors (the whole burst answered within a second); throughput (2,000 over
   the time to the last reply) ≥ 50 % of pgbench's transactions per second (without its
   connection time); the exact outcome above.
4. **Final test submissions** (issue 5): 200 learners enrol over HTTP into a cohort that started
   30 days ago (its fifth week, and with it the final test, has begun) and start the final test
   over HTTP (20 questions each); then all 200 \`POST /api/v1/attempts/{id}/submit\` with the right
   answers go in one burst. Reference: a bare Fiber handler in a process of its own answering the
   same reply bytes to the same 200 requests, in a burst too. Target: p99 ≤ 100 ms, no errors.
5. **Certificates** (issue 6): the same 200 learners, who passed the final test over HTTP, get
   their 25 lessons marked completed with SQL (5,000 \`lesson_progress\` rows, as
   \`PUT …/progress\` writes them); then the team starts the bulk issue
   (\`POST /api/v1/cohorts/{id}/certificates\`) and polls \`GET /api/v1/certificate-jobs/{id}\` every
   50 ms until it is done. The rate is the certificates issued over the time from the POST to the
   poll that saw the job done; every certificate is sealed (issue 19: a PAdES signature by the
   server's seal, here one it generated into its data directory). Reference: \`certificates.Render\`
   of the same 200 pages in the load tool, with as many workers as the job (2 × GOMAXPROCS), right
   after the job, alone and then each page signed with a seal of the tool's (\`Seal.Sign\`); the
   ratio is the platform's wall time per certificate over Render's alone. Target: ≥ 100 sealed
   certificates/s.
6. **Completions report** (issue 7): a history written with COPY in one transaction: 10,000
   learners, 50 cohorts of 200 that ended over the past year, their 10,000 enrolments, a quarter
   of them completed (every lesson, a passed final attempt) and the rest part-way (some with a
   failed attempt), 2,000 certificates, and 10 in-person programmes with 200 accepted
   participants; then ANALYZE, as autovacuum would soon do. Then 20 sequential
   \`GET /api/v1/reports/completions\` for the past two years as the team (after 2 to warm up),
   each followed by the report's three queries run bare over pgx (copied from reports/report.go; a
   unit test keeps the copy in step, and the run checks that both give the same totals). Target:
   p99 < 500 ms.
7. **Soak** (issue 8): 32 learners each go round a learner's life, again and again, in a cohort in
   its last week that has 24 seats: enrol (a waitlisted one looks again a second later and
   withdraws unless promoted meanwhile), read the outline, fetch the playback link of each media
   lesson and report progress on every lesson, start and submit the final test, get the
   certificate, withdraw (which promotes the head of the waitlist); a 20 ms pause before each
   request. Every 30 s the server's RSS, its Go heap in use and goroutines (from \`/metrics\`), and
   the window's p50 and p99 are sampled. Targets: no errors; the second half's highest RSS within
   20 % (+16 MiB) of the first half's; the second half's median p99 within twice the first half's.
   Run \`MOOC_BENCH_SOAK=30m make bench\` for the 30-minute soak (60 samples).
8. **Fuzzing**: every fuzz target (\`scripts/fuzz.sh\`) for 60 s each, against the run's PostgreSQL
   and MinIO, after the server has stopped.

## Last run

Machine: ${cores} cores (${cpu}), ${memory} GiB RAM, Linux; Go $(go env GOVERSION | sed 's/^go//');
PostgreSQL ${pg_version}; ${minio}. The whole run took ${run_minutes} minutes.
The load tool, the server, PostgreSQL and MinIO all share these cores, and the machine is shared
with other work (1-minute load average ${load_before} before the run; ${load_after} at its end, the
run's own load included; each phase's details below give the load average at its start): figures
are noisy, 10–20 % from run to run and more while other work runs, the latencies most. Compare a
figure with its reference from the same run, not across runs.

EOF
	cat "$work/table.md"
	if [[ -s "$work/gobench.txt" ]] && grep -q '^Benchmark' "$work/gobench.txt"; then
		printf '\n### Micro-benchmarks (`go test -bench`)\n\n```\n'
		grep -E '^(Benchmark|goos|goarch|pkg|cpu)' "$work/gobench.txt"
		printf '```\n'
	fi
	if [[ -s "$work/fuzz.md" ]]; then
		printf '\n### Fuzzing (`scripts/fuzz.sh`)\n\n'
		cat "$work/fuzz.md"
	fi
	cat <<'EOF'

## Where the time goes

What the figures, CPU profiles and pgbench experiments showed (the figures above are the last
run's):

- **Enrolment burst.** An enrolment was nine statements, eleven when waitlisted, and the seat
  claim held the cohort row's lock from its `UPDATE` to the commit three statements later. It is
  now three: the caller's roles, the cohort with its course's title, and one statement
  (`courses.EnrolmentStatements`) that claims a seat or joins the waitlist, ranks the learner and
  queues the e-mail, committing at once; a waitlisted learner's statement finds no free seat and
  never waits for the row. That took the burst from 4.2 s to 1.5 s. The rest came from the pool:
  on 2 cores, pgbench with these statements ran about 2,300 enrolments a second over 40
  connections and 3,400–4,100 over 4–8, because 40 busy backends spend the cores on contention;
  the pool now holds 8 (`MOOC_DATABASE_POOL_SIZE`). What remains is mostly PostgreSQL's: the
  waitlist rank counts the waitlist (all of it, for a newcomer), and in a burst its rows are too
  new for an index-only count, so every count visits the rows; pgbench without the count runs
  about a third faster. A counter instead would make every newcomer wait for the one before.
- **Final test submissions.** A submission was nine round trips in a transaction (the attempt,
  the test, its questions, the questions, their options, the claim, the answers, BEGIN and
  COMMIT) plus the caller's roles. It is now two statements on PostgreSQL: one joined read of
  everything grading needs, outside any transaction (it is all fixed when the attempt starts),
  and one statement that claims the attempt and writes its 20 answers, so the loser of two
  concurrent submissions writes nothing; a learner's token needs no look-up. Without HTTP, 200
  at once take about 60 ms (p99 260 ms before); sequentially the read takes 0.2 ms and the write
  0.36 ms, most of it PostgreSQL's CPU (the write makes 20 new row versions and their index
  entries), and the server spends about 0.35 ms of CPU on each request besides. On 2 cores
  shared by PostgreSQL, the server and the load tool, the burst ends at about 100 ms; what is
  left to cut is CPU on both sides, not round trips.
- **Certificates.** gofpdf parsed and cut both Go TrueType fonts for every document (about 45 %
  of a page's 8–13 ms, and 13 MB of garbage). Pages whose text fits Windows-1257, which has every
  Latvian letter, now use font definitions generated once (`certificates/internal/fontgen`)
  and embedded as they are: a page takes about 0.8 ms; text outside that code page (a name in
  Cyrillic) still takes the UTF-8 fonts. The job reads the holders in one query, renders and
  stores on 4 workers per core and records the ready certificates, their notices and its
  progress in one transaction per batch.
- **Completions report.** Nearly all of the time is PostgreSQL's, in the first query (it
  aggregates every `lesson_progress` row of all time before joining); the bare SQL takes within
  a few per cent of the HTTP request.
EOF
} >BENCHMARKS.md

echo
cat "$work/table.md"
echo
bench_log "wrote BENCHMARKS.md in $((EPOCHSECONDS - started)) s"
if ((load_status == 3)); then
	bench_die "a target was missed (MOOC_BENCH_STRICT=1)"
fi
if ((gobench_status != 0)); then
	bench_die "go test -bench failed (exit $gobench_status)"
fi
if ((server_status != 0)); then
	bench_die "the server did not shut down cleanly (exit $server_status)"
fi
if ((fuzz_status != 0)); then
	bench_die "a fuzz target failed (exit $fuzz_status); see BENCHMARKS.md and the log above"
fi
