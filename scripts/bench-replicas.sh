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
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MOOC_TESTENV:-}" ]]; then
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -- bash scripts/bench-replicas.sh "$@"
fi
CGO_ENABLED=0 go build -o bin/mooc ./cmd/mooc
CGO_ENABLED=0 go build -o bin/replicas ./bench/cmd/replicas
exec bin/replicas -mooc bin/mooc -fixture api/testdata/lesson.mp4 -markdown BENCHMARKS.md "$@"
