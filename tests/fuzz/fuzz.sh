#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_<target>.c, clang) and
# runs each for FUZZ_SECONDS (default 3: a short pass for make test; `make
# fuzz` runs them longer). Every seed in tests/fuzz/corpus/<target>/ is run
# first, so a crash that was once found and fixed stays fixed: put its
# input there. A crash fails the target and is kept as
# build/fuzz/<target>-crash-<hash> to reproduce with
#   build/fuzz/fuzz_<target> build/fuzz/<target>-crash-<hash>
. "$ROOT/tests/lib.sh"
FUZZ_SECONDS=${FUZZ_SECONDS:-3}
FZ="$ROOT/build/fuzz"

if [ "${FUZZ_BUILT:-0}" != 1 ]; then
	if ! make -C "$ROOT" -j2 -s fuzz-build >"$TMP/build.log" 2>&1; then
		not_ok "fuzz harnesses build"
		tail -30 "$TMP/build.log" | sed 's/^/#   /'
		exit 0
	fi
fi

for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	seeds="$ROOT/tests/fuzz/corpus/$t"
	work="${FUZZ_WORK:-$TMP}/$t"
	mkdir -p "$work" "$seeds"
	if "$FZ/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$FZ/$t-" "$work" "$seeds" \
		>"$TMP/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
		ok "fuzz $t ($runs runs in ${FUZZ_SECONDS}s)"
	else
		not_ok "fuzz $t"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==|#[0-9]+ ' "$TMP/$t.log" |
			head -30 | sed 's/^/#   /'
	fi
done
