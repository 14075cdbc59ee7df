#!/bin/sh
# server_bench: canyon against molly-brown (Gemini) and gophernicus (Gopher),
# measured in one run, interleaved (canyon, peer, canyon, peer, ...).
#
#   sh tests/bench/server_bench.sh build/rel
#   BENCH_QUICK=1 sh tests/bench/server_bench.sh build/rel   (about a minute)
#
# Every server and the load generator run inside a private network
# namespace that has only a loopback interface: Debian's molly-brown cannot
# bind a single address, and the namespace keeps it (and everything else
# here) off the machine's real interfaces. The content is the same files for
# every server: a 2 KB page, the user's post, a 200 KB image, and a 2 KB
# Gopher menu. The headline figure is the server's CPU time per request
# (loadgen --pid, from /proc), because the client shares the cores with the
# server; requests/s and latency are printed next to it. Needs root (for
# the namespace), molly-brown, gophernicus, socat and nstat.
#
# Environment: BENCH_QUICK=1 (one short run per cell, fewer idle
# connections), BENCH_SECS (seconds per run, default 3), BENCH_REPS (runs per
# server and cell, default 3; the table shows medians).
# BENCH_CELLS: an extended regular expression; only the cells whose name
# matches it are run (e.g. 'page c=(16|64) tls1.3 full'), and the idle
# connections are not measured.
# BENCH_WORKERS: canyon's event loops, e.g. "2 1": one canyon per number,
# all interleaved with the peers in every cell. The first is "canyon" in
# the table, the others "canyon-wN", each with its ratios to the peer.
# Unset: one canyon with its default (one loop per core).
set -u
B=$(cd "${1:?usage: server_bench.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOADGEN=$B/bench/loadgen
CANYON=$B/canyon
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=1 REPS=1 IDLE=500
else
	SECS=${BENCH_SECS:-3} REPS=${BENCH_REPS:-3} IDLE=2000
fi
MAXREQ=1000000
CANYON_GEMINI=21965 CANYON_GOPHER=7070 MOLLY_PORT=11965 GOPHERNICUS_PORT=7071 FLOOR_PORT=31965

fail() {
	echo "server_bench: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root for a network namespace (ip netns)"
for c in molly-brown socat ip nstat openssl; do
	command -v "$c" >/dev/null 2>&1 || fail "$c is missing (sh contrib/deps.sh bench)"
done
[ -x /usr/sbin/gophernicus ] || fail "gophernicus is missing (sh contrib/deps.sh bench)"
[ -x "$LOADGEN" ] || fail "$LOADGEN is missing (make tests-build)"
[ -x "$B/bench/tlsfloor" ] || fail "$B/bench/tlsfloor is missing (make tests-build)"

# 2,000 idle connections need more descriptors than a default soft limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

NS=canyonbench$$
W=$(mktemp -d /tmp/canyon-bench.XXXXXX)
chmod 755 "$W" # gophernicus runs as nobody and reads its files here
SERVER_PIDS=""
cleanup() {
	for p in $SERVER_PIDS; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS" || fail "cannot create network namespace $NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up

# ---- Content: the same bytes for every server ----------------------------
DOCS=$W/docs
GOPHER=$W/gopher
mkdir -p "$DOCS/menu" "$GOPHER"
POST_MD=$ROOT/capsule/source/_posts/las-vegas-aws-reinvent-04.md
[ -f "$POST_MD" ] || fail "the reference post is missing"
# 2 KB page: whole lines of the post's text, padded with a plain line.
LC_ALL=C awk 'NR > 7 { n += length($0) + 1; if (n > 1960) exit; print }' "$POST_MD" >"$DOCS/page.gmi"
pad=$((2048 - $(wc -c <"$DOCS/page.gmi") - 1))
printf '%*s\n' "$pad" '' | tr ' ' '=' >>"$DOCS/page.gmi"
# The post as canyon renders it, else its Markdown bytes (the size is what counts).
if ! "$CANYON" convert "$POST_MD" >"$DOCS/post.gmi" 2>/dev/null || [ ! -s "$DOCS/post.gmi" ]; then
	cp "$POST_MD" "$DOCS/post.gmi"
fi
head -c 204800 /dev/urandom >"$DOCS/image.jpg"
# 2 KB Gopher menu: 30 links, as a gemtext page for canyon and as a
# gophermap for gophernicus.
i=1
while [ $i -le 30 ]; do
	n=$(printf '%02d' $i)
	printf '=> /2021/12/31/las-vegas-aws-reinvent-%s/ Las Vegas, part %s\n' "$n" "$n" >>"$DOCS/menu/index.gmi"
	printf '1Las Vegas, part %s\t/2021/12/31/las-vegas-aws-reinvent-%s/\tlocalhost\t%s\n' \
	    "$n" "$n" "$GOPHERNICUS_PORT" >>"$GOPHER/gophermap"
	i=$((i + 1))
done
chmod -R a+rX "$W"
size() { wc -c <"$1" | tr -d ' '; }
PAGE_SIZE=$(size "$DOCS/page.gmi")
POST_SIZE=$(size "$DOCS/post.gmi")
IMAGE_SIZE=$(size "$DOCS/image.jpg")

# One ECDSA P-256 certificate for localhost, used by every TLS server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$W/localhost.key" -out "$W/localhost.crt" -days 3650 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null ||
	fail "cannot create a certificate"

# ---- Servers --------------------------------------------------------------
# Wait until a TCP port accepts inside the namespace.
wait_port() {
	t=0
	until nsx socat -u OPEN:/dev/null "TCP:127.0.0.1:$1" 2>/dev/null; do
		t=$((t + 1))
		[ $t -gt 50 ] && return 1
		sleep 0.1
	done
}

cat >"$W/molly.conf" <<EOF
Port = $MOLLY_PORT
Hostname = "localhost"
CertPath = "$W/localhost.crt"
KeyPath = "$W/localhost.key"
DocBase = "$DOCS"
AccessLog = "/dev/null"
ErrorLog = "$W/molly-error.log"
EOF
ip netns exec "$NS" molly-brown -c "$W/molly.conf" &
MOLLY_PID=$!
SERVER_PIDS="$SERVER_PIDS $MOLLY_PID"
wait_port $MOLLY_PORT || fail "molly-brown did not start: $(cat "$W/molly-error.log" 2>/dev/null)"

# gophernicus the inetd way: socat accepts and execs one gophernicus per
# connection with the socket as its stdin and stdout (nofork: no relay
# process in between), as nobody. -i and -k lift the per-client throttle.
ip netns exec "$NS" socat "TCP-LISTEN:$GOPHERNICUS_PORT,bind=127.0.0.1,fork,reuseaddr,backlog=1024" \
    "EXEC:/usr/sbin/gophernicus -h localhost -p $GOPHERNICUS_PORT -r $GOPHER -nv -ns -nh -nf -i 2000000000 -k 2000000000,nofork,su=nobody" \
    2>"$W/gophernicus.log" &
GOPHERNICUS_PID=$!
SERVER_PIDS="$SERVER_PIDS $GOPHERNICUS_PID"
wait_port $GOPHERNICUS_PORT || fail "socat/gophernicus did not start"

# The floor: a bare one-thread OpenSSL server with one fixed reply
# (tests/bench/tlsfloor.c), for the 2 KB page only. What it spends per
# request is OpenSSL's and the kernel's own cost, under any server.
ip netns exec "$NS" "$B/bench/tlsfloor" "$W/localhost.crt" "$W/localhost.key" \
    "$FLOOR_PORT" "$DOCS/page.gmi" 2>"$W/tlsfloor.log" &
FLOOR_PID=$!
SERVER_PIDS="$SERVER_PIDS $FLOOR_PID"
wait_port $FLOOR_PORT || fail "tlsfloor did not start: $(cat "$W/tlsfloor.log")"

# start_canyon LABEL WORKERS GEMINI_PORT GOPHER_PORT: one canyon serving
# the content; adds "LABEL PID GEMINI_PORT GOPHER_PORT" to CANYONS. WORKERS
# empty: canyon's default.
# A few client addresses make a lot of load here, so the per-address
# budgets and the adaptive concurrency limit (load shedding) are lifted:
# this measures serving, not refusing. molly-brown has neither.
CANYONS=""
start_canyon() {
	conf=$W/$1.yaml
	cat >"$conf" <<EOF
output: $DOCS
server:
  hostname: localhost
  port: $3
  listen: ["127.0.0.1:$3"]
  gopher_port: $4
  gopher_listen: ["127.0.0.1:$4"]
  certs: $W
  timeout_request: 60
  access_log: /dev/null
${2:+  workers: $2}
limits:
  rate: 1000000
  burst: 1000000
  max_connections_per_address: 100000
  max_connections: 100000
  min_concurrency: 100000
  max_concurrency: 100000
  initial_concurrency: 100000
  max_delay: 60
EOF
	ip netns exec "$NS" "$CANYON" serve -c "$conf" >"$W/$1.log" 2>&1 &
	pid=$!
	SERVER_PIDS="$SERVER_PIDS $pid"
	if ! wait_port "$3" || ! wait_port "$4"; then
		echo "# $1 did not start:" >&2
		sed 's/^/#   /' "$W/$1.log" >&2
		return 1
	fi
	CANYONS="$CANYONS$1 $pid $3 $4
"
}
if "$CANYON" serve --help >/dev/null 2>&1; then
	if [ -z "${BENCH_WORKERS:-}" ]; then
		start_canyon canyon "" $CANYON_GEMINI $CANYON_GOPHER
	else
		i=0
		for n in $BENCH_WORKERS; do
			label=canyon
			[ $i -gt 0 ] && label=canyon-w$n
			start_canyon "$label" "$n" $((CANYON_GEMINI + 10 + i)) $((CANYON_GOPHER + 10 + i))
			i=$((i + 1))
		done
	fi
	[ -n "$CANYONS" ] || echo "# no canyon started: peers only" >&2
else
	echo "# canyon serve is not available in $CANYON: peers only" >&2
fi
CANYON_PID=$(printf '%s' "$CANYONS" | awk '$1 == "canyon" { print $2 }')
CANYON_GEMINI=$(printf '%s' "$CANYONS" | awk '$1 == "canyon" { print $3 }')

# ---- Runs -----------------------------------------------------------------
RESULTS=$W/results.tsv
overflows() {
	nsx nstat -asz TcpExtListenOverflows | awk '$1 == "TcpExtListenOverflows" { print $2 }'
}
# run SERVER PID URL LOADGEN-ARGS...: one measured run, appended to RESULTS
# as: cell, the loadgen --tsv line, listen-queue overflows during the run.
# The connections come from 64 client addresses, as real traffic does:
# canyon steers each address to one of its event loops (admission.h), so
# from a single address it would use one core only.
SOURCES=127.0.1.1/64
run() {
	server=$1 pid=$2 url=$3
	shift 3
	o0=$(overflows)
	line=$(nsx "$LOADGEN" -n $MAXREQ -t "$SECS" --pid "$pid" --tsv --label "$server" \
	    --source "$SOURCES" "$@" "$url")
	o1=$(overflows)
	[ -n "$line" ] && printf '%s\t%s\t%s\n' "$CELL" "$line" $((o1 - o0)) >>"$RESULTS"
}
threads() { if [ "$1" -gt 1 ]; then echo 2; else echo 1; fi; }
selected() { [ -z "${BENCH_CELLS:-}" ] || printf '%s\n' "$1" | grep -Eq "$BENCH_CELLS"; }
# gemini_cell NAME CONC PATH SIZE LOADGEN-ARGS...: every canyon and
# molly-brown (and the OpenSSL floor for the page), interleaved
gemini_cell() {
	CELL=$1 conc=$2 path=$3 bytes=$4
	shift 4
	selected "$CELL" || return 0
	r=0
	while [ $r -lt "$REPS" ]; do
		printf '%s' "$CANYONS" | while read -r label pid port _; do
			run "$label" "$pid" "gemini://localhost:$port/$path" \
			    -c "$conc" -j "$(threads "$conc")" --expect-body "$bytes" "$@" </dev/null
		done
		run molly-brown "$MOLLY_PID" "gemini://localhost:$MOLLY_PORT/$path" \
		    -c "$conc" -j "$(threads "$conc")" --expect-body "$bytes" "$@"
		[ "$path" = page.gmi ] && run openssl-floor "$FLOOR_PID" "gemini://localhost:$FLOOR_PORT/$path" \
		    -c "$conc" -j "$(threads "$conc")" --expect-body "$bytes" "$@"
		r=$((r + 1))
	done
}
gopher_cell() {
	CELL=$1 conc=$2
	selected "$CELL" || return 0
	r=0
	while [ $r -lt "$REPS" ]; do
		printf '%s' "$CANYONS" | while read -r label pid _ port; do
			run "$label" "$pid" "gopher://localhost:$port/1/menu/" \
			    -c "$conc" -j "$(threads "$conc")" </dev/null
		done
		run gophernicus "$GOPHERNICUS_PID" "gopher://localhost:$GOPHERNICUS_PORT/1" \
		    -c "$conc" -j "$(threads "$conc")"
		r=$((r + 1))
	done
}

echo "# server_bench: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "# $SECS s per run, $REPS runs per server and cell (medians), $(openssl version)"
echo "# content: page $PAGE_SIZE B, post $POST_SIZE B, image $IMAGE_SIZE B"
# Warm-up, not recorded: first handshakes, Go's heap, page cache.
nsx "$LOADGEN" -n 500 -t 1 -c 8 --tsv "gemini://localhost:$MOLLY_PORT/page.gmi" >/dev/null
printf '%s' "$CANYONS" | while read -r _ _ port _; do
	nsx "$LOADGEN" -n 500 -t 1 -c 8 --tsv "gemini://localhost:$port/page.gmi" </dev/null >/dev/null
done

for c in 1 16 64; do
	gemini_cell "gemini page c=$c tls1.3 full" $c page.gmi "$PAGE_SIZE" --tls1.3
	gemini_cell "gemini page c=$c tls1.3 resumed" $c page.gmi "$PAGE_SIZE" --tls1.3 --resume
done
for c in 1 16 64; do
	gemini_cell "gemini post c=$c tls1.3 full" $c post.gmi "$POST_SIZE" --tls1.3
	gemini_cell "gemini image c=$c tls1.3 full" $c image.jpg "$IMAGE_SIZE" --tls1.3
done
gemini_cell "gemini post c=16 tls1.3 resumed" 16 post.gmi "$POST_SIZE" --tls1.3 --resume
gemini_cell "gemini page c=16 tls1.2 full" 16 page.gmi "$PAGE_SIZE" --tls1.2
gemini_cell "gemini page c=16 tls1.2 resumed" 16 page.gmi "$PAGE_SIZE" --tls1.2 --resume
for c in 1 16 64; do
	gopher_cell "gopher menu c=$c" $c
done

# ---- Table ----------------------------------------------------------------
# Columns of RESULTS: 1 cell, 2 server, 3 proto, 4 tls, 5 mode, 6 conc,
# 7 requests, 8 ok, 9 errors, 10 secs, 11 rps, 12 p50, 13 p90, 14 p99,
# 15 max, 16 server us/req, 17 client us/req, 18 resumed, 19 statuses,
# 20 error kinds, 21 mean body bytes, 22 p99 from the connect, 23 p99 of
# the generator's lag, 24 server CPU share in the kernel, 25 listen overflows.
awk -F'\t' '
function median(list,   n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n ? v[int((n + 1) / 2)] : ""
}
function ratio(a, b) { return (a != "" && b != "" && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
{
	if (!($1 in seen)) { seen[$1] = 1; order[++ncells] = $1 }
	k = $1 SUBSEP $2
	if (!(k in cpu)) {
		cpu[k] = ""; rps[k] = ""; p50[k] = ""; p99[k] = ""; sys[k] = ""
	}
	cpu[k] = cpu[k] " " $16; rps[k] = rps[k] " " $11
	p50[k] = p50[k] " " $12; p99[k] = p99[k] " " $14
	err[k] += $9; ovf[k] += $25; bytes[k] = $21; sys[k] = sys[k] " " $24
	if ($20 != "-") kinds[k] = kinds[k] " " $20
	servers[$1] = servers[$1] (servers[$1] ~ ("(^| )" $2 "( |$)") ? "" : " " $2)
}
# A canyon-wN row (BENCH_WORKERS) shows its own ratios to the peer of the cell,
# the first server that is no canyon.
END {
	printf "%-32s %-13s %9s %4s %7s %8s %8s %7s %5s %4s   %-20s\n", "cell", "server", "cpu_us/req", "sys%", "rps", "p50_ms", "p99_ms", "bytes", "errs", "ovf", "canyon/peer cpu rps p99"
	for (i = 1; i <= ncells; i++) {
		c = order[i]
		n = split(servers[c], s, " ")
		peer = ""
		for (j = 1; j <= n; j++) {
			k = c SUBSEP s[j]
			med[s[j], "cpu"] = median(cpu[k]); med[s[j], "rps"] = median(rps[k]); med[s[j], "p99"] = median(p99[k])
			if (peer == "" && s[j] !~ /^canyon/)
				peer = s[j]
		}
		for (j = 1; j <= n; j++) {
			k = c SUBSEP s[j]
			mc = med[s[j], "cpu"]; mr = med[s[j], "rps"]; m9 = med[s[j], "p99"]
			r = ""
			if (s[j] ~ /^canyon-/ && peer != "")
				r = sprintf("%s %s %s (/%s)", ratio(mc, med[peer, "cpu"]), ratio(mr, med[peer, "rps"]), ratio(m9, med[peer, "p99"]), peer)
			else if (s[j] !~ /^canyon/ && ((c SUBSEP "canyon") in cpu))
				r = sprintf("%s %s %s", ratio(med["canyon", "cpu"], mc), ratio(med["canyon", "rps"], mr), ratio(med["canyon", "p99"], m9))
			printf "%-32s %-13s %9.1f %4.0f %7.0f %8.2f %8.2f %7d %5d %4d   %s%s\n", (j == 1 ? c : ""), s[j], mc, 100 * median(sys[k]), mr, median(p50[k]) / 1000, m9 / 1000, bytes[k], err[k], ovf[k], r, (k in kinds) ? "  errors:" kinds[k] : ""
		}
		delete med
	}
}' "$RESULTS"

# ---- Memory: idle TLS connections ----------------------------------------
# (not with BENCH_CELLS: a run of a few cells)
if [ -z "${BENCH_CELLS:-}" ]; then
	echo "# idle TLS connections held open (handshake done, no request), server RSS growth:"
	printf '%-12s %6s %6s %10s %10s %12s\n' server asked held rss_before rss_held KiB_per_conn
	for s in canyon molly-brown; do
		case $s in
		canyon) pid=$CANYON_PID port=$CANYON_GEMINI ;;
		*) pid=$MOLLY_PID port=$MOLLY_PORT ;;
		esac
		[ -n "$pid" ] || continue
		nsx "$LOADGEN" --idle "$IDLE" -c 32 --idle-time 2 --pid "$pid" --tsv --label "$s" \
		    "gemini://localhost:$port/page.gmi" |
			awk -F'\t' '{ printf "%-12s %6d %6d %10d %10d %12.1f\n", $1, $3, $4, $5, $6, $7 }'
	done
fi
total=$(overflows)
echo "# TcpExtListenOverflows in the namespace at the end: $total"
cp "$RESULTS" "$B/bench/server_bench.tsv"
echo "# raw runs: $B/bench/server_bench.tsv; finished $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
