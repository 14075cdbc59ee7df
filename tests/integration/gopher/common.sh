# Helpers of the Gopher suites (sourced after tests/lib.sh): a server on a
# capsule folder with a self-signed certificate, raw requests, checks of the
# menu format and display widths, a crawl from the root menu, and lynx
# following the series.
GET="$TOOLS/gopher_get"

make_cert "$TMP/certs"

# Serve CAPSULE_DIR; sets GPORT, GEMPORT and SERVER_PID. The public Gopher
# port must be the bound one (menus carry it): a few are tried. crawl()
# fetches every item at once from one address: the per-address budget is
# lifted (tests/integration/limits.sh covers it).
start_server() { # CAPSULE_DIR
	for try in 1 2 3 4 5; do
		GPORT=$((20000 + ($$ * 7 + try * 131) % 30000))
		cat >"$TMP/canyon.yaml" <<-EOF2
		output: $1
		server:
		  hostname: localhost
		  certs: $TMP/certs
		  listen: ["127.0.0.1:0"]
		  gopher_listen: ["127.0.0.1:$GPORT"]
		  gopher_port: $GPORT
		  max_in_memory: 100000
		  access_log: ""
		limits:
		  rate: 100000
		  burst: 100000
		EOF2
		if serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"; then
			GEMPORT=$(ready_port gemini)
			ok "server starts (Gopher on $GPORT)"
			return 0
		fi
		stop_server
	done
	not_ok "server starts"
	sed 's/^/#   /' "$TMP/server.log"
	return 1
}

alive() { check "server alive after $1" kill -0 "$SERVER_PID"; }
g() { "$GET" 127.0.0.1 "$GPORT" "$@"; }
# Replace the port by PORT, for goldens.
unport() { sed "s/\\t$GPORT\\r\$/\\tPORT\\r/; s/:$GPORT\\//:PORT\\//"; }

# Menu format: CRLF everywhere, four fields, our host and port, last line ".".
menu_ok() { # FILE
	awk -v port="$GPORT" '
	    { if ($0 !~ /\r$/) { print "no CRLF: " NR; bad = 1 } sub(/\r$/, "") }
	    last != "" { print "after the terminator: " NR; bad = 1 }
	    $0 == "." { last = NR; next }
	    {
		n = split($0, f, "\t")
		if (n != 4) { print "fields " n ": " $0; bad = 1 }
		t = substr($0, 1, 1)
		if (t == "3") next
		if (f[3] != "localhost" || f[4] != port) { print "host: " $0; bad = 1 }
	    }
	    END { if (!last) { print "no terminator"; bad = 1 } exit bad }' "$1"
}
# Display strings under 70 columns, Hangul counted double (wc -L, UTF-8).
widest() { # FILE
	grep -v '^\.' "$1" | cut -f1 | cut -c2- | LC_ALL=C.UTF-8 wc -L
}
no_controls() { # FILE: nothing below 0x20 but TAB, CR before LF
	! tr -d '\t\r\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}

# lynx_follows_series: with lynx installed (else it fails at once), lynx
# goes from the root menu to part 3 and from there to part 4 ($POST), and
# shows part 4's text.
lynx_follows_series() {
	command -v lynx >/dev/null 2>&1 || return 1
	lx() { timeout 20 lynx -dump -listonly -nonumbers "$1" 2>/dev/null; }
	part3=$(lx "gopher://127.0.0.1:$GPORT/1/" | grep -- '-03/$' | head -n 1)
	part4=$(lx "$part3" | grep -- '-04/$' | head -n 1)
	expect_match "lynx: root to part 3 to part 4" \
	    "^gopher://localhost:$GPORT/1$POST\$" "$part4"
	expect_match "lynx shows part 4's text" "그랜드캐니언" \
	    "$(timeout 20 lynx -dump "$part4" 2>/dev/null)"
}

# Menus are followed; every other local item is fetched once. A dead item
# gets an error menu or nothing; the list is printed on failure.
crawl() {
	: >"$TMP/seen"
	printf '1\t\n' >"$TMP/queue"
	: >"$TMP/dead"
	while [ -s "$TMP/queue" ]; do
		item=$(head -n 1 "$TMP/queue")
		sed -i 1d "$TMP/queue"
		type=${item%%"$(printf '\t')"*}
		sel=${item#*"$(printf '\t')"}
		grep -qxF -- "$sel" "$TMP/seen" && continue
		printf '%s\n' "$sel" >>"$TMP/seen"
		g "$sel" >"$TMP/item"
		if [ ! -s "$TMP/item" ] || head -n 1 "$TMP/item" |
		    grep -q "^3.*	error.host	1"; then
			printf '%s %s\n' "$type" "$sel" >>"$TMP/dead"
			continue
		fi
		[ "$type" = 1 ] || continue
		tr -d '\r' <"$TMP/item" | awk -F '\t' -v port="$GPORT" '
		    /^[019gI]/ && $3 == "localhost" && $4 == port {
			print substr($1, 1, 1) "\t" $2 }' >>"$TMP/queue"
	done
}
