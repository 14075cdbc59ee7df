#!/bin/sh
# canyon serve over real TLS sockets on loopback: status codes with their
# exact headers, close_notify, SNI, limits, traversal, MIME, reload, stop.
. "$ROOT/tests/lib.sh"
GEMREQ="$TOOLS/gemreq"

# --- fixture: two capsules, certificates, a client certificate ---------
mkdir -p "$TMP/pub/tags" "$TMP/pub/private" "$TMP/pub/.well-known" \
    "$TMP/other" "$TMP/secret" "$TMP/certs"
printf '# Home\n안녕하세요\n' >"$TMP/pub/index.gmi"
printf '# Tags\n' >"$TMP/pub/tags/index.gmi"
printf '# Private\n' >"$TMP/pub/private/index.gmi"
printf 'plain text\n' >"$TMP/pub/a.txt"
printf '<feed/>\n' >"$TMP/pub/atom.xml"
printf '\211PNG\r\n' >"$TMP/pub/img.png"
printf 'hidden\n' >"$TMP/pub/.hidden"
printf 'secret\n' >"$TMP/secret/key"
ln -s ../secret/key "$TMP/pub/escape"
head -c 3000000 /dev/urandom >"$TMP/pub/big.bin"
head -c 24000000 /dev/urandom >"$TMP/pub/huge.bin"
head -c 8000000 /dev/urandom >"$TMP/pub/mid.bin"
cp "$TMP/pub/mid.bin" "$TMP/mid.orig"
printf '# Other host\n' >"$TMP/other/index.gmi"
mkcert() { # NAME FILE-PREFIX
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$2.key" -out "$2.crt" -days 3650 -subj "/CN=$1" \
	    -addext "subjectAltName=DNS:$1" 2>/dev/null
}
mkcert localhost "$TMP/certs/localhost"
# other.test's certificate comes from a CA through an intermediate, its
# file holding the leaf then the intermediate, as a CA delivers them.
mkcert root.test "$TMP/root"
issue() { # CN FILE-PREFIX ISSUER-PREFIX EXTENSIONS
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$2.key" -out "$2.csr" -subj "/CN=$1" 2>/dev/null &&
		openssl x509 -req -in "$2.csr" -CA "$3.crt" -CAkey "$3.key" \
		    -CAcreateserial -days 3650 -out "$2.crt" -extfile /dev/stdin \
		    2>/dev/null <<EXT
$4
EXT
}
issue "Test Intermediate" "$TMP/inter" "$TMP/root" "basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign"
issue other.test "$TMP/leaf" "$TMP/inter" "subjectAltName=DNS:other.test"
cat "$TMP/leaf.crt" "$TMP/inter.crt" >"$TMP/certs/other.test.crt"
cp "$TMP/leaf.key" "$TMP/certs/other.test.key"
mkcert client "$TMP/client"
mkcert intruder "$TMP/intruder"
FP=$(openssl x509 -noout -fingerprint -sha256 -in "$TMP/client.crt" | sed 's/.*=//')

write_config() {
	cat >"$TMP/canyon.yaml" <<YAML
output: pub
server:
  hostname: localhost
  listen: ["127.0.0.1:0", "[::1]:0"]
  gopher_listen: ["127.0.0.1:0"]
  workers: 2
  timeout_request: 2
  timeout_write: 3
  max_in_memory: 10000000
  access_log: access.log
  hosts:
    - {name: other.test, root: other}
    - {name: fresh.test, root: other}
  redirects:
    - {from: /old, to: /tags/, permanent: true}
    - {from: /moved, to: gemini://localhost/a.txt, permanent: false}
  gone: [/removed/]
  client_cert_areas:
    - {path: /private/, fingerprints: ["$FP"]}
limits:
  # Shedding (limits.sh) must not depend on how busy the test machine is:
  # a sanitizer build on a loaded runner can run 20 ms late.
  max_delay: 60
YAML
}
write_config

serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"
PORT=$(ready_port gemini)
check "server wrote its ports to the ready file" test -n "$PORT"

# req URL [gemreq options]: reply in $TMP/out, facts in $TMP/err
req() {
	url=$1
	shift
	printf '%s\r\n' "$url" | "$GEMREQ" -p "$PORT" "$@" >"$TMP/out" 2>"$TMP/err"
}
# exact REPLY_HEAD DESCRIPTION: the whole reply equals the header (no body)
exact() {
	expect_eq "$2" "$(printf '%s\r\n' "$1" | od -c)" "$(od -c <"$TMP/out")"
}
head1() { head -n 1 "$TMP/out" | tr -d '\r'; }

req gemini://localhost/
expect_eq "20 for the index with charset and lang" \
    "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
expect_eq "index body follows the header" "$(printf '# Home\n안녕하세요')" \
    "$(tail -n +2 "$TMP/out")"
expect_match "close_notify after a 20" '^close_notify$' "$(cat "$TMP/err")"
expect_match "TLS 1.3 by default" '^version=TLSv1.3$' "$(cat "$TMP/err")"

req gemini://localhost
expect_eq "empty path served directly" "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
req GEMINI://LOCALHOST:$PORT/
expect_eq "a port other than the public one is refused" "53 Proxy request refused" "$(head1)"
req GEMINI://LOCALHOST/
expect_eq "scheme and host are case-insensitive" "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
req gemini://127.0.0.1/ -S
expect_eq "IP literal without SNI gets the default host" "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"

req gemini://localhost/tags
exact "31 /tags/" "directory without slash redirects"
req gemini://localhost/tags/
expect_eq "directory serves index.gmi" "# Tags" "$(tail -n +2 "$TMP/out")"
req gemini://localhost/nothing
exact "51 Not found" "51 with an empty body"
expect_match "close_notify after a 51" '^close_notify$' "$(cat "$TMP/err")"
req gemini://example.com/
exact "53 Proxy request refused" "another host is 53"
expect_match "close_notify after a 53" '^close_notify$' "$(cat "$TMP/err")"
req https://localhost/
exact "53 Proxy request refused" "another scheme is 53"
req gemini://u@localhost/
exact "59 Userinfo is not allowed" "userinfo is 59"
expect_match "close_notify after a 59" '^close_notify$' "$(cat "$TMP/err")"
req gemini://localhost/#frag
exact "59 Fragment is not allowed" "fragment is 59"
req //localhost/
exact "59 Not an absolute URL" "no scheme is 59"
printf 'gemini://localhost/\377\r\n' | "$GEMREQ" -p "$PORT" >"$TMP/out" 2>"$TMP/err"
exact "59 Request is not valid UTF-8" "invalid UTF-8 is 59"

req gemini://localhost/old
exact "31 /tags/" "configured permanent redirect"
req gemini://localhost/moved
exact "30 gemini://localhost/a.txt" "configured temporary redirect"
req gemini://localhost/removed/post/
exact "52 Gone" "configured gone"
req gemini://localhost/search
exact "10 Search the capsule" "search without a query prompts"
req "gemini://localhost/search?%EB%9D%BC%EC%8A%A4"
expect_eq "search with a query is a gemtext page" \
    "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
req gemini://localhost/private/
exact "60 Client certificate required" "certificate area without a certificate"
req gemini://localhost/private/ -C "$TMP/intruder.crt" -K "$TMP/intruder.key"
exact "61 Certificate not authorised" "certificate area with an unknown certificate"
req gemini://localhost/private/ -C "$TMP/client.crt" -K "$TMP/client.key"
expect_eq "certificate area with the allowed certificate" "# Private" "$(tail -n +2 "$TMP/out")"

# --- the 1024-byte limit ------------------------------------------------
prefix="gemini://localhost/"
pad() { head -c "$1" /dev/zero | tr '\0' a; }
req "$prefix$(pad $((1024 - ${#prefix})))"
exact "51 Not found" "a 1024-byte URI is processed"
start=$(date +%s)
req "$prefix$(pad $((1025 - ${#prefix})))"
exact "59 Request too long" "a 1025-byte URI is refused"
check "the refusal is prompt" test $(($(date +%s) - start)) -lt 2

# --- traversal ------------------------------------------------------------
for p in ../secret/key %2e%2e/secret/key a/%2e%2e/index.gmi tags%2findex.gmi index.gmi%00 ./index.gmi; do
	req "gemini://localhost/$p"
	expect_eq "traversal attempt /$p is 59" "59" "$(head1 | cut -c1-2)"
done
req gemini://localhost/escape
exact "51 Not found" "a symlink leading out of the root is not served"
req gemini://localhost/.hidden
exact "51 Not found" "dot-files are not served"

# --- MIME, streaming ----------------------------------------------------------
req gemini://localhost/a.txt
expect_eq "text/plain with charset" "20 text/plain; charset=utf-8" "$(head1)"
req gemini://localhost/atom.xml
expect_eq "atom.xml is Atom" "20 application/atom+xml; charset=utf-8" "$(head1)"
req gemini://localhost/img.png
expect_eq "png by extension" "20 image/png" "$(head1)"
req gemini://localhost/big.bin
expect_eq "unknown extension is octet-stream" "20 application/octet-stream" "$(head1)"
tail -c +30 "$TMP/out" >"$TMP/big.got"
check "a 3 MB file arrives byte-exact" cmp -s "$TMP/pub/big.bin" "$TMP/big.got"
expect_match "close_notify after a multi-MB body" '^close_notify$' "$(cat "$TMP/err")"

req gemini://localhost/huge.bin -D 1500
tail -c +30 "$TMP/out" >"$TMP/huge.got"
check "a slow reader of 24 MB gets it byte-exact" cmp -s "$TMP/pub/huge.bin" "$TMP/huge.got"
expect_match "and its close_notify, sent once the socket had room" '^close_notify$' \
    "$(cat "$TMP/err")"
rm -f "$TMP/huge.got" "$TMP/out"

printf 'gemini://localhost/huge.bin\r\n' |
    "$GEMREQ" -p "$PORT" -B 16384 -D 5000 >"$TMP/out" 2>"$TMP/err"
check "a client that stops reading is cut off after timeout_write" \
    test "$(stat -c %s "$TMP/out")" -lt 24000029
expect_match "without a close_notify (the reply is incomplete)" '^no_close_notify$' \
    "$(cat "$TMP/err")"

# --- TLS, SNI, IPv6 -------------------------------------------------------------
req gemini://localhost/ -s localhost
expect_match "SNI localhost gets its certificate" '^cn=localhost$' "$(cat "$TMP/err")"
req gemini://other.test/ -s OTHER.TEST.
expect_match "SNI other.test (any case, trailing dot) gets its certificate" \
    '^cn=other.test$' "$(cat "$TMP/err")"
expect_eq "other.test serves its own root" "# Other host" "$(tail -n +2 "$TMP/out")"
chain() { # the subjects of the certificates the server sends for SNI $1
	printf 'gemini://%s/\r\n' "$1" | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" \
	    -servername "$1" 2>/dev/null |
		sed -n '/^Certificate chain/,/^---/s/^ *[0-9]* s:.*CN *= *//p' | paste -sd, -
}
expect_eq "a certificate file's intermediate is sent after the leaf" \
    "other.test,Test Intermediate" "$(chain other.test)"
expect_eq "a lone self-signed certificate is sent alone" localhost "$(chain localhost)"
req gemini://localhost/ -S
expect_match "no SNI gets the default certificate" '^cn=localhost$' "$(cat "$TMP/err")"
req gemini://localhost/ -s unknown.example
expect_match "unknown SNI still completes with the default certificate" \
    '^cn=localhost$' "$(cat "$TMP/err")"
req gemini://fresh.test/ -s fresh.test
expect_match "a host without a certificate gets a self-signed one at start" \
    '^cn=fresh.test$' "$(cat "$TMP/err")"
expect_eq "its key is private" 600 "$(stat -c %a "$TMP/certs/fresh.test.key")"
req gemini://localhost/ -6
expect_eq "IPv6 loopback serves" "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
req gemini://localhost/ -V tls1.2
expect_match "TLS 1.2 is accepted" '^version=TLSv1.2$' "$(cat "$TMP/err")"
expect_match "close_notify over TLS 1.2" '^close_notify$' "$(cat "$TMP/err")"
resume() { # s_client options: "Reused" or "New" for a second connection
	printf 'gemini://localhost/\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" \
	    -servername localhost -sess_out "$TMP/sess" "$@" >/dev/null 2>&1
	printf 'gemini://localhost/\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$PORT" \
	    -servername localhost -sess_in "$TMP/sess" "$@" 2>/dev/null | grep -Eo '^(Reused|New)'
}
expect_eq "TLS 1.2 sessions resume from the server's cache" Reused "$(resume -tls1_2 -no_ticket)"
expect_eq "TLS 1.2 sessions resume from a ticket" Reused "$(resume -tls1_2)"
req gemini://localhost/ -V tls1.1
expect_match "TLS 1.1 is refused" '^handshake_failed$' "$(cat "$TMP/err")"
printf 'gemini://localhost/\r\n' | timeout 5 socat -t 3 - "TCP:127.0.0.1:$PORT" >"$TMP/plain" 2>/dev/null
check "plain TCP gets no Gemini header" sh -c "! grep -aq '^[0-9][0-9] ' '$TMP/plain'"

# --- slow clients -------------------------------------------------------------
req gemini://localhost/ -w 300
expect_eq "a request split over two records is served" \
    "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
# With read-ahead, the read that brings the client's Finished brings a
# request sent in the same segment too: it must be answered at once, not
# left in OpenSSL's buffer until the request timeout.
req gemini://localhost/ -1
expect_eq "a request in one segment with the client's Finished is served" \
    "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"
start=$(date +%s)
printf 'gemini://localhost/\n' | timeout 10 "$GEMREQ" -p "$PORT" >"$TMP/out" 2>"$TMP/err"
took=$(($(date +%s) - start))
check "LF without CR gets no answer" test ! -s "$TMP/out"
check "an unfinished request is closed at the timeout ($took s)" test "$took" -ge 1 -a "$took" -le 6
# 50 clients that finish their handshakes together, then send their
# request a byte a second, never its end: all closed by the same timeout.
"$TOOLS/../bench/trickle" -n 50 -t 10 -s 127.0.5.1/25 --tls localhost \
    127.0.0.1 "$PORT" >"$TMP/trickle.out"
expect_match "50 requests trickling after the handshake: all closed at the timeout" \
    '^opened 50 closed_by_server 50 still_open 0 lifetime_s min [12]\.[0-9] median 2\.[0-9] max [23]\.[0-9] opening_s [01]\.' \
    "$(cat "$TMP/trickle.out")"

req gemini://localhost/big.bin -R
req gemini://localhost/
expect_eq "a client that resets before reading does not hurt the server" \
    "20 text/gemini; charset=utf-8; lang=ko" "$(head1)"

# --- random requests: only the codes of protocols.md section 3 ----------------
bad=""
for i in $(seq 25); do
	head -c $((i * 7)) /dev/urandom | tr -d '\r\n' >"$TMP/junk"
	case $((i % 3)) in
	0) printf 'gemini://localhost/' ;;
	1) printf 'gemini://' ;;
	esac >"$TMP/rq"
	cat "$TMP/junk" >>"$TMP/rq"
	printf '\r\n' >>"$TMP/rq"
	"$GEMREQ" -p "$PORT" <"$TMP/rq" >"$TMP/out" 2>/dev/null
	code=$(head -c 3 "$TMP/out")
	case "$code" in
	"10 " | "20 " | "30 " | "31 " | "51 " | "53 " | "59 ") ;;
	*) bad="$bad [$code]" ;;
	esac
done
expect_eq "random requests get only codes of section 3" "" "$bad"

# --- access log -----------------------------------------------------------------
sleep 1.2
expect_match "access log line: client, host, path, status, bytes, duration" \
    '^[0-9T:-]+Z 127\.0\.0\.1 localhost /tags 31 11 [0-9.]+ms$' "$(cat "$TMP/access.log")"
req gemini://localhost/a%09b
exact "59 Malformed path" "a decoded control character in the path is 59"
sleep 1.2
expect_match "access log escapes control characters" 'localhost /a\\x09b 59 ' \
    "$(cat "$TMP/access.log")"

# --- reload -----------------------------------------------------------------------
# An 8 MB file kept in memory, read slowly across a reload that changes it:
# the reply in flight keeps the old content (and its memory) to the end.
printf 'gemini://localhost/mid.bin\r\n' |
    "$GEMREQ" -p "$PORT" -B 16384 -D 1500 >"$TMP/mid.out" 2>"$TMP/mid.err" &
reader=$!
sleep 0.7
printf 'changed\n' >"$TMP/pub/a.txt"
printf 'new\n' >"$TMP/pub/mid.bin"
kill -HUP "$SERVER_PID"
wait $reader
tail -c +30 "$TMP/mid.out" >"$TMP/mid.got"
check "a reply in flight across a reload keeps its old content" \
    cmp -s "$TMP/mid.orig" "$TMP/mid.got"
expect_match "and ends with close_notify" '^close_notify$' "$(cat "$TMP/mid.err")"
sleep 0.5
req gemini://localhost/a.txt
expect_eq "SIGHUP reloads changed content" "changed" "$(tail -n +2 "$TMP/out")"
req gemini://localhost/mid.bin
expect_eq "new connections get the new content" "new" "$(tail -n +2 "$TMP/out")"
mkcert renewed "$TMP/certs/localhost"
kill -HUP "$SERVER_PID"
sleep 0.5
req gemini://localhost/
expect_match "SIGHUP reloads the certificates" '^cn=renewed$' "$(cat "$TMP/err")"
printf 'server:\n  port: [broken\n' >"$TMP/canyon.yaml"
kill -HUP "$SERVER_PID"
sleep 0.5
req gemini://localhost/a.txt
expect_eq "a broken config on reload keeps the old one serving" "changed" \
    "$(tail -n +2 "$TMP/out")"
expect_match "the broken config is reported with file and line" \
    "reload refused.*canyon.yaml:[0-9]+" "$(cat "$TMP/server.log")"

# --- stop -------------------------------------------------------------------------
# A download in flight when SIGTERM comes is finished, then the server exits.
printf 'gemini://localhost/huge.bin\r\n' | "$GEMREQ" -p "$PORT" -D 1500 >"$TMP/out" 2>"$TMP/err" &
reader=$!
sleep 0.7
kill -TERM "$SERVER_PID"
wait $reader
tail -c +30 "$TMP/out" >"$TMP/huge.got"
check "SIGTERM lets a download in flight finish byte-exact" \
    cmp -s "$TMP/pub/huge.bin" "$TMP/huge.got"
expect_match "with its close_notify" '^close_notify$' "$(cat "$TMP/err")"
i=0
while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
expect_eq "SIGTERM stops the server with status 0" 0 "$rc"
check "no sanitizer report from the server" \
    sh -c "! grep -E 'Sanitizer|runtime error' '$TMP/server.log'"

# --- a broken config at start ---------------------------------------------------
printf 'server:\n  workers: many\n' >"$TMP/bad.yaml"
"$CANYON" serve -c "$TMP/bad.yaml" >"$TMP/bad.out" 2>&1
rc=$?
expect_eq "a broken config stops the start with status 1" 1 "$rc"
expect_match "and names the file and line" 'bad.yaml:2: ' "$(cat "$TMP/bad.out")"
printf 'server:\n  colour: blue\n' >"$TMP/bad.yaml"
"$CANYON" serve -c "$TMP/bad.yaml" >"$TMP/bad.out" 2>&1
expect_match "an unknown key is refused" "bad.yaml:2: unknown key 'colour'" "$(cat "$TMP/bad.out")"
exit 0
