#!/bin/sh
# A Gemini client's ClientHello trickling in, over real sockets: the
# connection waits for it in the kernel (src/srv/hellowait.h), costs the
# server no read while it does, is served once the ClientHello is whole,
# and is closed by the request timeout when it never is; bytes that are
# no TLS handshake record go to OpenSSL at once, refused as before.
. "$ROOT/tests/lib.sh"
SLOW="$TOOLS/slowhello"
TRICKLE="$TOOLS/../bench/trickle"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Home\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
loopback_config <<YAML
  workers: 1
  timeout_request: 7
  access_log: ""
limits:
  max_connections_per_address: 64
YAML
"$CANYON" serve -c "$TMP/canyon.yaml" --ready-file "$TMP/ready" 2>"$TMP/server.log" &
SERVER_PID=$!
wait_for 10 test -s "$TMP/ready"
PORT=$(awk '$1 == "gemini" {print $2}' "$TMP/ready")
check "server started" test -n "$PORT"

# OpenSSL's ClientHello, one byte per segment 2 ms apart, then the rest of
# the handshake and a request.
expect_eq "a ClientHello sent a byte at a time, then a request: served" \
	"20 text/gemini; charset=utf-8; lang=ko" \
	"$("$SLOW" -g 2 127.0.0.1 "$PORT" gemini://localhost/)"

# Not the start of a ClientHello record: OpenSSL has it at once and
# answers as it always did (the request timeout is 7 s, the wait 5 s).
expect_eq "an application data record first: OpenSSL's unexpected_message alert" \
	"closed answered 7 1503010002020a" \
	"$("$SLOW" -x 1703010005aaaaaaaaaa 127.0.0.1 "$PORT")"
expect_eq "a record announcing 65535 bytes: OpenSSL's record_overflow alert" \
	"closed answered 7 15030300020216" \
	"$("$SLOW" -x 160301ffff 127.0.0.1 "$PORT")"
expect_eq "a plain-text request line: closed without a word" \
	"closed answered 0 " \
	"$("$SLOW" -x "$(printf 'gemini://localhost/\r\n' | od -An -tx1 | tr -d ' \n')" 127.0.0.1 "$PORT")"
# A whole record, a ClientHello too short to parse: OpenSSL's decode_error.
expect_eq "a whole but malformed ClientHello: OpenSSL's decode_error alert" \
	"closed answered 7 15030300020232" \
	"$("$SLOW" -x 16030100050100000100 127.0.0.1 "$PORT")"

# 50 connections trickle the start of a ClientHello record one byte a
# second: the 5-byte header, then a ClientHello that never completes. The
# server reads none of their bytes (read(2) counts from /proc: OpenSSL
# reads with read(), the wait only peeks with recv()); handed to OpenSSL
# at once, each byte would cost at least one read. The request timeout
# closes them all.
rchar() { awk '$1 == "rchar:" { print $2 }' /proc/"$SERVER_PID"/io; }
before=$(rchar)
"$TRICKLE" -n 50 -t 20 -s 127.0.4.1/10 127.0.0.1 "$PORT" >"$TMP/trickle.out"
after=$(rchar)
expect_match "50 trickling ClientHellos, all closed by the request timeout" \
	'^opened 50 closed_by_server 50 still_open 0 lifetime_s min [78]\.' \
	"$(cat "$TMP/trickle.out")"
expect_eq "... and not one of their bytes read by the server" \
	0 $((after - before))
expect_eq "after them, a client is served as usual" \
	"20 text/gemini; charset=utf-8; lang=ko" \
	"$("$SLOW" -g 0 127.0.0.1 "$PORT" gemini://localhost/)"
kill "$SERVER_PID" && wait "$SERVER_PID"
SERVER_PID=""
expect_eq "nothing unexpected on stderr" "" "$(stderr_problems "$TMP/server.log")"
exit 0
