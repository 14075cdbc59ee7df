# Shared helpers for the shell test suites: TAP output and server control.
# A suite sources this file, calls the check functions, and exits 0; the
# runner counts "ok" / "not ok" lines. Environment: CANYON (the binary),
# TOOLS (built test tools), ROOT (the source tree).

: "${CANYON:?CANYON must name the canyon binary}"
: "${ROOT:?ROOT must name the source tree}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/canyon-test.XXXXXX")
SERVER_PID=""
PIDS="" # more background processes a suite started, stopped at exit

# stop_pids: stop the processes of PIDS and wait for them.
stop_pids() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=""
}

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	stop_pids
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3"
	fi
}

# expect_match DESCRIPTION REGEX TEXT (grep -E on the whole text)
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   pattern: %s\n' "$2"
		printf '%s\n' "$3" | head -20 | sed 's/^/#   /'
	fi
}

# expect_file DESCRIPTION EXPECTED_FILE ACTUAL_FILE: a golden comparison.
expect_file() {
	if diff -u "$2" "$3" >"$TMP/diff" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		head -40 "$TMP/diff" | sed 's/^/#   /'
	fi
}

# stderr_problems FILE: what a server wrote to stderr beyond the lines it
# always writes (start, stop, each worker's counts at stop, reload, the
# sandbox report of a root start).
stderr_problems() {
	grep -v -e '^canyon: serving' -e '^canyon: stopping' -e '^canyon: reloaded' \
	    -e '^canyon: worker [0-9]*: page [0-9]* requests' \
	    -e '^canyon: running as root: set server.user' \
	    -e '^canyon: confined with Landlock' -e '^canyon: CPU: ' "$1"
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# serve_and_wait CONFIG LOG [ARG...]: canyon serve -c CONFIG [ARG...] in
# the background with its stderr in LOG, as SERVER_PID (which cleanup
# stops), then wait at most 10 s, while it runs, for it to write its ports
# to $TMP/ready. Fails when it did not; ready_port reads them.
serve_and_wait() {
	_conf=$1
	_log=$2
	shift 2
	rm -f "$TMP/ready"
	"$CANYON" serve -c "$_conf" --ready-file "$TMP/ready" "$@" 2>"$_log" &
	SERVER_PID=$!
	_n=100
	while [ ! -s "$TMP/ready" ] && [ $_n -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
		sleep 0.1
		_n=$((_n - 1))
	done
	test -s "$TMP/ready"
}

# ready_port PROTOCOL [READY-FILE]: the port the server's ready file
# (default $TMP/ready) names for gemini or gopher; empty when none.
ready_port() {
	awk -v p="$1" '$1 == p { print $2; exit }' "${2:-$TMP/ready}" 2>/dev/null
}

# Stop the server (SIGTERM, as an operator would) and wait for it, so that
# whatever it writes on the way out (sanitizer reports) is in its log.
stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# Several servers at once (instances behind a balancer): each has a NAME,
# its ready file $TMP/NAME.ready and its stderr in $TMP/NAME.err.
# serve_instance NAME CONFIG: canyon serve -c CONFIG in the background,
# added to PIDS.
serve_instance() {
	"$CANYON" serve -c "$2" --ready-file "$TMP/$1.ready" 2>"$TMP/$1.err" &
	PIDS="$PIDS $!"
}

# stop_instances NAME...: stop every process of PIDS, instances first
# among them, so that what the sanitizers find at exit is in the logs, and
# check that each instance NAME wrote no more than its usual lines.
stop_instances() {
	stop_pids
	for _i in "$@"; do
		expect_eq "instance $_i: no error output" "" \
			"$(stderr_problems "$TMP/$_i.err")"
	done
}

# loopback_config: write $TMP/canyon.yaml, a server of the capsule folder
# $TMP/pub as localhost, Gemini and Gopher on free 127.0.0.1 ports, then
# the lines on stdin as they are (more server: keys, indented, and other
# sections).
loopback_config() {
	{
		printf 'output: pub\nserver:\n  hostname: localhost\n'
		printf '  listen: ["127.0.0.1:0"]\n  gopher_listen: ["127.0.0.1:0"]\n'
		cat
	} >"$TMP/canyon.yaml"
}

# make_cert DIR [NAME]: a self-signed ECDSA P-256 pair DIR/NAME.crt and
# DIR/NAME.key (mode 0600) for NAME (default localhost), as canyon makes.
make_cert() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 30 -subj "/CN=${2:-localhost}" \
	    -addext "subjectAltName=DNS:${2:-localhost}" \
	    -keyout "$1/${2:-localhost}.key" -out "$1/${2:-localhost}.crt" 2>/dev/null
	chmod 600 "$1/${2:-localhost}.key"
}

# generated_blog N OUT...: a blog of N generated posts ($TOOLS/blog_gen) in
# $TMP/blog, and for each OUT a config $TMP/OUT.yaml that builds it into
# OUT/public; the working folder becomes $TMP.
generated_blog() {
	"$TOOLS/blog_gen" "$TMP/blog" "$1" >/dev/null
	expect_eq "blog_gen made the blog" 0 $?
	shift
	cd "$TMP" || exit 1
	for out in "$@"; do
		cat >"$out.yaml" <<CFG
source: blog
output: $out/public
site:
  url: https://bench.example.org
CFG
	done
}
