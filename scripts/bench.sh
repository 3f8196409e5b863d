#!/usr/bin/env bash
#
# Every Go benchmark, against the same real servers as the tests (see
# scripts/testenv.sh). Arguments go to `go test`, e.g. -bench Search -count 5.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh

testenv_provision
go test -run '^$' -bench . -benchmem ./... "$@"
