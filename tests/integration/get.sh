#!/bin/sh
# canyon get and canyon cert against small socat servers on 127.0.0.1:
# what the client sends, what it prints, its exit codes, and how it reports
# close_notify, TLS versions and certificate names. The canyon server is
# not involved, so a client bug and a server bug are told apart.
. "$ROOT/tests/lib.sh"

command -v socat >/dev/null || { not_ok "socat is installed (contrib/deps.sh)"; exit 0; }

# Mock servers: each records the request it got in $REQ_FILE (verbatim) and
# answers as its name says. They run under socat's EXEC, one per connection.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/gemini-ok" <<'EOF'
#!/bin/sh
IFS= read -r line
printf '%s\n' "$line" >"$REQ_FILE"
printf '20 text/gemini; charset=utf-8\r\n# 제목\nbody\n'
EOF
cat >"$TMP/bin/gemini-silent" <<'EOF'
#!/bin/sh
IFS= read -r line
EOF
cat >"$TMP/bin/gemini-slow" <<'EOF'
#!/bin/sh
IFS= read -r line
sleep 5
EOF
cat >"$TMP/bin/gopher-ok" <<'EOF'
#!/bin/sh
IFS= read -r line
printf '%s\n' "$line" >"$REQ_FILE"
printf 'iHello\t\tlocalhost\t70\r\n.\r\n'
EOF
chmod +x "$TMP/bin/"*
export REQ_FILE="$TMP/request"

# start_mock ADDRESS-SPEC-WITHOUT-PORT PROGRAM: a socat listener on a free
# port (tried until one binds); sets PORT and SERVER_PID.
start_mock() {
	stop_mock
	for _try in 1 2 3 4 5 6 7 8; do
		PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
		socat "$1:$PORT,bind=127.0.0.1,reuseaddr,fork$3" "EXEC:$TMP/bin/$2" \
		    2>>"$TMP/socat.log" &
		SERVER_PID=$!
		sleep 0.3
		kill -0 "$SERVER_PID" 2>/dev/null && return 0
	done
	echo "# no free port for socat" >&2
	return 1
}
stop_mock() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# --- canyon cert -----------------------------------------------------------
out=$("$CANYON" cert -d "$TMP/certs" localhost)
expect_match "cert prints the pair and a fingerprint" \
    "^sha256: ([0-9A-F]{2}:){31}[0-9A-F]{2}$" "$out"
expect_eq "cert key is mode 600" "600" "$(stat -c %a "$TMP/certs/localhost.key")"
expect_eq "cert again prints the same fingerprint" "$out" \
    "$("$CANYON" cert -d "$TMP/certs" localhost)"
chmod 644 "$TMP/certs/localhost.key"
"$CANYON" cert -d "$TMP/certs" localhost >/dev/null 2>"$TMP/err"
expect_eq "cert refuses a key readable by others (exit 1)" 1 $?
expect_match "cert says why" "accessible by group or others" "$(cat "$TMP/err")"
chmod 600 "$TMP/certs/localhost.key"
"$CANYON" cert >/dev/null 2>&1
expect_eq "cert without a host is a usage error" 2 $?

PAIR=",cert=$TMP/certs/localhost.crt,key=$TMP/certs/localhost.key"
TLS="$PAIR,verify=0"

# --- Gemini -----------------------------------------------------------------
start_mock OPENSSL-LISTEN gemini-ok "$TLS"
"$CANYON" get --check-close -v "gemini://localhost:$PORT/a?b" >"$TMP/out" 2>"$TMP/err"
expect_eq "gemini fetch exits 0" 0 $?
expect_eq "request line is the URL and CRLF" \
    "$(printf 'gemini://localhost:%s/a?b\r' "$PORT")" "$(cat "$REQ_FILE")"
expect_eq "response is printed byte for byte" \
    "$(printf '20 text/gemini; charset=utf-8\r\n# 제목\nbody')" "$(cat "$TMP/out")"
expect_match "close_notify reported" "^close_notify: yes$" "$(cat "$TMP/err")"
expect_match "-v names the certificate" "^subject: /CN=localhost$" "$(cat "$TMP/err")"

"$CANYON" get --raw 'gemini://x/\xed\x95\x9c\n' "gemini://localhost:$PORT/" >/dev/null 2>&1
expect_eq "--raw sends its bytes with escapes decoded, nothing added" \
    "$(printf 'gemini://x/\355\225\234')" "$(cat "$REQ_FILE")"

"$CANYON" get --connect "127.0.0.1:$PORT" gemini://localhost:1/x >/dev/null 2>&1
expect_eq "--connect goes elsewhere and sends the URL's host" \
    "$(printf 'gemini://localhost:1/x\r')" "$(cat "$REQ_FILE")"

"$CANYON" get "gemini://127.0.0.1:$PORT/" >/dev/null 2>"$TMP/err"
expect_eq "a certificate not naming the host fails (exit 1)" 1 $?
expect_match "... and says so" "does not name 127.0.0.1" "$(cat "$TMP/err")"
"$CANYON" get -k "gemini://127.0.0.1:$PORT/" >/dev/null 2>&1
expect_eq "-k accepts it" 0 $?

"$CANYON" get -v --tls1.2 "gemini://localhost:$PORT/" 2>&1 >/dev/null | grep -q '^protocol: TLSv1.2 '
check "--tls1.2 negotiates TLS 1.2" test $? -eq 0
"$CANYON" get -v --tls1.3 "gemini://localhost:$PORT/" 2>&1 >/dev/null | grep -q '^protocol: TLSv1.3 '
check "--tls1.3 negotiates TLS 1.3" test $? -eq 0
stop_mock

# A client certificate: this server requires one signed by itself.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=reader -days 2 -keyout "$TMP/reader.key" -out "$TMP/reader.crt" \
    >/dev/null 2>&1
start_mock OPENSSL-LISTEN gemini-ok \
    "$PAIR,verify=1,cafile=$TMP/reader.crt"
"$CANYON" get "gemini://localhost:$PORT/" >/dev/null 2>&1
expect_eq "a server requiring a client certificate refuses us without one" 1 $?
"$CANYON" get --cert "$TMP/reader.crt" --key "$TMP/reader.key" \
    "gemini://localhost:$PORT/" >"$TMP/out" 2>"$TMP/err"
expect_eq "--cert and --key present one" 0 $?
"$CANYON" get --cert "$TMP/reader.crt" "gemini://localhost:$PORT/" >/dev/null 2>&1
expect_eq "--cert without --key is a usage error" 2 $?
stop_mock

start_mock OPENSSL-LISTEN gemini-ok "$TLS,shut-close"
"$CANYON" get --check-close "gemini://localhost:$PORT/" >/dev/null 2>"$TMP/err"
expect_eq "a response without close_notify still exits 0" 0 $?
expect_match "... and is reported as such" "^close_notify: no$" "$(cat "$TMP/err")"
stop_mock

start_mock OPENSSL-LISTEN gemini-silent "$TLS"
"$CANYON" get "gemini://localhost:$PORT/" >/dev/null 2>"$TMP/err"
expect_eq "a close without a header exits 1" 1 $?
expect_match "... saying so" "closed without a response" "$(cat "$TMP/err")"
stop_mock

start_mock OPENSSL-LISTEN gemini-slow "$TLS"
start=$(date +%s)
"$CANYON" get -t 1 "gemini://localhost:$PORT/" >/dev/null 2>"$TMP/err"
rc=$?
expect_eq "a silent server times out (exit 1)" 1 $rc
expect_match "... saying so" "timed out" "$(cat "$TMP/err")"
check "... after about the timeout" test $(($(date +%s) - start)) -le 3
stop_mock

start_mock TCP-LISTEN gemini-ok ""
"$CANYON" get "gemini://localhost:$PORT/" >/dev/null 2>"$TMP/err"
expect_eq "a plain-TCP server fails the handshake (exit 1)" 1 $?
stop_mock

"$CANYON" get "gemini://127.0.0.1:$PORT/" >/dev/null 2>&1
expect_eq "connection refused exits 1" 1 $?
"$CANYON" get "https://localhost/" >/dev/null 2>&1
expect_eq "another scheme is a usage error" 2 $?
"$CANYON" get --raw 'a\q' "gemini://localhost/" >/dev/null 2>&1
expect_eq "a bad --raw escape is a usage error" 2 $?

# SNI: openssl s_server answers with the second certificate when the client
# names other.example (sni_subject URL-HOST [OPTIONS]). Its -rev mode never closes, so each fetch times out
# after the handshake, which is all these checks need (-v reports it).
"$CANYON" cert -d "$TMP/certs" other.example >/dev/null
sni_subject() {
	stop_mock
	for _try in 1 2 3 4 5 6 7 8; do
		PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
		openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -quiet -rev \
		    -cert "$TMP/certs/localhost.crt" -key "$TMP/certs/localhost.key" \
		    -servername other.example -cert2 "$TMP/certs/other.example.crt" \
		    -key2 "$TMP/certs/other.example.key" </dev/null >/dev/null 2>&1 &
		SERVER_PID=$!
		sleep 0.3
		kill -0 "$SERVER_PID" 2>/dev/null && break
	done
	_host=$1
	shift
	"$CANYON" get -k -v -t 1 --connect "127.0.0.1:$PORT" "$@" \
	    "gemini://$_host/" 2>&1 >/dev/null | sed -n 's/^subject: //p'
	stop_mock
}
expect_eq "SNI is the URL's host (1)" "/CN=localhost" "$(sni_subject localhost)"
expect_eq "SNI is the URL's host (2)" "/CN=other.example" \
    "$(sni_subject other.example)"
expect_eq "--servername sends another SNI" "/CN=other.example" \
    "$(sni_subject localhost --servername other.example)"
expect_eq "--servername '' sends none" "/CN=localhost" \
    "$(sni_subject other.example --servername '')"

# --- Gopher -----------------------------------------------------------------
start_mock TCP-LISTEN gopher-ok ""
"$CANYON" get "gopher://127.0.0.1:$PORT/" >"$TMP/out"
expect_eq "gopher fetch exits 0" 0 $?
expect_eq "root URL sends the empty selector" "$(printf '\r')" "$(cat "$REQ_FILE")"
expect_eq "gopher response is printed raw" \
    "$(printf 'iHello\t\tlocalhost\t70\r\n.\r')" "$(cat "$TMP/out")"
"$CANYON" get "gopher://127.0.0.1:$PORT/1/2021/a%20b/" >/dev/null
expect_eq "type character dropped, selector decoded" \
    "$(printf '/2021/a b/\r')" "$(cat "$REQ_FILE")"
"$CANYON" get "gopher://127.0.0.1:$PORT/7/search%09%ED%95%9C%EA%B5%AD" >/dev/null
expect_eq "%09 becomes the search TAB, Korean query sent as UTF-8" \
    "$(printf '/search\t한국\r')" "$(cat "$REQ_FILE")"
"$CANYON" get --raw 'GET / HTTP/1.1\r\n' "gopher://127.0.0.1:$PORT/" >/dev/null
expect_eq "--raw over gopher" "$(printf 'GET / HTTP/1.1\r')" "$(cat "$REQ_FILE")"
stop_mock
exit 0
