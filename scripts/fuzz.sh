#!/usr/bin/env bash
#
# Runs every Go fuzz target (func FuzzXxx in a _test.go file) for FUZZTIME
# each (default 5s), against the same real servers as the tests: variables
# already set by scripts/test.sh are reused, otherwise scripts/testenv.sh
# starts throwaway servers. New failing inputs land in testdata/fuzz/ of
# the package: commit them, they become regression tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME=${FUZZTIME:-5s}

# Cheap look first, so that a tree without fuzz targets starts no server.
if ! grep -rqE '^func Fuzz[A-Z0-9_]' --include='*_test.go' \
	--exclude-dir=.git --exclude-dir=vendor --exclude-dir=testdata . 2>/dev/null; then
	echo "fuzz: no fuzz targets"
	exit 0
fi

# shellcheck source=scripts/testenv.sh
source scripts/testenv.sh
testenv_provision

list=$(mktemp "${TMPDIR:-/tmp}/mooc-fuzz-list.XXXXXX")
_fuzz_cleanup() { rm -f -- "$list"; }
testenv_add_cleanup _fuzz_cleanup

if ! go test -list '^Fuzz' ./... >"$list" 2>&1; then
	cat "$list" >&2
	testenv_die "listing the fuzz targets failed"
fi

# go test -list prints a package's names, then "ok <package> <time>".
targets=()
names=()
while IFS= read -r line; do
	case $line in
	Fuzz*) names+=("$line") ;;
	ok[[:space:]]*)
		read -r _ pkg _ <<<"$line"
		for name in "${names[@]}"; do
			targets+=("$pkg $name")
		done
		names=()
		;;
	esac
done <"$list"

if ((${#targets[@]} == 0)); then
	echo "fuzz: no fuzz targets"
	exit 0
fi

passed=0
failed=()
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "==> $pkg $name (fuzztime $FUZZTIME)"
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"; then
		passed=$((passed + 1))
	else
		failed+=("$pkg.$name")
	fi
done

echo "fuzz: $passed targets passed, ${#failed[@]} failed (fuzztime $FUZZTIME each)"
if ((${#failed[@]} > 0)); then
	printf 'fuzz: FAILED %s\n' "${failed[@]}"
	exit 1
fi
