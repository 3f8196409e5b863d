# shellcheck shell=bash
#
# Test environment for `make test`, `make fuzz` and `make bench`.
#
# Source this file, then call `testenv_provision`. Afterwards these are
# exported and answer:
#
#   MOOC_TEST_DATABASE_URL   postgres://... of a reachable PostgreSQL
#   MOOC_TEST_S3_ENDPOINT    host:port of a reachable MinIO
#   MOOC_TEST_S3_ACCESS_KEY
#   MOOC_TEST_S3_SECRET_KEY
#
# A variable that is already set is checked and reused as it is; a server
# that does not answer is an error, never a skip. Otherwise a throwaway
# PostgreSQL cluster and a throwaway MinIO are started on free loopback
# ports and removed again when the calling script exits (one EXIT trap).
#
# Debian packages that are missing (PostgreSQL, poppler-utils, curl, a C
# compiler for -race) are installed with apt-get, through sudo when not
# root. The MinIO server is built once from source with `go install` and
# cached under ${XDG_CACHE_HOME:-$HOME/.cache}/mooc/minio/.

if [[ -n "${_MOOC_TESTENV_LOADED:-}" ]]; then
	return 0
fi
_MOOC_TESTENV_LOADED=1

# MinIO server version the suite is tested against (a Go module version).
MOOC_MINIO_MODULE="github.com/minio/minio"
MOOC_MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MOOC_MINIO_COMMIT="${MOOC_MINIO_VERSION##*-}"

# Seconds to wait for a server to answer.
: "${MOOC_TESTENV_START_TIMEOUT:=60}"

_testenv_cleanups=()
_testenv_ports=()
_testenv_apt_updated=""
_testenv_pg_dir=""
_testenv_pg_bin=""
_testenv_pg_owner=""
_testenv_minio_dir=""
_testenv_minio_pid=""

testenv_log() { printf 'testenv: %s\n' "$*" >&2; }

testenv_die() {
	printf 'testenv: ERROR: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# Cleanup: one EXIT trap runs every registered cleanup (last registered
# first) and keeps the script's exit code. A script that sources this file
# registers its own cleanups with testenv_add_cleanup instead of setting an
# EXIT trap of its own.

_testenv_on_exit() {
	local rc=$? i
	trap - EXIT
	set +e
	for ((i = ${#_testenv_cleanups[@]} - 1; i >= 0; i--)); do
		"${_testenv_cleanups[i]}"
	done
	exit "$rc"
}

testenv_add_cleanup() {
	_testenv_cleanups+=("$1")
	trap _testenv_on_exit EXIT
	# Turn Ctrl-C and kill into a normal exit so the EXIT trap runs.
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# ---------------------------------------------------------------------------
# Helpers

# A random lowercase hex string of 2*$1 characters.
_testenv_random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# True when something accepts connections on 127.0.0.1:$1.
_testenv_port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Set _testenv_port to a loopback port that nothing listens on and that
# this run has not handed out yet. Picks below Linux's ephemeral range
# (32768+) and above the usual service ports. (Not meant for $(...): it
# records the ports it hands out.)
_testenv_port=""
_testenv_free_port() {
	local port tries p
	for ((tries = 0; tries < 200; tries++)); do
		port=$((15000 + RANDOM % 17000))
		for p in "${_testenv_ports[@]}"; do
			if [[ "$p" == "$port" ]]; then
				continue 2
			fi
		done
		if _testenv_port_in_use "$port"; then
			continue
		fi
		_testenv_ports+=("$port")
		_testenv_port=$port
		return 0
	done
	testenv_die "found no free TCP port on 127.0.0.1"
}

# A URL with its password replaced by ***, for messages.
_testenv_redact_url() {
	printf '%s' "$1" | sed -E 's#^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@#\1:***@#'
}

# Poll "$@" every 0.2s until it succeeds or $1 seconds pass.
_testenv_wait_for() {
	local timeout=$1 deadline
	shift
	deadline=$((SECONDS + timeout))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

_testenv_tail_log() {
	local file=$1
	[[ -s "$file" ]] || return 0
	printf -- '----- last lines of %s -----\n' "${file##*/}" >&2
	tail -n 40 "$file" >&2
	printf -- '-----\n' >&2
}

# ---------------------------------------------------------------------------
# Debian packages

# Newest PostgreSQL server binary directory, or nothing.
_testenv_pg_bindir() {
	local d best="" best_ver=-1 ver
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
		ver=${d#/usr/lib/postgresql/}
		ver=${ver%%/*}
		[[ "$ver" =~ ^[0-9]+$ ]] || continue
		if ((ver > best_ver)); then
			best_ver=$ver
			best=$d
		fi
	done
	if [[ -n "$best" ]]; then
		printf '%s\n' "$best"
	fi
}

# Install the Debian packages given as arguments.
testenv_apt_install() {
	(($# > 0)) || return 0
	local -a sudo=()
	if ((EUID != 0)); then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			testenv_die "missing packages: $*. Install them as root:
    apt-get update && apt-get install -y --no-install-recommends $*"
		fi
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		testenv_die "missing: $* (Debian package names) and apt-get is not available; install their equivalents by hand"
	fi
	testenv_log "installing Debian packages: $*"
	if [[ -z "$_testenv_apt_updated" ]]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
			testenv_die "apt-get update failed"
		_testenv_apt_updated=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "$@" ||
		testenv_die "apt-get install $* failed"
}

# Install what the suite needs and is missing.
testenv_install_packages() {
	local -a pkgs=()
	if [[ -n "${MOOC_TEST_DATABASE_URL:-}" ]]; then
		command -v psql >/dev/null 2>&1 || [[ -n "$(_testenv_pg_bindir)" ]] ||
			pkgs+=(postgresql-client)
	elif [[ -z "$(_testenv_pg_bindir)" ]]; then
		pkgs+=(postgresql)
	fi
	command -v pdftotext >/dev/null 2>&1 || pkgs+=(poppler-utils)
	command -v curl >/dev/null 2>&1 || pkgs+=(curl)
	[[ -r /etc/ssl/certs/ca-certificates.crt ]] || pkgs+=(ca-certificates)
	# go test -race needs cgo, so a C compiler.
	command -v "${CC:-gcc}" >/dev/null 2>&1 || pkgs+=(gcc libc6-dev)
	testenv_apt_install "${pkgs[@]}"

	command -v go >/dev/null 2>&1 ||
		testenv_die "go is not on PATH; install the Go toolchain named in go.mod (https://go.dev/dl/)"
}

# ---------------------------------------------------------------------------
# PostgreSQL

_testenv_psql() {
	if [[ -n "$_testenv_pg_bin" && -x "$_testenv_pg_bin/psql" ]]; then
		"$_testenv_pg_bin/psql" "$@"
	else
		psql "$@"
	fi
}

# Run a command as the owner of the throwaway cluster.
_testenv_as_pg() {
	if [[ -n "$_testenv_pg_owner" ]]; then
		runuser -u "$_testenv_pg_owner" -- "$@"
	else
		"$@"
	fi
}

_testenv_pg_ready() {
	"$_testenv_pg_bin/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2
}

_testenv_pg_cleanup() {
	[[ -n "$_testenv_pg_dir" ]] || return 0
	if [[ -f "$_testenv_pg_dir/data/postmaster.pid" ]]; then
		(cd "$_testenv_pg_dir" &&
			_testenv_as_pg "$_testenv_pg_bin/pg_ctl" -D "$_testenv_pg_dir/data" \
				stop -m immediate -w -t 30 >/dev/null 2>&1)
		if [[ -f "$_testenv_pg_dir/data/postmaster.pid" ]]; then
			local pid
			pid=$(head -n 1 "$_testenv_pg_dir/data/postmaster.pid" 2>/dev/null)
			[[ "$pid" =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
		fi
	fi
	rm -rf -- "$_testenv_pg_dir"
	_testenv_pg_dir=""
}

_testenv_check_database_url() {
	local url=$MOOC_TEST_DATABASE_URL shown out
	shown=$(_testenv_redact_url "$url")
	_testenv_pg_bin=$(_testenv_pg_bindir)
	if ! out=$(PGCONNECT_TIMEOUT=5 _testenv_psql "$url" -X -A -t -q -c 'select 1' 2>&1); then
		testenv_die "MOOC_TEST_DATABASE_URL=$shown does not answer:
    ${out//$'\n'/$'\n'    }
Start that server, fix the URL, or unset MOOC_TEST_DATABASE_URL to let the
tests start a throwaway PostgreSQL of their own."
	fi
	testenv_log "PostgreSQL: using MOOC_TEST_DATABASE_URL=$shown"
}

_testenv_start_postgres() {
	local base=${TMPDIR:-/tmp} attempt port
	_testenv_pg_bin=$(_testenv_pg_bindir)
	[[ -n "$_testenv_pg_bin" ]] ||
		testenv_die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install the Debian package postgresql)"

	if ((EUID == 0)); then
		# initdb refuses to run as root: the cluster belongs to postgres.
		_testenv_pg_owner=postgres
		if ! id -u postgres >/dev/null 2>&1; then
			testenv_log "creating system user postgres"
			useradd --system --user-group --home-dir /var/lib/postgresql \
				--no-create-home --shell /usr/sbin/nologin postgres ||
				testenv_die "could not create the system user postgres"
		fi
		# The postgres user must be able to reach the cluster's folder.
		runuser -u postgres -- test -w "$base" 2>/dev/null || base=/tmp
	fi

	_testenv_pg_dir=$(mktemp -d "$base/mooc-test-pg.XXXXXX") ||
		testenv_die "could not create a temporary directory in $base"
	testenv_add_cleanup _testenv_pg_cleanup
	if [[ -n "$_testenv_pg_owner" ]]; then
		chown "$_testenv_pg_owner:" "$_testenv_pg_dir" ||
			testenv_die "could not chown $_testenv_pg_dir to $_testenv_pg_owner"
	fi

	testenv_log "PostgreSQL: initdb with $_testenv_pg_bin"
	# Run from inside the cluster's folder: the postgres user may not be
	# able to read the caller's working directory.
	if ! (cd "$_testenv_pg_dir" && _testenv_as_pg "$_testenv_pg_bin/initdb" \
		-D "$_testenv_pg_dir/data" -A trust -U postgres --no-sync \
		-E UTF8 --locale=C.UTF-8 >"$_testenv_pg_dir/initdb.log" 2>&1); then
		_testenv_tail_log "$_testenv_pg_dir/initdb.log"
		testenv_die "initdb failed"
	fi
	# Settings for a disposable cluster: speed over durability.
	cat >>"$_testenv_pg_dir/data/postgresql.conf" <<EOF

# throwaway test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$_testenv_pg_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 400
shared_buffers = 256MB
EOF

	for attempt in 1 2 3; do
		_testenv_free_port
		port=$_testenv_port
		if (cd "$_testenv_pg_dir" && _testenv_as_pg "$_testenv_pg_bin/pg_ctl" \
			-D "$_testenv_pg_dir/data" -l "$_testenv_pg_dir/postgres.log" \
			-o "-p $port" -w -t "$MOOC_TESTENV_START_TIMEOUT" start >/dev/null 2>&1); then
			break
		fi
		if ((attempt < 3)) && grep -q 'Address already in use' "$_testenv_pg_dir/postgres.log" 2>/dev/null; then
			testenv_log "PostgreSQL: port $port was taken, trying another"
			: >"$_testenv_pg_dir/postgres.log"
			continue
		fi
		_testenv_tail_log "$_testenv_pg_dir/postgres.log"
		testenv_die "the throwaway PostgreSQL did not start"
	done
	if ! _testenv_wait_for "$MOOC_TESTENV_START_TIMEOUT" _testenv_pg_ready "$port"; then
		_testenv_tail_log "$_testenv_pg_dir/postgres.log"
		testenv_die "the throwaway PostgreSQL does not answer on 127.0.0.1:$port"
	fi

	export MOOC_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	testenv_log "PostgreSQL: throwaway cluster on 127.0.0.1:$port"
}

# Check MOOC_TEST_DATABASE_URL, or start a throwaway cluster and set it.
testenv_postgres() {
	if [[ -n "${MOOC_TEST_DATABASE_URL:-}" ]]; then
		_testenv_check_database_url
	else
		_testenv_start_postgres
	fi
}

# ---------------------------------------------------------------------------
# MinIO

testenv_minio_bin() {
	printf '%s\n' "${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/mooc/minio/$MOOC_MINIO_COMMIT/minio"
}

# Build the pinned MinIO server into the cache unless it is there.
testenv_ensure_minio() {
	local bin dir stage
	bin=$(testenv_minio_bin)
	[[ -x "$bin" ]] && return 0
	dir=${bin%/*}
	mkdir -p "$dir" || testenv_die "could not create $dir"
	stage=$(mktemp -d "$dir/.build.XXXXXX") || testenv_die "could not create a folder in $dir"
	testenv_log "MinIO: building $MOOC_MINIO_MODULE@$MOOC_MINIO_VERSION into $dir"
	testenv_log "MinIO: the first build takes about 2.5 minutes (on an idle 2-core machine); later runs reuse it"
	# Built outside the repository so that its go.mod plays no part.
	if ! (cd "$stage" && GOBIN="$stage" GOFLAGS=-mod=mod \
		go install "$MOOC_MINIO_MODULE@$MOOC_MINIO_VERSION"); then
		rm -rf -- "$stage"
		testenv_die "building MinIO failed (see the go output above)"
	fi
	mv -f -- "$stage/minio" "$bin" || testenv_die "could not move the MinIO binary into $dir"
	rm -rf -- "$stage"
}

_testenv_minio_cleanup() {
	if [[ -n "$_testenv_minio_pid" ]]; then
		kill -TERM "$_testenv_minio_pid" 2>/dev/null
		local i
		for ((i = 0; i < 50; i++)); do
			kill -0 "$_testenv_minio_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$_testenv_minio_pid" 2>/dev/null
		wait "$_testenv_minio_pid" 2>/dev/null
		_testenv_minio_pid=""
	fi
	if [[ -n "$_testenv_minio_dir" ]]; then
		rm -rf -- "$_testenv_minio_dir"
		_testenv_minio_dir=""
	fi
}

_testenv_minio_live() {
	curl -fsS -o /dev/null --max-time 2 "http://$1/minio/health/live" 2>/dev/null
}

_testenv_check_minio() {
	local ep=$MOOC_TEST_S3_ENDPOINT out
	[[ "$ep" != *://* ]] ||
		testenv_die "MOOC_TEST_S3_ENDPOINT=$ep must be host:port, without a scheme"
	if ! out=$(curl -fsS -o /dev/null --max-time 5 "http://$ep/minio/health/live" 2>&1); then
		testenv_die "MOOC_TEST_S3_ENDPOINT=$ep does not answer (http://$ep/minio/health/live):
    $out
Start that MinIO, fix the address, or unset MOOC_TEST_S3_ENDPOINT to let the
tests start a throwaway MinIO of their own."
	fi
	[[ -n "${MOOC_TEST_S3_ACCESS_KEY:-}" && -n "${MOOC_TEST_S3_SECRET_KEY:-}" ]] ||
		testenv_die "MOOC_TEST_S3_ENDPOINT is set: set MOOC_TEST_S3_ACCESS_KEY and MOOC_TEST_S3_SECRET_KEY too"
	testenv_log "MinIO: using MOOC_TEST_S3_ENDPOINT=$ep"
}

_testenv_start_minio() {
	local bin attempt port console user password log
	testenv_ensure_minio
	bin=$(testenv_minio_bin)

	_testenv_minio_dir=$(mktemp -d "${TMPDIR:-/tmp}/mooc-test-minio.XXXXXX") ||
		testenv_die "could not create a temporary directory"
	testenv_add_cleanup _testenv_minio_cleanup
	mkdir "$_testenv_minio_dir/data"
	log=$_testenv_minio_dir/minio.log

	user="mooc$(_testenv_random_hex 6)"
	password=$(_testenv_random_hex 16)

	for attempt in 1 2 3; do
		_testenv_free_port
		port=$_testenv_port
		_testenv_free_port
		console=$_testenv_port
		MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$password \
			MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
			"$bin" server --quiet \
			--address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
			"$_testenv_minio_dir/data" </dev/null >"$log" 2>&1 &
		_testenv_minio_pid=$!

		local deadline=$((SECONDS + MOOC_TESTENV_START_TIMEOUT)) alive=1
		until _testenv_minio_live "127.0.0.1:$port"; do
			if ! kill -0 "$_testenv_minio_pid" 2>/dev/null; then
				alive=""
				break
			fi
			((SECONDS < deadline)) || break
			sleep 0.2
		done
		if _testenv_minio_live "127.0.0.1:$port"; then
			break
		fi
		if [[ -z "$alive" ]]; then
			wait "$_testenv_minio_pid" 2>/dev/null
			_testenv_minio_pid=""
			if ((attempt < 3)) && grep -qi 'address already in use' "$log"; then
				testenv_log "MinIO: port $port or $console was taken, trying others"
				continue
			fi
			_testenv_tail_log "$log"
			testenv_die "the throwaway MinIO exited during start-up"
		fi
		_testenv_tail_log "$log"
		testenv_die "the throwaway MinIO does not answer on 127.0.0.1:$port after ${MOOC_TESTENV_START_TIMEOUT}s"
	done

	export MOOC_TEST_S3_ENDPOINT="127.0.0.1:$port"
	export MOOC_TEST_S3_ACCESS_KEY=$user
	export MOOC_TEST_S3_SECRET_KEY=$password
	testenv_log "MinIO: throwaway server on 127.0.0.1:$port"
}

# Check MOOC_TEST_S3_ENDPOINT, or start a throwaway MinIO and set it.
testenv_minio() {
	if [[ -n "${MOOC_TEST_S3_ENDPOINT:-}" ]]; then
		_testenv_check_minio
	else
		_testenv_start_minio
	fi
}

# ---------------------------------------------------------------------------

# Everything the suite needs: packages, PostgreSQL and MinIO.
testenv_provision() {
	local have_db=${MOOC_TEST_DATABASE_URL:+1} have_s3=${MOOC_TEST_S3_ENDPOINT:+1}
	testenv_install_packages
	# Check given servers before starting anything, so a wrong setting
	# fails at once; build MinIO before PostgreSQL starts waiting.
	[[ -z "$have_db" ]] || _testenv_check_database_url
	[[ -z "$have_s3" ]] || _testenv_check_minio
	[[ -n "$have_s3" ]] || testenv_ensure_minio
	[[ -n "$have_db" ]] || _testenv_start_postgres
	[[ -n "$have_s3" ]] || _testenv_start_minio
}
