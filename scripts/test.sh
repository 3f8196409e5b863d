#!/usr/bin/env bash
#
# `make test`: go mod tidy and golangci-lint checks (scripts/lint.sh), the
# whole Go suite with the race detector against a real PostgreSQL and a real
# MinIO, Redocly's lint of the served OpenAPI document
# (scripts/openapi-lint.sh), then every fuzz target for a short while. The servers come from the
# Go provisioner internal/testenv/cmd/testenv, which this script runs itself
# under. Arguments go to `go test`, e.g. scripts/test.sh -run TestLogin -v.
#
#   FUZZTIME=5s        time per fuzz target
#   MOOC_SKIP_FUZZ=1   leave out the fuzz stage
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MOOC_TESTENV:-}" ]]; then
	export MOOC_TEST_STARTED=$EPOCHSECONDS
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -lint -- bash scripts/test.sh "$@"
fi
started=${MOOC_TEST_STARTED:-$EPOCHSECONDS}

lint_status=0
bash scripts/lint.sh || lint_status=$?
if ((lint_status == 0)); then
	lint_result="go mod tidy and golangci-lint ok"
else
	lint_result="go mod tidy or golangci-lint FAILED (see above)"
fi

# -race needs cgo.
export CGO_ENABLED=1
log=$(mktemp "${TMPDIR:-/tmp}/mooc-go-test.XXXXXX")
trap 'rm -f -- "$log"' EXIT

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

echo "==> OpenAPI lint"
openapi_status=0
bash scripts/openapi-lint.sh || openapi_status=$?
if ((openapi_status == 0)); then
	openapi_result="openapi lint ok"
else
	openapi_result="openapi lint FAILED (see above)"
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

summary="$lint_result, $go_result, $openapi_result, $fuzz_result, in $((EPOCHSECONDS - started))s"
if ((lint_status == 0 && go_status == 0 && openapi_status == 0 && fuzz_status == 0)); then
	echo "make test: PASS: $summary"
	exit 0
fi
echo "make test: FAIL: $summary"
exit 1
