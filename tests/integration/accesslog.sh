#!/bin/sh
# Access log: the JSON-lines format (server.access_log_format: json) with
# its escaping, and SIGUSR1 reopening the log file after a rotation.
. "$ROOT/tests/lib.sh"


mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Logged capsule\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
loopback_config <<EOF
  certs: certs
  access_log: access.log
  access_log_format: json
  workers: 1
EOF
check "server ready" serve_and_wait "$TMP/canyon.yaml" "$TMP/err"
PORT=$(ready_port gemini)
get() {
	printf 'gemini://localhost%s\r\n' "$1" |
		timeout 5 socat - "OPENSSL:127.0.0.1:$PORT,verify=0,snihost=localhost" >/dev/null
}
lines() { [ "$(wc -l <"$TMP/$1" 2>/dev/null)" -ge "$2" ]; }

get /
# A quote, a newline, UTF-8 (é) and a byte that is not UTF-8.
get '/a%22b%0A%C3%A9%FF'
check "two lines logged" wait_for 5 lines access.log 2
expect_match "JSON line for /" \
	'^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z","client":"127\.0\.0\.1","host":"localhost","path":"/","status":20,"bytes":[0-9]+,"ms":[0-9]+\.[0-9]{3}\}$' \
	"$(sed -n 1p "$TMP/access.log")"
expect_match "JSON escaping of the path" \
	'"path":"/a\\"b\\u000aé\\\\xff","status":5[0-9],' "$(sed -n 2p "$TMP/access.log")"

# Rotation: the file is renamed, SIGUSR1 makes the server write to a new
# one by the configured name.
mv "$TMP/access.log" "$TMP/access.log.1"
kill -USR1 "$SERVER_PID"
check "the new log file is created" wait_for 5 test -f "$TMP/access.log"
get /after-rotation
check "the next request goes to the new file" wait_for 5 lines access.log 1
expect_match "new file holds the new request" '"path":"/after-rotation"' \
	"$(cat "$TMP/access.log")"
expect_eq "the rotated file keeps only the old requests" 2 \
	"$(wc -l <"$TMP/access.log.1")"
check "server still running after SIGUSR1" kill -0 "$SERVER_PID"
stop_server
expect_eq "no error output after a clean stop" "" \
	"$(stderr_problems "$TMP/err")"
exit 0
