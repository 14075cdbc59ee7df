#!/bin/sh
# Fuzz the front-matter reader and the Markdown renderer for a few seconds
# (FUZZ_SECONDS, default 5) with libFuzzer, seeded with the golden fixtures.
# A crash, a leak or a broken output promise is a failure; the input that
# caused it is kept in tests/fuzz/crashes/ to become a regression fixture.
. "$ROOT/tests/lib.sh"
if ! command -v clang >/dev/null 2>&1; then
	ok "# SKIP clang is not installed"
	exit 0
fi
cd "$ROOT" || exit 1
# shellcheck disable=SC2046
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_GNU_SOURCE \
    -Isrc/common -Isrc/conv tests/fuzz/fuzz_post.c \
    src/common/buf.c src/common/utf8.c src/common/url.c src/common/yamltree.c \
    src/conv/*.c $(pkg-config --cflags --libs md4c yaml-0.1) \
    -o "$TMP/fuzz_post" 2>"$TMP/cc.log"; then
	not_ok "the post fuzzer builds"
	sed 's/^/#   /' "$TMP/cc.log" | head -20
	exit 0
fi
ok "the post fuzzer builds"
mkdir -p "$TMP/corpus" tests/fuzz/crashes
cp tests/golden/convert/*.md "$TMP/corpus/"
"$TMP/fuzz_post" -max_total_time="${FUZZ_SECONDS:-5}" -max_len=65536 -timeout=5 \
    -rss_limit_mb=1024 -artifact_prefix=tests/fuzz/crashes/ "$TMP/corpus" \
    >"$TMP/fuzz.log" 2>&1
rc=$?
expect_eq "front matter + Markdown fuzzing finds nothing in ${FUZZ_SECONDS:-5} s" 0 "$rc"
[ "$rc" -ne 0 ] && grep -E 'ERROR|SUMMARY|artifact' "$TMP/fuzz.log" | head -10 | sed 's/^/#   /'
tail -1 "$TMP/fuzz.log" | sed 's/^/# /'
