#!/usr/bin/env bash
#
# `make bench-replicas`: measures the platform as a deployment of three
# replicas (issue 20). Runs itself under the provisioner
# (internal/testenv/cmd/testenv), which gives it a PostgreSQL server; builds
# cmd/mooc into bin/mooc and the measuring command bench/cmd/replicas, which
# starts MinIO over four drive folders, the three replicas and Debian's
# haproxy (installed when missing) on loopback, runs its phases and writes
# its section of BENCHMARKS.md. About 6 minutes on 2 cores.
#
# Arguments go to bench/cmd/replicas, e.g.
#   scripts/bench-replicas.sh -rates 1000,2000,3000 -step 5s
# (go run ./bench/cmd/replicas -h lists them).
#
#   MOOC_BENCH_BEFORE=<commit>  also measure the read mix on the server as
#                               built from that commit, in the same run
#                               (the before/after of BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MOOC_TESTENV:-}" ]]; then
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -- bash scripts/bench-replicas.sh "$@"
fi
CGO_ENABLED=0 go build -o bin/mooc ./cmd/mooc
CGO_ENABLED=0 go build -o bin/replicas ./bench/cmd/replicas
before=()
if [[ -n "${MOOC_BENCH_BEFORE:-}" ]]; then
	src=$(mktemp -d "${TMPDIR:-/tmp}/mooc-before.XXXXXX")
	trap 'rm -rf -- "$src"' EXIT
	git archive "$MOOC_BENCH_BEFORE" | tar -x -C "$src"
	(cd "$src" && CGO_ENABLED=0 go build -o "$OLDPWD/bin/mooc-before" ./cmd/mooc)
	before=(-before bin/mooc-before -before-name "$MOOC_BENCH_BEFORE")
fi
bin/replicas -mooc bin/mooc -fixture api/testdata/lesson.mp4 -markdown BENCHMARKS.md "${before[@]}" "$@"
