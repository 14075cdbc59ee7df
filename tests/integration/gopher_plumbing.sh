#!/bin/sh
# The Gopher listener of canyon serve over raw TCP: the connection layer
# (line limits, bare LF, one reply then close); the menus themselves are
# tested with the Gopher site.
. "$ROOT/tests/lib.sh"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Home\n' >"$TMP/pub/index.gmi"
seq 1 100000 >"$TMP/pub/big.txt" # 589 KB, kept in memory
make_cert "$TMP/certs"
cat >"$TMP/canyon.yaml" <<YAML
output: pub
server:
  listen: ["127.0.0.1:0"]
  gopher_listen: ["127.0.0.1:0", "[::1]:0"]
  workers: 1
  timeout_request: 2
  access_log: access.log
limits: # a burst from one address below
  rate: 1000
  burst: 1000
  max_connections_per_address: 1000
YAML
serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"
PORT=$(ready_port gopher)
check "the ready file names the Gopher port" test -n "$PORT"

ask() { # BYTES [ADDRESS]: reply in $TMP/out
	printf "$1" | timeout 10 socat -t 8 - "TCP:${2:-127.0.0.1}:$PORT" >"$TMP/out" 2>/dev/null
}
ask '\r\n'
check "the empty selector gets a reply" test -s "$TMP/out"
expect_eq "the reply ends with the terminator line" "." "$(tail -n 1 "$TMP/out" | tr -d '\r')"
ask '/\n'
check "a bare LF ends the request too" test -s "$TMP/out"
ask '\r\n' '[::1]'
check "IPv6 on the same port" test -s "$TMP/out"
# A selector that is all there when the connection is accepted is answered
# at once; one that comes in several segments is read by the event loop.
(printf '/ind'; sleep 0.3; printf 'ex.'; sleep 0.3; printf 'gmi\r\n') |
	timeout 10 socat -t 8 - "TCP:127.0.0.1:$PORT" >"$TMP/split" 2>/dev/null
expect_eq "a selector sent in three segments is answered" \
    "$(cat "$TMP/out")" "$(cat "$TMP/split")"
# A reply larger than the socket takes at once (a client with a small
# receive window) is written in one go as far as it goes, the rest by the
# event loop.
printf '/big.txt\r\n' | timeout 10 socat -t 8 - "TCP:127.0.0.1:$PORT,rcvbuf=4096" >"$TMP/big" 2>/dev/null
expect_eq "a 589 KB reply to a slow reader arrives whole" \
    "$(awk 'END { print NR }' "$TMP/pub/big.txt") $(tail -n 1 "$TMP/pub/big.txt")" \
    "$(tr -d '\r' <"$TMP/big" | awk '$0 == "." { exit } { n++; last = $0 } END { print n, last }')"
# A client that sends more than its selector, more than the first read
# takes, gets its whole reply: the bytes left unread would make the close a
# reset that destroys it, so the server half-closes and lingers.
junk=$(head -c 3000 /dev/zero | tr '\0' x)
printf '/big.txt\r\n%s' "$junk" | timeout 10 socat -t 8 - "TCP:127.0.0.1:$PORT" >"$TMP/junk" 2>/dev/null
expect_eq "a long reply followed by unread bytes from the client arrives whole" \
    "$(awk 'END { print NR }' "$TMP/pub/big.txt") $(tail -n 1 "$TMP/pub/big.txt")" \
    "$(tr -d '\r' <"$TMP/junk" | awk '$0 == "." { exit } { n++; last = $0 } END { print n, last }')"
ask '\r\n'
printf '\r\n%s' "$junk" | timeout 10 socat -t 8 - "TCP:127.0.0.1:$PORT" >"$TMP/junk" 2>/dev/null
expect_eq "so does a short one, written at once" "$(cat "$TMP/out")" "$(cat "$TMP/junk")"
# Connections waiting together in the accept queue are each answered.
i=0 pids=""
while [ $i -lt 40 ]; do
	printf '\r\n' | timeout 10 socat -t 8 - "TCP:127.0.0.1:$PORT" >"$TMP/burst.$i" 2>/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
expect_eq "40 clients connecting at once all get the home menu" 40 \
    "$(cat "$TMP"/burst.* | grep -c '^iHome')"
long=$(head -c 1100 /dev/zero | tr '\0' a)
ask "$long\r\n"
expect_eq "an over-long selector is a type 3 error" \
    "$(printf '3Selector too long\t\terror.host\t1')" "$(head -n 1 "$TMP/out" | tr -d '\r')"
start=$(date +%s)
ask 'no end of line'
took=$(($(date +%s) - start))
check "a selector without end of line gets nothing" test ! -s "$TMP/out"
check "and is closed at the timeout ($took s)" test "$took" -le 6
sleep 1.2
expect_match "Gopher requests are logged" '127\.0\.0\.1 localhost - [0-9]+ [0-9]+ ' \
    "$(cat "$TMP/access.log")"
# A second server on the same port is refused, not let in to share it.
GEMINI_PORT=$(awk '$1 == "gemini" {print $2}' "$TMP/ready")
sed -e "s/127.0.0.1:0\"]/127.0.0.1:$GEMINI_PORT\"]/" -e 's/: access\.log/: access2.log/' \
    "$TMP/canyon.yaml" >"$TMP/second.yaml"
timeout 10 "$CANYON" serve -c "$TMP/second.yaml" >"$TMP/second.log" 2>&1
rc=$?
expect_eq "a second server on a port in use exits with status 1" 1 "$rc"
expect_match "saying the address is in use" \
    "cannot listen on 127.0.0.1:$GEMINI_PORT: Address already in use" "$(cat "$TMP/second.log")"

# A connection that has sent nothing does not hold the stop up.
timeout 8 socat -u "TCP:127.0.0.1:$PORT" /dev/null 2>/dev/null &
idle=$!
sleep 0.5
start=$(date +%s%N)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
SERVER_PID=""
expect_eq "SIGTERM stops the server with status 0" 0 "$rc"
# (well before timeout_request, 2 s, would have closed it)
check "at once, though a client is connected without a request ($took ms)" \
    test "$took" -lt 1000
kill $idle 2>/dev/null
check "no sanitizer report from the server" \
    sh -c "! grep -E 'Sanitizer|runtime error' '$TMP/server.log'"

# --- out of descriptors: accepting pauses, and goes on afterwards -----------
# With few descriptors, connections held open use them all up: accept()
# fails with EMFILE; the server says so, pauses accepting rather than
# spinning on the listener, and serves again once they are closed.
(
	ulimit -n 40
	exec "$CANYON" serve -c "$TMP/canyon.yaml" --ready-file "$TMP/ready_fd" 2>"$TMP/fd.log"
) &
SERVER_PID=$!
i=0
while [ ! -s "$TMP/ready_fd" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(awk '$1 == "gopher" {print $2}' "$TMP/ready_fd")
"$TOOLS/holdconn" -n 60 -u 127.0.0.1 "$PORT" 2 /index >"$TMP/hold.out" 2>&1
expect_match "out of descriptors, the server says why it cannot accept" \
    'accept: Too many open files' "$(cat "$TMP/fd.log")"
ask '\r\n'
check "and once they are closed, it serves again" grep -q '^iHome' "$TMP/out"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=""
check "no sanitizer report from the server" \
    sh -c "! grep -E 'Sanitizer|runtime error' '$TMP/fd.log'"

# --- port 70 without root: a clear message and port 7070 -------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	mkdir "$TMP/run"
	chown -R nobody "$TMP/pub" "$TMP/certs" "$TMP/run"
	cat >"$TMP/user.yaml" <<YAML
output: pub
server:
  listen: ["127.0.0.1:0"]
  gopher_listen: ["127.0.0.1:70"]
  workers: 1
  access_log: ""
YAML
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$CANYON" serve -c "$TMP/user.yaml" --ready-file "$TMP/run/ready" 2>"$TMP/user.log" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$TMP/run/ready" ] && [ $i -lt 100 ] && kill -0 $SERVER_PID 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	expect_match "without root, port 70 is refused with a clear message" \
	    'ports below 1024 need root; serving Gopher on port 7070 instead' "$(cat "$TMP/user.log")"
	expect_eq "and Gopher listens on 7070" "gopher 7070" "$(grep gopher "$TMP/run/ready" 2>&1)"
	PORT=7070
	ask '\r\n'
	expect_match "menus name the port really served" '	localhost	7070' "$(cat "$TMP/out")"
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_PID=""
fi
exit 0
