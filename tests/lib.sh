# Shared helpers for the shell test suites: TAP output and server control.
# A suite sources this file, calls the check functions, and exits 0; the
# runner counts "ok" / "not ok" lines. Environment: CANYON (the binary),
# TOOLS (built test tools), ROOT (the source tree).

: "${CANYON:?CANYON must name the canyon binary}"
: "${ROOT:?ROOT must name the source tree}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/canyon-test.XXXXXX")
SERVER_PID=""
PIDS="" # more background processes a suite started, stopped at exit

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
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
	    -e '^canyon: confined with Landlock' "$1"
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
