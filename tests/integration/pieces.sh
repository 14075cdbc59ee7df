#!/bin/sh
# A large TLS reply goes out a piece at a time (src/srv/conn.c, REPLY_PIECE
# 64 KiB) while the worker has other connections: whole and in order, from
# memory or from a file, and never more than a piece written between two
# polls of the event loop, so that pages due meanwhile do not wait for a
# whole image to be encrypted and written; the worker's only connection
# gets its reply in one go.
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

# most_per_turn: fetch the image as a reader that waits half a second
# before reading, with a receive buffer of 4 MB (written in one go, the
# whole 1 MB reply would go into the kernel in one turn of the loop), while
# strace follows the server; MOST is then the most bytes written between
# two epoll_wait() calls. Returns 1 when strace cannot trace the server.
most_per_turn() {
	strace -qq -f -e trace=epoll_wait,write,writev,sendmsg -e signal=none \
	    -p "$SERVER_PID" -o "$TMP/strace" 2>/dev/null &
	TRACER=$!
	sleep 0.5
	kill -0 "$TRACER" 2>/dev/null || return 1
	n=$(printf 'gemini://localhost/photo.jpg\r\n' |
	    "$GEMREQ" -D 500 -B 4000000 -p "$PORT" 2>/dev/null | wc -c)
	expect_eq "$1: the slow reader gets the whole image" \
		$((1000000 + $(printf '20 image/jpeg\r\n' | wc -c))) "$n"
	sleep 0.2
	kill "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	MOST=$(awk '/epoll_wait/ { if (n > m) m = n; n = 0; next }
	    /write|sendmsg/ { r = $NF; if (r + 0 > 0) n += r }
	    END { if (n > m) m = n; print m + 0 }' "$TMP/strace")
}

# A piece and its TLS records' overhead (4 x 22 bytes), and some slack.
PIECE_MOST=$((65536 + 4 * 22 + 64))
if ! command -v strace >/dev/null 2>&1; then
	ok "# SKIP strace is not installed: the bytes written per turn of the loop are not checked"
elif ! most_per_turn "alone"; then
	# no ptrace for this user or container
	ok "# SKIP strace cannot trace the server: the bytes written per turn of the loop are not checked"
else
	# The worker's only connection: nothing to let go first, the reply
	# goes out as the socket takes it (pieces would only cost CPU).
	check "alone: the reply goes out whole, not in pieces (most in a turn: $MOST bytes)" \
		test "$MOST" -gt "$PIECE_MOST"
	# Another connection open on the worker (a client still sending its
	# ClientHello): the reply goes out a piece at a time.
	"$TOOLS/holdconn" -u 127.0.0.1 "$PORT" 4 x >"$TMP/hold.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 5 grep -q held "$TMP/hold.out"
	most_per_turn "another connection open"
	check "another connection open: at most a piece written between two polls of the loop (most: $MOST bytes)" \
		test "$MOST" -gt 0 -a "$MOST" -le "$PIECE_MOST"
fi

stop_server
expect_eq "nothing unexpected on stderr" "" "$(stderr_problems "$TMP/server.log")"
