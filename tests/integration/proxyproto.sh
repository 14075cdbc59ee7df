#!/bin/sh
# PROXY protocol on the listeners configured for it, over real loopback
# sockets: v1 and v2 headers give the logged client address; LOCAL and
# UNKNOWN keep the connection's own; a missing, bad or unfinished header
# closes the connection; a listener not configured for it does not trust
# a header at all.
. "$ROOT/tests/lib.sh"



mkdir -p "$TMP/pub" "$TMP/certs"
printf '# Proxied capsule\n' >"$TMP/pub/index.gmi"
# (The Gopher answers are only checked to be there: what they hold is the
# Gopher suites' business; the logged addresses are this suite's.)
make_cert "$TMP/certs"

# p: both listeners behind a balancer; n: the same without proxy_protocol.
cat >"$TMP/p.yaml" <<EOF
output: pub
server:
  listen: [{address: "127.0.0.1:0", proxy_protocol: true}]
  gopher_listen: [{address: "127.0.0.1:0", proxy_protocol: true}]
  certs: certs
  access_log: p.log
  workers: 1
  timeout_request: 1
limits:
  rate: 0.01
  burst: 2
EOF
sed -e 's/{address: \("[^"]*"\), proxy_protocol: true}/\1/' -e 's/p\.log/n.log/' \
	"$TMP/p.yaml" >"$TMP/n.yaml"
for i in p n; do
	serve_instance $i "$TMP/$i.yaml"
done
check "proxied instance ready" wait_for 10 test -s "$TMP/p.ready"
check "plain instance ready" wait_for 10 test -s "$TMP/n.ready"
port() { ready_port "$2" "$TMP/$1.ready"; }
PG=$(port p gopher)

# send PORT: stdin to the Gopher port, the answer on stdout.
send() { timeout 5 socat -t 3 - "TCP:127.0.0.1:$1"; }
V2SIG='\015\012\015\012\000\015\012\121\125\111\124\012'

out=$(printf 'PROXY TCP4 192.0.2.7 127.0.0.1 56324 70\r\n/\r\n' | send "$PG")
expect_match "v1 TCP4 header, then the selector" '[^[:space:]]' "$out"
out=$(printf 'PROXY TCP6 2001:db8::7 ::1 56324 70\r\n/\r\n' | send "$PG")
expect_match "v1 TCP6 header" '[^[:space:]]' "$out"
# v2, PROXY over TCP/IPv4: 198.51.100.9:12345 -> 127.0.0.1:70
out=$(printf "$V2SIG"'\041\021\000\014\306\063\144\011\177\000\000\001\060\071\000\106/\r\n' |
	send "$PG")
expect_match "v2 IPv4 header" '[^[:space:]]' "$out"
out=$(printf "$V2SIG"'\040\000\000\000/\r\n' | send "$PG")
expect_match "v2 LOCAL header (a health check)" '[^[:space:]]' "$out"
out=$(printf 'PROXY UNKNOWN\r\n/\r\n' | send "$PG")
expect_match "v1 UNKNOWN header" '[^[:space:]]' "$out"
out=$( (printf 'PROXY TCP4 203.0.113.5 127.0.0'; sleep 0.3; printf '.1 1000 70\r\n/\r\n') |
	send "$PG")
expect_match "header split over two segments" '[^[:space:]]' "$out"

out=$(printf '/\r\n' | send "$PG")
expect_eq "no header: closed without an answer" "" "$out"
out=$(printf 'PROXY TCP4 192.0.2.7 127.0.0.1 99999 70\r\n/\r\n' | send "$PG")
expect_eq "bad header: closed without an answer" "" "$out"
# socat stops 0.2 s after the server closes, while its input still waits;
# it is timed alone (the pipeline waits for the sleep).
out=$( (printf 'PROXY TCP4 192.0.2.'; sleep 4) | {
	start=$(date +%s%N)
	timeout 6 socat -t 0.2 - "TCP:127.0.0.1:$PG"
	echo "took $((($(date +%s%N) - start) / 1000000))"
})
took=${out#took }
expect_eq "unfinished header: closed without an answer" "took $took" "$out"
check "unfinished header: closed by timeout_request (1 s) after ${took} ms" \
	test "$took" -ge 900 -a "$took" -le 3000
out=$(printf 'gemini://localhost/\r\n' |
	timeout 5 socat - "OPENSSL:127.0.0.1:$(port p gemini),verify=0,snihost=localhost" 2>&1)
expect_match "Gemini without a header: no TLS handshake" 'SSL_connect|Connection reset|error' "$out"

# Rate limits follow the address of the PROXY header: one client spends
# its budget (2, then 2 more at the lowest priority) and is refused, while
# another behind the same balancer is still served. Once refused twice, its
# connections are closed before any reply (and any log line).
limited=0
answered=0
for n in 1 2 3 4 5 6; do
	out=$(printf 'PROXY TCP4 192.0.2.50 127.0.0.1 4000 70\r\n/\r\n' | send "$PG")
	[ -n "$out" ] && answered=$((answered + 1))
	printf '%s' "$out" | grep -q 'Server busy' && limited=$((limited + 1))
done
check "a client over its budget is refused ($limited of 6)" test "$limited" -ge 1
out=$(printf 'PROXY TCP4 192.0.2.51 127.0.0.1 4001 70\r\n/\r\n' | send "$PG")
expect_match "another client behind the same balancer is served" '^i|^1|^0' "$out"
check "... not refused" sh -c "! printf '%s' \"\$1\" | grep -q 'Server busy'" sh "$out"

# A header sent to a listener that does not expect one is not trusted: it
# is just a (bad) selector, logged with the real peer address.
printf 'PROXY TCP4 192.0.2.66 127.0.0.1 56324 70\r\n' | send "$(port n gopher)" >/dev/null

# The access logs are flushed once a second.
logged() { [ "$(wc -l <"$TMP/$1.log" 2>/dev/null)" -ge "$2" ]; }
check "proxied requests logged" wait_for 5 logged p $((7 + answered))
check "plain request logged" wait_for 5 logged n 1
expect_eq "logged client addresses, in order" \
	"192.0.2.7 2001:db8::7 198.51.100.9 127.0.0.1 127.0.0.1 203.0.113.5 $(seq "$answered" | sed 's/.*/192.0.2.50/' | tr '\n' ' ')192.0.2.51" \
	"$(awk '{ print $2 }' "$TMP/p.log" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "refusals logged as 44 for the client over its budget only" \
	"192.0.2.50 $limited" \
	"$(awk '$5 == 44 { n[$2]++ } END { for (a in n) print a, n[a] }' "$TMP/p.log")"
expect_eq "header on a plain listener: the real address logged" "127.0.0.1" \
	"$(awk '{ print $2 }' "$TMP/n.log")"
stop_instances p n
exit 0
