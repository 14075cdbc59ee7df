#!/bin/sh
# Scale-out behind HAProxy: HAProxy in TCP mode on loopback in front of two
# canyon instances, Gemini with send-proxy-v2 and Gopher with send-proxy
# (v1). Checks that requests are spread over both instances, that each
# logs the client's address (127.0.0.2 / 127.0.0.3, not the 127.0.0.1 of
# HAProxy's own connections), and that a TLS session started on one
# instance resumes on the other (shared ticket_key_file).
. "$ROOT/tests/lib.sh"



# A capsule of one page, one certificate and one ticket key for both, in
# folders apart as on a real host (the sandbox lets the server read only
# what its configuration names: a reload must still find the key file).
mkdir -p "$TMP/srv/pub" "$TMP/srv/certs" "$TMP/keys" "$TMP/etc" "$TMP/log"
printf '# Capsule behind HAProxy\n' >"$TMP/srv/pub/index.gmi"
make_cert "$TMP/srv/certs"
head -c 80 /dev/urandom >"$TMP/keys/ticket.key"
chmod 600 "$TMP/keys/ticket.key"

for i in a b; do
	cat >"$TMP/etc/$i.yaml" <<EOF
output: $TMP/srv/pub
server:
  listen:
    - {address: "127.0.0.1:0", proxy_protocol: true}
  gopher_listen:
    - {address: "127.0.0.1:0", proxy_protocol: true}
  certs: $TMP/srv/certs
  access_log: $TMP/log/$i.log
  ticket_key_file: $TMP/keys/ticket.key
  workers: 1
EOF
	serve_instance $i "$TMP/etc/$i.yaml"
done
check "instance a ready" wait_for 10 test -s "$TMP/a.ready"
check "instance b ready" wait_for 10 test -s "$TMP/b.ready"
port() { ready_port "$2" "$TMP/$1.ready"; }

# HAProxy on a free port pair: tried from a random start, a few times.
hp_ok=false
for try in 1 2 3 4 5; do
	GEM=$(shuf -i 20000-59000 -n 1)
	GOPH=$((GEM + 1))
	cat >"$TMP/haproxy.cfg" <<EOF
global
	maxconn 200
defaults
	mode tcp
	timeout connect 2s
	timeout client 10s
	timeout server 10s
frontend gemini
	bind 127.0.0.1:$GEM
	default_backend canyon_gemini
backend canyon_gemini
	balance roundrobin
	server a 127.0.0.1:$(port a gemini) send-proxy-v2
	server b 127.0.0.1:$(port b gemini) send-proxy-v2
frontend gopher
	bind 127.0.0.1:$GOPH
	default_backend canyon_gopher
backend canyon_gopher
	balance roundrobin
	server a 127.0.0.1:$(port a gopher) send-proxy
	server b 127.0.0.1:$(port b gopher) send-proxy
EOF
	haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
	hp_pid=$!
	if wait_for 5 socat -u /dev/null "TCP:127.0.0.1:$GEM"; then
		PIDS="$PIDS $hp_pid"
		hp_ok=true
		break
	fi
	kill "$hp_pid" 2>/dev/null
	wait "$hp_pid" 2>/dev/null
done
check "haproxy started" $hp_ok
$hp_ok || { sed 's/^/#   /' "$TMP/haproxy.log"; exit 0; }

# Gemini and Gopher requests from client addresses other than HAProxy's.
gemini() {
	printf 'gemini://localhost/\r\n' |
		timeout 5 socat - "OPENSSL:127.0.0.1:$GEM,verify=0,snihost=localhost,bind=127.0.0.2"
}
gopher() {
	printf '/\r\n' | timeout 5 socat - "TCP:127.0.0.1:$GOPH,bind=127.0.0.3"
}
ok_gem=0
ok_goph=0
for n in 1 2 3 4 5 6; do
	gemini | grep -q '^# Capsule behind HAProxy' && ok_gem=$((ok_gem + 1))
	[ -n "$(gopher)" ] && ok_goph=$((ok_goph + 1))
done
expect_eq "6 Gemini requests through HAProxy answered" 6 "$ok_gem"
expect_eq "6 Gopher requests through HAProxy answered" 6 "$ok_goph"

# The access logs are flushed once a second.
logged_at_least() { [ "$(cat "$TMP/log/a.log" "$TMP/log/b.log" 2>/dev/null | wc -l)" -ge "$1" ]; }
check "12 requests logged" wait_for 5 logged_at_least 12
count() { grep -c "$2" "$TMP/log/$1.log" 2>/dev/null || true; }
expect_eq "Gemini spread: 3 on each instance" "3 3" \
	"$(count a ' 127\.0\.0\.2 ') $(count b ' 127\.0\.0\.2 ')"
expect_eq "Gopher spread: 3 on each instance" "3 3" \
	"$(count a ' 127\.0\.0\.3 ') $(count b ' 127\.0\.0\.3 ')"
expect_eq "no request logged with HAProxy's address" "0 0" \
	"$(count a ' 127\.0\.0\.1 ') $(count b ' 127\.0\.0\.1 ')"

# TLS session resumption across instances: HAProxy sends the second
# connection to the other instance (round robin), as the logs confirm.
sclient() {
	printf 'gemini://localhost/\r\n' |
		timeout 5 openssl s_client -connect "127.0.0.1:$GEM" -servername localhost \
			-ign_eof "$@" 2>&1
}
before_a=$(count a .)
before_b=$(count b .)
first=$(sclient -sess_out "$TMP/session")
expect_match "first connection: a full handshake" '^New, TLSv1\.3' "$first"
check "session saved" test -s "$TMP/session"
second=$(sclient -sess_in "$TMP/session")
expect_match "second connection: the session resumed" '^Reused, TLSv1\.3' "$second"
expect_match "second connection served" '^# Capsule behind HAProxy' "$second"
check "both logged" wait_for 5 logged_at_least 14
expect_eq "the two connections went to different instances" "1 1" \
	"$(($(count a .) - before_a)) $(($(count b .) - before_b))"

# The same with TLS 1.2 (its ticket comes in the handshake, and each
# instance also has its own session cache, which cannot help here).
before_a=$(count a .)
before_b=$(count b .)
first=$(sclient -tls1_2 -sess_out "$TMP/session12")
expect_match "TLS 1.2: a full handshake" '^New, TLSv1\.2' "$first"
second=$(sclient -tls1_2 -sess_in "$TMP/session12")
expect_match "TLS 1.2: the session resumed on the other instance" '^Reused, TLSv1\.2' "$second"
check "both logged" wait_for 5 logged_at_least 16
expect_eq "TLS 1.2: the two connections went to different instances" "1 1" \
	"$(($(count a .) - before_a)) $(($(count b .) - before_b))"

# Key rotation: a new key first, the old one after it, SIGHUP to both:
# the old session still resumes (old key decrypts). Then the old key
# dropped and SIGHUP again: it no longer does.
reloads() { [ "$(cat "$TMP/a.err" "$TMP/b.err" | grep -c '^canyon: reloaded')" -ge "$1" ]; }
head -c 80 /dev/urandom >"$TMP/keys/new.key"
cat "$TMP/keys/new.key" "$TMP/keys/ticket.key" >"$TMP/keys/rotated.key"
chmod 600 "$TMP/keys/rotated.key"
mv "$TMP/keys/rotated.key" "$TMP/keys/ticket.key"
for p in $PIDS; do [ "$p" = "$hp_pid" ] || kill -HUP "$p"; done
check "both instances reloaded the rotated keys" wait_for 5 reloads 2
expect_match "old session resumes under the previous key" '^Reused, TLSv1\.3' \
	"$(sclient -sess_in "$TMP/session")"
chmod 600 "$TMP/keys/new.key"
mv "$TMP/keys/new.key" "$TMP/keys/ticket.key"
for p in $PIDS; do [ "$p" = "$hp_pid" ] || kill -HUP "$p"; done
check "both instances reloaded without the previous key" wait_for 5 reloads 4
expect_match "old session no longer resumes once its key is dropped" '^New, TLSv1\.3' \
	"$(sclient -sess_in "$TMP/session")"

stop_instances a b
exit 0
