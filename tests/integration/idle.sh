#!/bin/sh
# An idle server sleeps: once its connections are gone, the event loops'
# timers (the load-shedding delay probe) stop waking it many times a
# second, and the next connection starts them again. Counted from the
# kernel's voluntary context switches of every thread of the server.
. "$ROOT/tests/lib.sh"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Idle capsule\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
loopback_config <<EOF
  certs: certs
  access_log: ""
  workers: 2
EOF
check "server ready" serve_and_wait "$TMP/canyon.yaml" "$TMP/err"
PORT=$(ready_port gemini)
get() {
	printf 'gemini://localhost/\r\n' |
		timeout 5 socat - "OPENSSL:127.0.0.1:$PORT,verify=0,snihost=localhost"
}
# switches: voluntary context switches of all the server's threads so far
switches() {
	cat /proc/"$SERVER_PID"/task/*/status |
		awk '$1 == "voluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}
# wakeups_in_a_second: how often the server woke up during one idle second
wakeups_in_a_second() {
	s0=$(switches)
	sleep 1
	echo $(($(switches) - s0))
}

expect_match "a request before the idle time" '^20 ' "$(get | head -1)"
sleep 1 # the probe winds down once the connection has closed
n=$(wakeups_in_a_second)
# Every loop has a one-second timer of its own (the access log's flush):
# a few wakeups a second; the probe alone would add 200 per loop.
check "idle: $n wakeups in a second (at most 20)" test "$n" -le 20
expect_match "a request after the idle time is answered" '^20 ' "$(get | head -1)"
n=$(wakeups_in_a_second)
check "idle again: $n wakeups in a second (at most 20)" test "$n" -le 20
stop_server
expect_eq "no error output after a clean stop" "" \
	"$(stderr_problems "$TMP/err")"
exit 0
