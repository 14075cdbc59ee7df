#!/bin/sh
# canyon check validates every section of the configuration (the server's
# and the limits' too, not only the converter's) and every post, writes
# nothing, and says what would be served.
. "$ROOT/tests/lib.sh"

cat >"$TMP/canyon.yaml" <<EOF
source: $ROOT/capsule
output: $TMP/public
server:
  hostname: capsule.example
EOF
out=$("$CANYON" check -c "$TMP/canyon.yaml" 2>"$TMP/err")
expect_eq "a good configuration checks out" 0 "$?"
expect_match "it says where the capsule would be served" \
    '^gemini://capsule.example:1965/ \(and gopher://capsule.example:70/\)' "$out"
expect_match "it counts the posts it would serve" 'would serve 6 posts' "$out"
check "nothing is written" test ! -e "$TMP/public"

printf '  gopher_prot: 70\n' >>"$TMP/canyon.yaml"
"$CANYON" check -c "$TMP/canyon.yaml" >/dev/null 2>"$TMP/err"
expect_eq "a typo in server: fails the check" 1 "$?"
expect_match "... with FILE:LINE" "canyon.yaml:5: unknown key 'gopher_prot' in server" \
    "$(cat "$TMP/err")"

cat >"$TMP/canyon.yaml" <<EOF
source: $ROOT/capsule
output: $TMP/public
limits:
  rate: -3
EOF
"$CANYON" check -c "$TMP/canyon.yaml" >/dev/null 2>"$TMP/err"
expect_eq "a bad limits: value fails the check" 1 "$?"
expect_match "... with FILE:LINE" "canyon.yaml:4: " "$(cat "$TMP/err")"
