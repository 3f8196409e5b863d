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
# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh

out=$(realpath -m "${1:-verify-page.png}")
if ! command -v chromium >/dev/null 2>&1; then
	testenv_apt_install chromium
fi
testenv_provision

html=$(mktemp --suffix=.html "${TMPDIR:-/tmp}/mooc-verify.XXXXXX")
_screenshot_cleanup() { rm -f -- "$html"; }
testenv_add_cleanup _screenshot_cleanup

MOOC_VERIFY_PAGE_OUT=$html go test -count=1 -run '^TestVerifyPageEscapes$' ./api/
profile=$(mktemp -d "${TMPDIR:-/tmp}/mooc-chromium.XXXXXX")
_profile_cleanup() { rm -rf -- "$profile"; }
testenv_add_cleanup _profile_cleanup
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$profile" --window-size=1000,760 --screenshot="$out" "file://$html" 2>/dev/null
echo "screenshot: $out"
