#!/bin/sh
# The operations keys of canyon.yaml refused with FILE:LINE when wrong:
# listener mappings, proxy_protocol, access_log_format, ticket_key_file
# (size and permissions), at start and on reload.
. "$ROOT/tests/lib.sh"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Capsule\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
head -c 80 /dev/urandom >"$TMP/ticket.key"
chmod 600 "$TMP/ticket.key"

# conf LINES...: a configuration with the given server: lines.
conf() {
	{
		printf 'output: pub\nserver:\n  certs: certs\n  gopher_listen: ["127.0.0.1:0"]\n'
		for l in "$@"; do printf '  %s\n' "$l"; done
	} >"$TMP/c.yaml"
}
# refused DESCRIPTION PATTERN: serve exits 1 at once with PATTERN on stderr.
refused() {
	timeout 10 "$CANYON" serve -c "$TMP/c.yaml" >/dev/null 2>"$TMP/err"
	expect_eq "$1: exit status" 1 $?
	expect_match "$1: message" "$2" "$(cat "$TMP/err")"
}

conf 'listen: [{address: "127.0.0.1:0", proxy_protocol: maybe}]'
refused "proxy_protocol not a boolean" 'c\.yaml:5: proxy_protocol must be true or false'
conf 'listen:' '  - {adress: "127.0.0.1:0"}'
refused "unknown key in a listener" "c\\.yaml:6: unknown key 'adress' in server\\.listen"
conf 'listen: [{proxy_protocol: true}]'
refused "listener without an address" 'c\.yaml:5: server\.listen: every item must be an address'
conf 'listen: ["127.0.0.1:0"]' 'access_log_format: xml'
refused "unknown access_log_format" 'c\.yaml:6: access_log_format must be common or json'
conf 'listen: ["127.0.0.1:0"]' 'ticket_key_file: ticket.key'
chmod 644 "$TMP/ticket.key"
refused "ticket key file readable by others" 'ticket\.key: mode 644'
chmod 600 "$TMP/ticket.key"
head -c 79 /dev/urandom >"$TMP/short.key"
chmod 600 "$TMP/short.key"
conf 'listen: ["127.0.0.1:0"]' 'ticket_key_file: short.key'
refused "ticket key file of 79 bytes" 'short\.key: 79 bytes'

# A key file made readable by others by mistake, then SIGHUP: the
# reload is refused and the server keeps serving.
conf 'listen: ["127.0.0.1:0"]' 'ticket_key_file: ticket.key' 'access_log: ""'
check "serves with a good key file" serve_and_wait "$TMP/c.yaml" "$TMP/serve.err"
PORT=$(ready_port gemini)
chmod 644 "$TMP/ticket.key"
kill -HUP "$SERVER_PID"
n=50
while ! grep -q 'reload refused' "$TMP/serve.err" && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
expect_match "reload with an exposed key file refused" 'reload refused.*ticket\.key: mode 644' \
	"$(cat "$TMP/serve.err")"
out=$(printf 'gemini://localhost/\r\n' |
	timeout 5 socat - "OPENSSL:127.0.0.1:$PORT,verify=0,snihost=localhost")
expect_match "still serving after the refused reload" '^20 text/gemini' "$out"
exit 0
