#!/usr/bin/env bash
#
# Shows the public certificate verification page as a person sees it: the
# page is produced by the real handler (a test that issues a certificate to
# a learner with a hostile name, see TestVerifyPageEscapes), then rendered
# by headless Chromium into a PNG.
#
#   scripts/verify-page-screenshot.sh [out.png]     (default: verify-page.png)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:-verify-page.png}")
if [[ -z "${MOOC_TESTENV:-}" ]]; then
	# The Go provisioner installs Chromium when missing and runs this
	# script again with the test servers.
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -install chromium -- bash scripts/verify-page-screenshot.sh "$out"
fi

html=$(mktemp --suffix=.html "${TMPDIR:-/tmp}/mooc-verify.XXXXXX")
profile=$(mktemp -d "${TMPDIR:-/tmp}/mooc-chromium.XXXXXX")
trap 'rm -rf -- "$html" "$profile"' EXIT

MOOC_VERIFY_PAGE_OUT=$html go test -count=1 -run '^TestVerifyPageEscapes$' ./api/
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$profile" --window-size=1000,760 --screenshot="$out" "file://$html" 2>/dev/null
echo "screenshot: $out"
