#!/usr/bin/env bash
#
# The whole Go suite with the race detector, against a real PostgreSQL and
# a real MinIO (see scripts/testenv.sh), then every fuzz target for a short
# while. Arguments go to `go test`, e.g. scripts/test.sh -run TestLogin -v.
#
#   FUZZTIME=5s        time per fuzz target
#   MOOC_SKIP_FUZZ=1   leave out the fuzz stage
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh

started=$SECONDS
testenv_provision

# -race needs cgo.
export CGO_ENABLED=1

log=$(mktemp "${TMPDIR:-/tmp}/mooc-go-test.XXXXXX")
_test_cleanup() { rm -f -- "$log"; }
testenv_add_cleanup _test_cleanup

echo "==> go test -race -count=1 -timeout 30m ./... $*"
go_status=0
go test -race -count=1 -timeout 30m ./... "$@" 2>&1 | tee "$log" || go_status=$?

pkgs_ok=$(grep -c '^ok[[:space:]]' "$log" || true)
pkgs_failed=$(grep -cE '^FAIL[[:space:]]+[^[:space:]]' "$log" || true)
tests_failed=$(grep -cE '^[[:space:]]*--- FAIL:' "$log" || true)
if ((go_status == 0)); then
	go_result="go test ok ($pkgs_ok packages)"
else
	go_result="go test FAILED ($pkgs_failed packages, $tests_failed tests failed; exit $go_status)"
fi

fuzz_status=0
if [[ "${MOOC_SKIP_FUZZ:-}" == 1 ]]; then
	fuzz_result="fuzz skipped (MOOC_SKIP_FUZZ=1)"
elif ((go_status != 0)); then
	fuzz_result="fuzz not run (go test failed)"
else
	echo "==> fuzz targets, ${FUZZTIME:-5s} each"
	FUZZTIME=${FUZZTIME:-5s} bash scripts/fuzz.sh || fuzz_status=$?
	if ((fuzz_status == 0)); then
		fuzz_result="fuzz ok"
	else
		fuzz_result="fuzz FAILED (exit $fuzz_status)"
	fi
fi

if ((go_status == 0 && fuzz_status == 0)); then
	echo "make test: PASS: $go_result, $fuzz_result, in $((SECONDS - started))s"
	exit 0
fi
echo "make test: FAIL: $go_result, $fuzz_result, in $((SECONDS - started))s"
exit 1
