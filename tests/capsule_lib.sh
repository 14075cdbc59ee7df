# Helpers for the suites that run the real server on the bundled capsule
# (tests/integration/amfora.sh, crawl.sh, lynx.sh). Source after lib.sh.
#
#   start_capsule        canyon build of $ROOT/capsule into $TMP/public and
#                        canyon serve of it on free 127.0.0.1 ports; sets
#                        GEMINI_PORT and GOPHER_PORT (and SERVER_PID, which
#                        lib.sh's cleanup stops)
#   resolve_url BASE REF an absolute URL (RFC 3986 reference resolution)
#   find_headings GMI TEXT [LEVEL]
#                        which headings of a Gemini page a client's text shows

CAPSULE_HOST=localhost

# The config: the bundled capsule, built into $TMP, served on the ports
# given (public and bound alike, as URLs and Gopher menus carry the public
# port). write_config GEMINI-PORT GOPHER-PORT
write_config() {
	cat >"$TMP/canyon.yaml" <<EOF
source: $ROOT/capsule
output: $TMP/public
server:
  hostname: $CAPSULE_HOST
  port: $1
  listen: ["127.0.0.1:$1"]
  gopher_port: $2
  gopher_listen: ["127.0.0.1:$2"]
  certs: $TMP/certs
  access_log: "$TMP/access.log"
# A crawl fetches every item as fast as it can from one address: lift the
# per-address budget here (tests/integration/limits.sh covers it).
limits:
  rate: 100000
  burst: 100000
  # Shedding (limits.sh) must not depend on how busy the test machine is:
  # a sanitizer build on a loaded runner can run 20 ms late.
  max_delay: 60
EOF
}

# Build the capsule with the config, then serve it; wait at most 30 s (the
# sanitizer build starts slowly) for the ready file to name both ports.
# Returns 0, 1 on failure, 2 when a port was taken.
build_and_serve() {
	if ! "$CANYON" build -c "$TMP/canyon.yaml" >"$TMP/build.log" 2>&1; then
		echo "# canyon build failed:"
		sed 's/^/#   /' "$TMP/build.log" | head -30
		return 1
	fi
	rm -f "$TMP/ready"
	"$CANYON" serve -c "$TMP/canyon.yaml" --ready-file "$TMP/ready" \
	    >"$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	_i=0
	while [ $_i -lt 300 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
		if [ -f "$TMP/ready" ]; then
			GEMINI_PORT=$(awk '$1 == "gemini" { print $2; exit }' "$TMP/ready")
			GOPHER_PORT=$(awk '$1 == "gopher" { print $2; exit }' "$TMP/ready")
			[ -n "$GEMINI_PORT" ] && [ -n "$GOPHER_PORT" ] && return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
	grep -q "cannot listen" "$TMP/server.log" && return 2
	echo "# canyon serve did not become ready:"
	sed 's/^/#   /' "$TMP/server.log" | head -30
	return 1
}

# Two free ports are tried at random; the capsule is built with them too,
# since pages may carry the public port.
start_capsule() {
	for _try in 1 2 3 4 5; do
		_p=$(($(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000))
		write_config "$_p" "$((_p + 1))"
		build_and_serve
		case $? in
		0) return 0 ;;
		1) return 1 ;;
		esac
	done
	echo "# no free ports for canyon serve"
	return 1
}

# find_headings GMI-FILE TEXT-FILE [LEVEL]: look for each heading of level
# LEVEL (default 1) or deeper in the Gemini page GMI-FILE, outside
# preformatted blocks, in the text a client showed (TEXT-FILE), spaces and
# newlines aside on both sides (a long heading may wrap). Sets HEADINGS to
# how many there are and MISSING to those not shown, each after a newline.
find_headings() {
	_marks=$(printf '%*s' "${3:-1}" '' | tr ' ' '#')
	_seen=$(tr -d ' \n' <"$2")
	HEADINGS=0
	MISSING=""
	while IFS= read -r _h; do
		HEADINGS=$((HEADINGS + 1))
		case "$_seen" in
		*"$(printf '%s' "$_h" | tr -d ' \n')"*) ;;
		*) MISSING="$MISSING
$_h" ;;
		esac
	done <<EOF
$(awk -v h="^$_marks#* " '/^```/ { pre = !pre; next } !pre && $0 ~ h { sub(h, ""); print }' "$1")
EOF
}

# resolve_url BASE REF: REF resolved against the absolute URL BASE, with
# dot segments removed and any fragment dropped.
resolve_url() {
	printf '%s\n' "$2" | awk -v base="$1" '
	function remove_dots(path,    n, seg, out, i, k, trail) {
		n = split(path, seg, "/")
		k = 0
		trail = (seg[n] == "." || seg[n] == "..")
		for (i = 2; i <= n; i++) {
			if (seg[i] == ".") continue
			if (seg[i] == "..") { if (k > 0) k--; continue }
			out[++k] = seg[i]
		}
		path = ""
		for (i = 1; i <= k; i++) path = path "/" out[i]
		if (trail || path == "") path = path "/"
		return path
	}
	{
		ref = $0
		sub(/#.*/, "", ref)
		if (ref ~ /^[A-Za-z][A-Za-z0-9+.-]*:/) { print ref; next }
		match(base, /^[A-Za-z][A-Za-z0-9+.-]*:/)
		scheme = substr(base, 1, RLENGTH)
		rest = substr(base, RLENGTH + 1)
		if (ref ~ /^\/\//) { print scheme ref; next }
		match(rest, /^\/\/[^\/?#]*/)
		auth = substr(rest, 1, RLENGTH)
		bpath = substr(rest, RLENGTH + 1)
		sub(/[?#].*/, "", bpath)
		if (bpath == "") bpath = "/"
		query = ""
		if (ref ~ /^\?/) { print scheme auth bpath ref; next }
		if (index(ref, "?") > 0) {
			query = substr(ref, index(ref, "?"))
			ref = substr(ref, 1, index(ref, "?") - 1)
		}
		if (ref == "") { print scheme auth bpath query; next }
		if (ref !~ /^\//) {
			dir = bpath
			sub(/[^\/]*$/, "", dir)
			ref = dir ref
		}
		print scheme auth remove_dots(ref) query
	}'
}
