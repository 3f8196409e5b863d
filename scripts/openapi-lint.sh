#!/usr/bin/env bash
#
# `make openapi` (and a stage of `make test`): the OpenAPI document the API
# serves (written by tools/openapi, the platform built as `mooc serve` builds
# it) must pass Redocly CLI's lint with tools/openapi/redocly.yaml. Redocly
# CLI is the version tools/openapi/package-lock.json pins, installed there by
# `npm ci`. Node.js and npm must be on PATH: make test's provisioner
# (internal/testenv) installs the Debian packages nodejs and npm when they
# are missing; without them this is a failure, not a skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools=tools/openapi

for cmd in node npm; do
	if ! command -v "$cmd" >/dev/null; then
		echo "openapi lint: $cmd is not on PATH. Install Node.js and npm (Debian: apt-get install nodejs npm), or run make test, which installs them."
		exit 1
	fi
done
# The oldest Node.js the pinned Redocly CLI runs on (package.json engines).
need=$(node -p "require('./$tools/package.json').engines.node.replace(/^>=/, '')")
if ! node -e "const [a, b] = process.versions.node.split('.').map(Number), [x, y] = '$need'.split('.').map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)"; then
	echo "openapi lint: Node.js $(node --version) is older than the $need Redocly CLI needs; install a newer nodejs."
	exit 1
fi

doc=$(mktemp "${TMPDIR:-/tmp}/mooc-openapi.XXXXXX.json")
trap 'rm -f -- "$doc"' EXIT

echo "==> the served /openapi.json (go run ./$tools)"
go run "./$tools" "$doc"

echo "==> npm ci ($tools)"
npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error

echo "==> redocly lint ($tools/redocly.yaml)"
# No telemetry and no look-up of newer versions: the run is the same offline.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
(cd "$tools" && npx --no-install redocly lint --config redocly.yaml "$doc")
