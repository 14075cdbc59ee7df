#!/bin/sh
# A large TLS reply goes out a piece at a time (src/srv/conn.c, REPLY_PIECE
# 64 KiB): whole and in order, from memory or from a file, and never more
# than a piece written between two polls of the event loop, so that pages
# due meanwhile do not wait for a whole image to be encrypted and written.
. "$ROOT/tests/lib.sh"
GEMREQ="$TOOLS/gemreq"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Home\n' >"$TMP/pub/index.gmi"
head -c 1000000 /dev/urandom >"$TMP/pub/photo.jpg" # in memory
head -c 3000000 /dev/urandom >"$TMP/pub/large.bin" # from the file
make_cert "$TMP/certs"
loopback_config <<YAML
  workers: 1
  max_in_memory: 2000000
  access_log: ""
YAML
serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"
PORT=$(ready_port gemini)
check "server started" test -n "$PORT"

# get PATH: the reply's body, after its header line
get() {
	printf 'gemini://localhost/%s\r\n' "$1" | "$GEMREQ" -p "$PORT" 2>/dev/null >"$TMP/reply"
	tail -c +"$(($(head -n 1 "$TMP/reply" | wc -c) + 1))" "$TMP/reply"
}
for f in photo.jpg large.bin; do
	expect_eq "$f arrives whole" \
		"$(sha256sum <"$TMP/pub/$f")" "$(get $f | sha256sum)"
done

# A reader that waits half a second before reading, with a receive buffer
# of 4 MB: written in one go, the whole 1 MB reply would go into the
# kernel in one turn of the loop. In pieces, the bytes written between
# two epoll_wait() calls stay within one piece and its TLS records'
# overhead (64 KiB + 4 x 22 bytes), whatever the socket would take.
if command -v strace >/dev/null 2>&1; then
	strace -qq -f -e trace=epoll_wait,write,writev,sendmsg -e signal=none \
	    -p "$SERVER_PID" -o "$TMP/strace" 2>/dev/null &
	TRACER=$!
	sleep 0.5
fi
if [ -n "${TRACER:-}" ] && ! kill -0 "$TRACER" 2>/dev/null; then
	# strace cannot attach here (no ptrace for this user or container)
	ok "# SKIP strace cannot trace the server: the bytes written per turn of the loop are not checked"
elif [ -n "${TRACER:-}" ]; then
	n=$(printf 'gemini://localhost/photo.jpg\r\n' |
	    "$GEMREQ" -D 500 -B 4000000 -p "$PORT" 2>/dev/null | wc -c)
	expect_eq "a slow reader with a large buffer gets the whole image" \
		$((1000000 + $(printf '20 image/jpeg\r\n' | wc -c))) "$n"
	sleep 0.2
	kill "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	most=$(awk '/epoll_wait/ { if (n > m) m = n; n = 0; next }
	    /write|sendmsg/ { r = $NF; if (r + 0 > 0) n += r }
	    END { if (n > m) m = n; print m + 0 }' "$TMP/strace")
	check "at most a piece written between two polls of the loop (most: $most bytes)" \
		test "$most" -gt 0 -a "$most" -le $((65536 + 4 * 22 + 64))
else
	ok "# SKIP strace is not installed: the bytes written per turn of the loop are not checked"
fi

stop_server
expect_eq "nothing unexpected on stderr" "" "$(stderr_problems "$TMP/server.log")"
