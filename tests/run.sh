#!/bin/sh
# Runs every test of canyon against one build folder and ends with the
# summary line "N passed, N failed". Every test program speaks TAP
# ("ok ..." / "not ok ..." lines): cmocka unit tests (CMOCKA_MESSAGE_OUTPUT=TAP),
# and the shell suites under tests/golden and tests/integration (tests/lib.sh).
#
#   sh tests/run.sh build/san [PATTERN]   PATTERN filters suites by name
set -u
B=${1:?usage: tests/run.sh BUILD_DIR [PATTERN]}
PATTERN=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd)
export CANYON="$B/canyon" TOOLS="$B/tools" ROOT
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-240}
passed=0
failed=0
failed_names=""
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run_suite() {
	name=$1
	shift
	case "$name" in *"$PATTERN"*) ;; *) return ;; esac
	echo "# $name"
	start=$(date +%s)
	timeout -k 5 "$SUITE_TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok' "$out")
	f=$(grep -c '^not ok' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "# $name: $p passed, $f failed, $(($(date +%s) - start))s"
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
for dir in golden integration fuzz; do
	for t in "$ROOT"/tests/$dir/*.sh; do
		[ -f "$t" ] && run_suite "$dir/$(basename "$t" .sh)" sh "$t"
	done
done

[ -n "$failed_names" ] && echo "# failed suites:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
