#!/bin/sh
# Probing for files: every classic traversal trick, over Gemini and Gopher,
# against a root with symlinks leading out and dot-files in it. A sentinel
# file beside the root (and /etc/passwd) must never show up in any reply,
# and each request gets a refusal, not a page.
. "$ROOT/tests/lib.sh"
GEMREQ="$TOOLS/gemreq"
GOPHER="$TOOLS/gopher_get"

SENTINEL="sentinel-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$TMP/site/pub/a/b" "$TMP/site/pub/.hidden" "$TMP/site/pub/.well-known" "$TMP/certs"
printf '# Home\n' >"$TMP/site/pub/index.gmi"
printf '# B\n' >"$TMP/site/pub/a/b/index.gmi"
printf '%s\n' "$SENTINEL" >"$TMP/site/SENTINEL"
printf '%s dot\n' "$SENTINEL" >"$TMP/site/pub/.secret"
printf '%s hidden\n' "$SENTINEL" >"$TMP/site/pub/.hidden/file"
printf '%s well-known\n' "$SENTINEL" >"$TMP/site/.well-known-outside"
ln -s ../SENTINEL "$TMP/site/pub/out"
ln -s "$TMP/site/SENTINEL" "$TMP/site/pub/abs"
ln -s .. "$TMP/site/pub/updir"
ln -s /etc "$TMP/site/pub/etc"
ln -s ../../.well-known-outside "$TMP/site/pub/.well-known/x"
make_cert "$TMP/certs"
cat >"$TMP/canyon.yaml" <<YAML
output: site/pub
server:
  hostname: localhost
  listen: ["127.0.0.1:0"]
  gopher_listen: ["127.0.0.1:0"]
  workers: 1
  timeout_request: 2
  access_log: ""
limits:
  rate: 100000
  burst: 100000
  # Shedding (limits.sh) must not depend on how busy the test machine is:
  # a sanitizer build on a loaded runner can run 20 ms late.
  max_delay: 60
YAML
serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"
PORT=$(ready_port gemini)
GPORT=$(ready_port gopher)
check "server started" test -n "$PORT"

printf 'gemini://localhost/a/b/\r\n' | "$GEMREQ" -p "$PORT" >"$TMP/out" 2>/dev/null
expect_eq "a page below the root is served (the probes below are refused, not broken)" \
	"# B" "$(tail -n +2 "$TMP/out")"

ALL="$TMP/all-replies"
: >"$ALL"
# raw TEXT: TEXT with its backslash escapes (\000, \300, \\) turned into
# bytes by printf and its '%' kept as they are.
raw() {
	printf "$(printf '%s' "$1" | sed 's/%/%%/g')"
}
# gem PATH DESCRIPTION: a 5x reply, path given to raw().
gem() {
	{ printf 'gemini://localhost'; raw "$1"; printf '\r\n'; } | "$GEMREQ" -p "$PORT" >"$TMP/out" 2>/dev/null
	cat "$TMP/out" >>"$ALL"
	head=$(head -n 1 "$TMP/out" | tr -d '\r')
	case "$head" in
	5[0-9]*) ok "gemini $2: ${head%% *}" ;;
	*) not_ok "gemini $2: got '$head'" ;;
	esac
}
gem '/../SENTINEL' "dot-dot segment"
gem '/a/../../SENTINEL' "dot-dot below a folder"
gem '/./index.gmi' "dot segment"
gem '/%2e%2e/SENTINEL' "encoded dots"
gem '/%2E%2e/SENTINEL' "encoded dots, mixed case"
gem '/.%2e/SENTINEL' "half-encoded dots"
gem '/a/%2e%2e/%2e%2e/SENTINEL' "encoded dots twice"
gem '/%252e%252e/SENTINEL' "double-encoded dots"
gem '/..%2fSENTINEL' "encoded slash"
gem '/%2f..%2fSENTINEL' "encoded slashes around dots"
gem '/..%252fSENTINEL' "double-encoded slash"
gem '/..\\SENTINEL' "backslash"
gem '/..%5cSENTINEL' "encoded backslash"
gem '/a\\..\\..\\SENTINEL' "backslashes between dots"
gem '/index.gmi%00.png' "encoded NUL"
gem '/index.gmi\000/../SENTINEL' "raw NUL"
gem '/%c0%ae%c0%ae/SENTINEL' "overlong UTF-8 dots, encoded"
gem '/\300\256\300\256/SENTINEL' "overlong UTF-8 dots, raw"
gem '/%e0%80%ae%e0%80%ae/SENTINEL' "three-byte overlong dots"
gem '/%c0%af..%c0%afSENTINEL' "overlong slash"
gem '/out' "relative symlink out of the root"
gem '/abs' "absolute symlink out of the root"
gem '/updir/SENTINEL' "symlinked parent folder"
gem '/etc/passwd' "symlink to /etc"
gem '/.secret' "dot-file"
gem '/.hidden/file' "file in a dot-folder"
gem '/%2esecret' "encoded dot-file"
gem '/.well-known/x' "symlink out of .well-known"
gem '/.well-known/../.secret' "dot-dot after .well-known"
gem '//SENTINEL' "empty segment"

# gopher SELECTOR DESCRIPTION: a type 3 error menu, selector given to raw().
gopher() {
	sel=$(raw "$1")
	"$GOPHER" 127.0.0.1 "$GPORT" "$sel" >"$TMP/out" 2>/dev/null
	cat "$TMP/out" >>"$ALL"
	first=$(head -c 1 "$TMP/out")
	if [ "$first" = 3 ]; then ok "gopher $2: type 3"; else not_ok "gopher $2: got '$(head -n 1 "$TMP/out")'"; fi
}
gopher '../SENTINEL' "dot-dot"
gopher '/../SENTINEL' "dot-dot after slash"
gopher '/a/../../SENTINEL' "dot-dot below a folder"
gopher '/..\\SENTINEL' "backslash"
gopher '/%2e%2e/SENTINEL' "percent-encoded dots"
gopher '/\300\256\300\256/SENTINEL' "overlong UTF-8 dots"
gopher '/out' "relative symlink out"
gopher '/abs' "absolute symlink out"
gopher '/updir/SENTINEL' "symlinked parent"
gopher '/etc/passwd' "symlink to /etc"
gopher '/.secret' "dot-file"
gopher '/.hidden/file' "dot-folder"
gopher '/.well-known/x' "symlink out of .well-known"

check "the sentinel beside the root appears in no reply" \
	sh -c "! grep -q '$SENTINEL' '$ALL'"
check "/etc/passwd appears in no reply" sh -c "! grep -q 'root:x:0:0' '$ALL'"
check "server still running" kill -0 "$SERVER_PID"
