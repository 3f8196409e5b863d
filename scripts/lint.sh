#!/usr/bin/env bash
#
# `make lint` (and the first step of `make test`): gofmt must have nothing
# to change, `go mod tidy` must leave go.mod and go.sum as they are, and
# golangci-lint (.golangci.yml; the
# pinned version, built once into the user's cache folder by the Go
# provisioner internal/testenv/cmd/testenv) must find nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MOOC_TEST_GOLANGCI_LINT:-}" ]]; then
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -lint -servers=false -- bash scripts/lint.sh "$@"
fi

status=0
echo "==> gofmt -l"
if unformatted=$(gofmt -l $(git ls-files '*.go') 2>&1) && [[ -n "$unformatted" ]]; then
	printf '%s\n' "$unformatted"
	echo "lint: gofmt would change the files above: run \`make fmt\`"
	status=1
fi

echo "==> go mod tidy -diff"
if ! diff=$(go mod tidy -diff 2>&1); then
	printf '%s\n' "$diff"
	echo "lint: go mod tidy would change go.mod or go.sum (above): run \`go mod tidy\` and commit the result"
	status=1
fi

echo "==> golangci-lint run ./..."
if ! "$MOOC_TEST_GOLANGCI_LINT" run ./...; then
	echo "lint: golangci-lint found problems (above); fix them, or mark a deliberately ignored error with _ ="
	status=1
fi
exit "$status"
