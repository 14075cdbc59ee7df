#!/bin/sh
# Broken posts: `canyon convert` must answer each with a clear message and
# an exit status of 0 or 1 within seconds, never a crash (this suite runs
# on the sanitizer build, where a memory error aborts with a report).
. "$ROOT/tests/lib.sh"

# bad_case NAME FILE WANT_STATUS MESSAGE_REGEX
bad_case() {
	start=$(date +%s)
	timeout 20 "$CANYON" convert "$2" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	secs=$(($(date +%s) - start))
	expect_eq "$1: exit status" "$3" "$rc"
	expect_match "$1: message" "$4" "$(cat "$TMP/err")"
	check "$1: no sanitizer report" sh -c "! grep -q -e 'Sanitizer' -e 'runtime error' '$TMP/err'"
	check "$1: done in under 10 s (${secs}s)" test "$secs" -lt 10
}

printf -- '---\ntitle: [unclosed\n---\nbody\n' >"$TMP/yaml.md"
bad_case "invalid YAML" "$TMP/yaml.md" 1 '^.*/yaml\.md:[23]: error: front matter: '

printf -- '---\ntitle: t\n---\nok\n\303\050 \377 bad\n' >"$TMP/utf8.md"
bad_case "non-UTF-8 bytes" "$TMP/utf8.md" 0 'utf8\.md:5: warning: 2 bytes of invalid UTF-8 replaced'
check "non-UTF-8 bytes: output is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMP/out" -o /dev/null

printf -- 'text\n\n```c\nint x;\n' >"$TMP/fence.md"
bad_case "unclosed fence" "$TMP/fence.md" 0 'fence\.md:3: warning: this code fence is never closed'

printf -- 'text\n\n{%% raw %%}\n{%% youtube x %%}\n' >"$TMP/raw.md"
bad_case "unclosed raw" "$TMP/raw.md" 1 'raw\.md:3: error: \{% raw %\} is never closed'

: >"$TMP/empty.md"
bad_case "empty file" "$TMP/empty.md" 0 'empty\.md:1: warning: the post has no text'

head -c 65536 /dev/urandom >"$TMP/random.bin"
printf '\0' >>"$TMP/random.bin"
bad_case "binary file" "$TMP/random.bin" 1 'random\.bin:[0-9]+: error: a NUL byte: this is a binary file'

# 50 MB: the user's post repeated
post="$ROOT/tests/golden/convert/user-post.md"
i=0
while [ "$i" -lt 30 ]; do cat "$post"; i=$((i + 1)); done >"$TMP/chunk"
: >"$TMP/big.md"
while [ "$(wc -c <"$TMP/big.md")" -lt 52428800 ]; do cat "$TMP/chunk" >>"$TMP/big.md"; done
bad_case "a 50 MB post" "$TMP/big.md" 1 'big\.md: error: larger than 16 MiB'
rm -f "$TMP/big.md" "$TMP/chunk"

awk 'BEGIN { for (i = 0; i < 100000; i++) printf ">"; print " deep" }' >"$TMP/quotes.md"
bad_case "100,000 nested quotes" "$TMP/quotes.md" 0 '^$'
expect_eq "100,000 nested quotes: one quote line" "> deep" "$(tail -n 1 "$TMP/out")"

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; printf "x"; for (i = 0; i < 100000; i++) printf "]"; print "" }' >"$TMP/brackets.md"
bad_case "100,000 nested brackets" "$TMP/brackets.md" 0 '^$'

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "- "; print "x" }' >"$TMP/lists.md"
bad_case "100,000 nested lists" "$TMP/lists.md" 0 '^$'

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{%% "; print "" }' >"$TMP/tags.md"
bad_case "100,000 unclosed tags" "$TMP/tags.md" 0 'tags\.md: warning: 99900 more warnings about tags not shown'
