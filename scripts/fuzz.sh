#!/usr/bin/env bash
#
# Runs every Go fuzz target (func FuzzXxx in a _test.go file) for FUZZTIME
# each (default 5s), against the same real servers as the tests: run from
# scripts/test.sh or scripts/bench.sh it uses theirs, otherwise it runs
# itself under the Go provisioner internal/testenv/cmd/testenv. New failing
# inputs land in testdata/fuzz/ of the package: commit them, they become
# regression tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME=${FUZZTIME:-5s}

# Cheap look first, so that a tree without fuzz targets starts no server.
if ! grep -rqE '^func Fuzz[A-Z0-9_]' --include='*_test.go' \
	--exclude-dir=.git --exclude-dir=vendor --exclude-dir=testdata . 2>/dev/null; then
	echo "fuzz: no fuzz targets"
	exit 0
fi

if [[ -z "${MOOC_TESTENV:-}" ]]; then
	CGO_ENABLED=0 go build -o bin/testenv ./internal/testenv/cmd/testenv
	exec bin/testenv -- bash scripts/fuzz.sh "$@"
fi

list=$(mktemp "${TMPDIR:-/tmp}/mooc-fuzz-list.XXXXXX")
trap 'rm -f -- "$list"' EXIT

if ! go test -list '^Fuzz' ./... >"$list" 2>&1; then
	cat "$list" >&2
	echo "fuzz: ERROR: listing the fuzz targets failed" >&2
	exit 1
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

# fuzz_one runs one target. Go's fuzzer can report "context deadline
# exceeded" when the time runs out while it is still minimising a new
# (passing) input; that is no finding, so such a run is tried once more.
# A real failure writes its input under testdata/fuzz and fails again.
fuzz_one() {
	local out status=0
	out=$(mktemp "${TMPDIR:-/tmp}/mooc-fuzz.XXXXXX")
	go test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-2s}" "$1" 2>&1 | tee "$out" || status=$?
	if ((status != 0)) && grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
		echo "fuzz: $1 $2 stopped while minimising; running it once more"
		status=0
		go test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-2s}" "$1" || status=$?
	fi
	rm -f -- "$out"
	return "$status"
}

passed=0
failed=()
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "==> $pkg $name (fuzztime $FUZZTIME)"
	if fuzz_one "$pkg" "$name"; then
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
