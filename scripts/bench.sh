#!/usr/bin/env bash
#
# `make bench`: measures the real server binary against real PostgreSQL and
# MinIO (provisioned like `make test`, see scripts/testenv.sh) and writes
# BENCHMARKS.md.
#
#   1. builds cmd/mooc (CGO_ENABLED=0) and the load tool bench/cmd/moocload;
#   2. creates a database of its own on the test cluster and starts the
#      server on a free loopback port with a bucket of its own, a random
#      token secret, a team account, 3 GiB uploads and no registration limit;
#   3. runs the load tool: a 2 GiB upload beside minio-go PutObject, and
#      course outline reads beside a bare Fiber handler (see bench/);
#   4. stops the server, runs the Go micro-benchmarks (go test -bench) and
#      prints and writes the table.
#
# Arguments go to `go test` in step 4 (default: every benchmark of every
# package), e.g. scripts/bench.sh -bench Multipart ./bench/
#
#   MOOC_BENCH_FLAGS="-upload-rounds 1 -duration 10s"   extra flags of moocload
#   MOOC_BENCH_STRICT=1     fail when a target is missed (default: report only)
#   MOOC_BENCH_NO_GOBENCH=1 leave out step 4's go test -bench
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh

started=$SECONDS
bench_log() { printf 'bench: %s\n' "$*" >&2; }
load_before=$(cut -d ' ' -f 1 /proc/loadavg)

testenv_provision

work=$(mktemp -d "${TMPDIR:-/tmp}/mooc-bench.XXXXXX") || testenv_die "could not create a temporary directory"
bench_db=""
server_pid=""

_bench_psql() {
	_testenv_psql "$MOOC_TEST_DATABASE_URL" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
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
testenv_add_cleanup _bench_cleanup

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
bench_db="mooc_bench_$(_testenv_random_hex 6)"
_bench_psql -c "CREATE DATABASE $bench_db" >/dev/null || testenv_die "could not create the database $bench_db"
database_url=$(_bench_database_url "$MOOC_TEST_DATABASE_URL" "$bench_db")
bucket="mooc-bench-$(_testenv_random_hex 6)"
team_email="projekta.komanda@example.lv"
team_password=$(_testenv_random_hex 16)

_testenv_free_port
port=$_testenv_port
base_url="http://127.0.0.1:$port"
mkdir "$work/data"

bench_log "starting the server on 127.0.0.1:$port (database $bench_db, bucket $bucket)"
env MOOC_ADDR="127.0.0.1:$port" \
	MOOC_PUBLIC_URL="$base_url" \
	MOOC_DATA_DIR="$work/data" \
	MOOC_DATABASE_URL="$database_url" \
	MOOC_TOKEN_SECRET="$(_testenv_random_hex 32)" \
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
deadline=$((SECONDS + MOOC_TESTENV_START_TIMEOUT))
until _bench_ready; do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		_testenv_tail_log "$work/server.log"
		testenv_die "the server exited during start-up"
	fi
	if ((SECONDS >= deadline)); then
		_testenv_tail_log "$work/server.log"
		testenv_die "the server is not ready on $base_url/readyz after ${MOOC_TESTENV_START_TIMEOUT}s"
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
	"$work/moocload" -url "$base_url" -pid "$server_pid" -fixture api/testdata/lesson.mp4 \
	-server-bucket "$bucket" -markdown "$work/table.md" -json "$work/results.json" \
	"${strict[@]}" "${extra[@]}" >/dev/null || load_status=$?

server_status=0
_bench_stop_server || server_status=$?
if ((load_status != 0 && load_status != 3)); then
	_testenv_tail_log "$work/server.log"
	testenv_die "the load tool failed (exit $load_status)"
fi
if ((server_status != 0)); then
	_testenv_tail_log "$work/server.log"
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

# --- BENCHMARKS.md -------------------------------------------------------------------------
load_after=$(cut -d ' ' -f 1 /proc/loadavg)
cores=$(nproc)
memory=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
pg_version=$(_bench_psql -c 'SHOW server_version' | awk '{ print $1 }')
if [[ -n "$_testenv_minio_pid" ]]; then
	minio="MinIO ${MOOC_MINIO_VERSION} (single drive, throwaway)"
else
	minio="MinIO (given through MOOC_TEST_S3_ENDPOINT)"
fi

{
	cat <<EOF
# Benchmarks

\`make bench\` (scripts/bench.sh) measures the targets of issue 3 on the real server binary and
rewrites this file. It provisions PostgreSQL and MinIO like \`make test\`, builds \`cmd/mooc\`,
creates a database and a bucket of its own, starts the server on a free loopback port and runs
the load tool \`bench/cmd/moocload\` against it, then the Go micro-benchmarks. It takes about
three minutes on 2 cores (once MinIO is built; \`make test\` builds it too).
\`MOOC_BENCH_FLAGS\` passes flags to the load tool (\`-upload-rounds\`, \`-duration\`,
\`-concurrency\`, …; see \`go run ./bench/cmd/moocload -h\`), \`MOOC_BENCH_STRICT=1\` makes a
missed target fail the run, and arguments go to \`go test\`
(\`make bench ARGS='-bench Multipart ./bench/'\`).

What is measured, each beside a reference measured in the same run on the same machine:

1. **Upload**: \`POST /api/v1/media\` of a generated 2 GiB MP4 (a real MP4 head, then generated
   bytes), streamed from a generating reader through a multipart writer and an \`io.Pipe\` with a
   Content-Length. The server process's resident set (VmRSS sampled every 5 ms, and VmHWM) is
   read before and during the upload. Reference: minio-go \`PutObject\` of the same stream, size
   known, from the load tool into the same MinIO (minio-go's default for a plain reader: one
   16 MiB part at a time; a server that reads the next part while sending one can beat it). Three rounds, each measuring both back to back
   (in alternating order); the throughput ratio is the median of the rounds' ratios, the memory
   growth the highest of the rounds. Targets: RSS growth ≤ 64 MiB; throughput ≥ 80 % of the
   reference. The growth is the peak minus the RSS just before the upload. The Go runtime first
   reuses heap it already holds (a login's argon2id hash leaves 19 MiB that only the next
   collection frees), so the table also gives the peak above the idle server as it started.
2. **Course outline**: the team builds over HTTP a published course of 5 weeks and 25 lessons
   (720 minutes; the videos are a small real MP4), then 64 keep-alive clients read
   \`GET /api/v1/courses/{id}\` as a signed-in learner: 3 s of warm-up, then 20 s measured.
   Reference: a bare Fiber handler answering the same JSON bytes, in a process of its own on
   another loopback port, at the same concurrency. It touches no database, whereas every outline
   read queries PostgreSQL on the same cores. No target is set yet; the figures are reported.

## Last run

Machine: ${cores} cores (${cpu}), ${memory} GiB RAM, Linux; Go $(go env GOVERSION | sed 's/^go//');
PostgreSQL ${pg_version}; ${minio}.
The load tool, the server, PostgreSQL and MinIO all share these cores, and the machine is shared
with other work (1-minute load average ${load_before} before the run; ${load_after} at its end, the
run's own load included): figures are noisy, 10–20 % from run to run and more while other work
runs, the latencies most. Compare a figure with its reference from the same run, not across runs.

EOF
	cat "$work/table.md"
	if [[ -s "$work/gobench.txt" ]] && grep -q '^Benchmark' "$work/gobench.txt"; then
		printf '\n### Micro-benchmarks (`go test -bench`)\n\n```\n'
		grep -E '^(Benchmark|goos|goarch|pkg|cpu)' "$work/gobench.txt"
		printf '```\n'
	fi
	cat <<'EOF'

## Not measured yet

The targets of issues 4–7 are not measured here yet; their benchmarks belong in `bench/` and in
this table when those issues land.
EOF
} >BENCHMARKS.md

echo
cat "$work/table.md"
echo
bench_log "wrote BENCHMARKS.md in $((SECONDS - started)) s"
if ((load_status == 3)); then
	testenv_die "a target was missed (MOOC_BENCH_STRICT=1)"
fi
if ((gobench_status != 0)); then
	testenv_die "go test -bench failed (exit $gobench_status)"
fi
if ((server_status != 0)); then
	testenv_die "the server did not shut down cleanly (exit $server_status)"
fi
