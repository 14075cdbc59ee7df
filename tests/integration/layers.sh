#!/bin/sh
# The layering rule is enforced by include paths: the converter cannot
# reach a server header and the server cannot reach a converter header.
. "$ROOT/tests/lib.sh"
cd "$ROOT"
inc() { make -s --no-print-directory print-inc-"$1"; }
probe() { # layer header: compiles a file of that layer including header
	printf '#include "%s"\nint probe(void);\nint probe(void) { return 0; }\n' "$2" >"$TMP/probe.c"
	cc -std=c17 -fsyntax-only $(inc "$1") $(pkg-config --cflags openssl libevent) "$TMP/probe.c" 2>"$TMP/err"
}
check "server may include its own store.h" probe srv store.h
check "converter may include post.h" probe conv post.h
if probe conv store.h; then not_ok "converter including store.h must fail"; else ok "converter including store.h fails to compile"; fi
if probe conv response.h; then not_ok "converter including response.h must fail"; else ok "converter including response.h fails to compile"; fi
if probe srv post.h; then not_ok "server including post.h must fail"; else ok "server including post.h fails to compile"; fi
if probe common buf.h; then ok "common compiles alone"; else not_ok "common compiles alone"; fi
if probe common url.h && ! probe common store.h; then ok "common cannot reach the server"; else not_ok "common cannot reach the server"; fi
