#!/bin/sh
# overload_bench: prioritized load shedding at about three times capacity.
#
#   sh tests/bench/overload_bench.sh build/rel
#
# canyon runs with one worker and a low concurrency ceiling, so that its
# capacity is small and the overload real (the load generator shares the
# two cores and pays more per handshake than the server). Measured in one
# run, against the same server unloaded:
#   1. unloaded: one client reading a page: p99 and server CPU per request;
#   2. capacity: pages only, enough clients to saturate the worker;
#   3. overload, open loop (requests arrive at a set rate, whatever the
#      server answers): pages (200 client addresses), 1 MB images (200
#      other addresses) and one greedy address, together, at OVERLOAD_MIX
#      times the capacity of (2) (default 0.5 1.0 1.5: three times in all);
#      page success and p99 against (1), what images and the greedy
#      client got, the server's RSS and CPU time during the run;
#   4. 1,000 connections stalled in the TLS handshake, then 1,000 that
#      complete it and send their request one byte a second (all
#      connected at once, their handshakes under way together; the
#      server takes new clients' handshakes at its pace, so on a quarter
#      of a core the last ones end as the first time out: the trickle's
#      opening_s): page p99 meanwhile (from 4 s after they start, for
#      5 s, until a second before the first of them meets the 10 s
#      request timeout) against (1), and when that timeout closed them. The 5 s
#      (3 s before) give a p99 of some 1,500 to 2,700 pages instead of 700
#      to 1,500, so that the 1 % over it are not the pages of one moment
#      when the machine was busy elsewhere.
# Each page line also counts the pages that took over twice the unloaded
# p99: the target (a p99 at most twice) is that they are 1 % at most.
# The unloaded p99 itself moves from run to run (4 to 6.4 ms in one
# session, about 4,500 pages each; 3.9 to 9.8 ms in another): compare
# runs by both, and by the pages of phase 3 over 10 ms, a threshold that
# does not move with it.
# Figures, not pass/fail: exit 1 only when something cannot run.
# OVERLOAD_SECS (default 10) sets the length of the load phases;
# OVERLOAD_FLOOR, OVERLOAD_CEILING (min and max_concurrency, default 16 and
# 32), OVERLOAD_HEAVY (the share of heavy requests, default 0.125) and
# OVERLOAD_DELAY (max_delay, default 0.005 s: the page p99 aimed at is
# twice an unloaded p99 of a few milliseconds) and OVERLOAD_HOLD
# (overload_hold, default 1 s as in canyon.yaml) the server's limits. Phases 1 and 2 are closed-loop (each client sends its
# next request when the previous one ends); phase 3 is open-loop, so that
# the offered load does not depend on how fast the server refuses, and its
# latencies count from when each request was due; the page line also gives
# the p99 from the connect and the generator's own lag, to tell the
# server's latency from a CPU-starved generator's. Refusals come in
# three kinds: 44 after the handshake; a close on accept, before the
# handshake (clients likely to be refused, while the server is
# overloaded), which the load generator counts as a handshake or reset
# error; and, for clients told to wait (or closed on accept) that come
# back before their wait is over, connection attempts left unanswered by
# the kernel (a socket filter on the listener): the generator's connect
# waits on TCP's SYN retries (timeout error after 20 s), and while all 256
# connections of a class wait so, its later arrivals are not sent
# (no_slot). The first line of phase 3 gives the arrivals and those sent.
# At exit the server logs what it did per class (requests after a
# handshake, admitted, closed on accept before TLS, accepted but lost
# before a request); the bench prints it.
# OVERLOAD_RESUME=1 makes
# every client resume its TLS session (a much cheaper handshake for both
# sides). OVERLOAD_IMPATIENT=1 makes the image and greedy clients give up
# a request after 1 s (a connection attempt left unanswered included) and
# gives them 2048 connections each instead of 256, so that nearly all of
# their arrivals are sent: clients that do not wait on TCP's SYN retries.
# OVERLOAD_TRACE=DIR keeps each phase-3 generator's per-request timings
# (loadgen --trace: due, connect, established, server hello, handshake
# done, first byte, end) in DIR/LABEL.trace, to see where a page's time
# goes. OVERLOAD_PERF=FILE records the server's first OVERLOAD_PERF_SECS
# (default 2) of each phase 3 with perf (FILE, FILE-off). OVERLOAD_PARTS (default "lifted trickle") names the optional
# parts: the run with the protection lifted, and phase 4.
#
# Isolation. The generator pays more CPU per handshake than the server; on
# two shared cores, a server that saturates the machine leaves a 3x
# generator CPU-starved, and its own lag, not the server, then makes the
# page p99. So, where the machine allows it (root, taskset, a cgroup CPU
# controller, at least 2 CPUs), the server runs on CPU 0 only, inside a
# cgroup whose CFS quota gives it OVERLOAD_CPU (default 0.25) of that CPU,
# with a short period (OVERLOAD_PERIOD_US, default 4000 us: the kernel's
# smallest quota is 1 ms) so that a throttled server stalls for at most a
# few milliseconds at a time;
# every generator (loadgen, trickle) runs on CPU 1. The server's capacity
# is then a quarter of a core, and the generator has a whole core to offer
# three times that. Every phase, the unloaded one included, runs under the
# same limits, so the ratios compare like with like. Where isolation is not
# possible the bench says so on its first line and runs unisolated (the
# method of earlier figures); OVERLOAD_ISOLATE=0 asks for that.
# Why a quota and not a finer way to make the CPU small: the kernel's
# smallest quota is 1 ms, so a quarter of a core stalls for up to 3 ms at
# a time; but the unloaded phase pays that too (one client keeps the
# quarter-core server busy: its line shows the periods throttled), and
# the per-request timings (OVERLOAD_TRACE) show most pages at about the
# unloaded p99. Every new client costs a handshake before the server knows
# what it wants: at the start of the flood, 200 new image addresses at
# once; with the quota, any of the server's work that is not a page's
# (those handshakes, 1 MB images when no overload holds) delays the pages
# due meanwhile by a throttled period or more. Weighting the server
# against a competing load on its core instead (cpu.shares) gives slices
# of the same order (the scheduler's tick) and a server whose share
# follows the other load's, so the quota stays. The line "pages due after the first 2 s"
# gives the page p99 without the start, for comparison, not instead.
set -u
B=$(cd "${1:?usage: overload_bench.sh BUILD_DIR}" && pwd)
LOADGEN=$B/bench/loadgen
TRICKLE=$B/bench/trickle
CANYON=$B/canyon
SECS=${OVERLOAD_SECS:-10}
MIX=${OVERLOAD_MIX:-0.5 1.0 1.5}
RESUME=
[ "${OVERLOAD_RESUME:-0}" = 1 ] && RESUME=--resume
# the image and greedy clients' connections, and their wait for a reply
HEAVY_CLIENTS="-c 256"
[ "${OVERLOAD_IMPATIENT:-0}" = 1 ] && HEAVY_CLIENTS="-c 2048 --timeout 1000"
PORT=$((20000 + $$ % 20000))
TIMEOUT=10

fail() {
	echo "overload_bench: $*" >&2
	exit 1
}
for f in "$LOADGEN" "$TRICKLE" "$CANYON"; do
	[ -x "$f" ] || fail "$f is missing (make all tests-build)"
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null
W=$(mktemp -d /tmp/canyon-overload.XXXXXX)
SERVER_PID=""
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM PIPE HUP

# ---- isolation: the server on CPU 0 under a CPU quota, generators on CPU 1 --
CPU_SHARE=${OVERLOAD_CPU:-0.25}
PERIOD=${OVERLOAD_PERIOD_US:-4000}
CG=""
SERVER_CPU=""
GEN_CPU=""
isolation() {
	[ "${OVERLOAD_ISOLATE:-1}" = 1 ] || { WHY="OVERLOAD_ISOLATE=0"; return 1; }
	command -v taskset >/dev/null || { WHY="no taskset"; return 1; }
	[ "$(nproc)" -ge 2 ] || { WHY="fewer than 2 CPUs"; return 1; }
	if [ -w /sys/fs/cgroup/cpu/cgroup.procs ]; then # cgroup v1
		CG=/sys/fs/cgroup/cpu/canyon-overload-$$
		mkdir "$CG" 2>/dev/null && echo "$PERIOD" >"$CG/cpu.cfs_period_us" &&
			echo "$QUOTA" >"$CG/cpu.cfs_quota_us" && return 0
	elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then # v2
		CG=/sys/fs/cgroup/canyon-overload-$$
		grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
			echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		mkdir "$CG" 2>/dev/null && echo "$QUOTA $PERIOD" >"$CG/cpu.max" && return 0
	fi
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	CG=""
	WHY="no writable cgroup CPU controller"
	return 1
}
QUOTA=$(awk -v p="$PERIOD" -v s="$CPU_SHARE" 'BEGIN { printf "%d", p * s }')
WHY=""
if isolation; then
	SERVER_CPU="taskset -c 0"
	GEN_CPU="taskset -c 1"
	echo "isolation: server on CPU 0 with $CPU_SHARE of it (CFS quota $QUOTA us per $PERIOD us, cgroup $CG), generators on CPU 1"
else
	echo "isolation: none ($WHY): server and generators share every CPU"
fi

# ---- a small capsule: a home page, a 2 KB post, 1 MB images --------------
mkdir -p "$W/pub/p" "$W/pub/img" "$W/certs"
printf '# Home\n=> /p/ A post\n' >"$W/pub/index.gmi"
{ printf '# A post\n'; head -c 2000 /dev/zero | tr '\0' 'x'; printf '\n'; } >"$W/pub/p/index.gmi"
head -c 1048576 /dev/urandom >"$W/pub/img/photo.jpg"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$W/certs/localhost.key" -out "$W/certs/localhost.crt" \
	-days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
chmod 600 "$W/certs/localhost.key"
# start_server on|off: with the limits below, or with shedding and budgets
# lifted (the same server without its overload protection, for comparison).
start_server() {
	if [ "$1" = on ]; then
		LIMITS="rate: 20, burst: 40, max_connections: 4096,
    max_connections_per_address: 64, min_concurrency: ${OVERLOAD_FLOOR:-16},
    max_concurrency: ${OVERLOAD_CEILING:-32}, initial_concurrency: ${OVERLOAD_CEILING:-32},
    max_delay: ${OVERLOAD_DELAY:-0.005}, overload_hold: ${OVERLOAD_HOLD:-1},
    shed: {page: 1.0, light: 0.8, heavy: ${OVERLOAD_HEAVY:-0.125}, over: 0.1}"
	else
		LIMITS="rate: 1000000, burst: 1000000, max_connections: 4096,
    max_connections_per_address: 4096, min_concurrency: 100000,
    max_concurrency: 100000, initial_concurrency: 100000, max_delay: 60"
	fi
	cat >"$W/canyon.yaml" <<YAML
output: pub
server:
  hostname: localhost
  port: $PORT
  listen: ["127.0.0.1:$PORT"]
  gopher_listen: ["127.0.0.1:0"]
  workers: 1
  timeout_request: $TIMEOUT
  timeout_write: 10
  max_in_memory: 2000000
  access_log: ""
limits: {$LIMITS}
YAML
	rm -f "$W/ready"
	# In the cgroup before exec, so that every thread it starts is too.
	CG="$CG" sh -c '[ -z "$CG" ] || echo $$ >"$CG/cgroup.procs" || exit 1; exec "$@"' \
	    canyon $SERVER_CPU "$CANYON" serve -c "$W/canyon.yaml" --ready-file "$W/ready" 2>"$W/server.log" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$W/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$W/ready" ] || fail "canyon did not start: $(cat "$W/server.log")"
}
stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}
start_server on

PAGE=gemini://localhost:$PORT/p/
IMAGE=gemini://localhost:$PORT/img/photo.jpg
HEADER=$("$LOADGEN" --tsv-header)
# col NAME < tsv line: one column by its name in --tsv-header
col() {
	awk -F '\t' -v h="$HEADER" -v want="$1" \
	    'BEGIN { n = split(h, names, "\t"); for (i = 1; i <= n; i++) if (names[i] == want) c = i }
	     { print $c }'
}
# status NN < tsv line: how many replies had status NN
status() {
	col status | tr ',' '\n' | awk -F= -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'
}
rss() { awk '/^VmRSS/ { print $2 }' /proc/"$SERVER_PID"/status; }
# overflows: connections the kernel dropped because an accept queue was
# full (machine-wide: other programs' too), each a SYN retried 1 s later
overflows() { nstat -az TcpExtListenOverflows 2>/dev/null | awk '$1 == "TcpExtListenOverflows" { n = $2 } END { print n + 0 }'; }
# cpu_ticks: the server's user + system time, every thread, in clock ticks
cpu_ticks() { sed 's/.*) //' /proc/"$SERVER_PID"/stat | awk '{ print $12 + $13 }'; }
# throttle: the cgroup's "periods throttled_periods throttled_ns" so far
throttle() {
	if [ -n "$CG" ] && [ -r "$CG/cpu.stat" ]; then
		awk '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { t = $2 }
		     $1 == "throttled_time" { ns = $2 } $1 == "throttled_usec" { ns = $2 * 1000 }
		     END { print p + 0, t + 0, ns + 0 }' "$CG/cpu.stat"
	else
		echo 0 0 0
	fi
}
# throttled BEFORE AFTER: what the quota did between two throttle samples
throttled() {
	echo "$1 $2" | awk '{ p = $4 - $1; t = $5 - $2; ns = $6 - $3
		printf "throttled in %d of %d periods, %.0f ms in all", t, p, ns / 1e6 }'
}
load() { # LABEL ARGS...: one loadgen run, its --tsv line in $W/LABEL
	label=$1
	shift
	# Exit status 1 only says that some requests failed, which is what
	# an overload is about: fail when there is no result line.
	trace=
	[ -n "${OVERLOAD_TRACE:-}" ] && trace="--trace $OVERLOAD_TRACE/$label.trace"
	case $label in pages* | slow-*) [ -z "$trace" ] && trace="--trace $W/$label.trace" ;; esac
	$GEN_CPU "$LOADGEN" --tsv --label "$label" --pid "$SERVER_PID" --timeout 20000 $RESUME $trace "$@" \
	    >"$W/$label" 2>"$W/$label.err"
	[ -s "$W/$label" ] || fail "loadgen $label: $(cat "$W/$label.err")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
# over2 LABEL: of LABEL's pages served, how many took over twice the
# unloaded p99, and their share: the target (p99 at most twice) allows 1 %
over2() {
	awk -F '\t' -v lim=$((2 * P99_IDLE)) '$8 == "20" { n++; if ($7 - $1 > lim) o++ }
	    END { printf "%d of %d (%.1f %%)", o, n, n ? 100 * o / n : 0 }' \
	    "${OVERLOAD_TRACE:-$W}/$1.trace"
}

# ---- 1. unloaded ------------------------------------------------------------
T0=$(throttle)
load idle -c 1 -t "$SECS" -n 1000000 --source 127.0.1.1/200 --latency-status 20 "$PAGE"
P99_IDLE=$(col p99_us <"$W/idle")
echo "unloaded page: $(col rps <"$W/idle") req/s, p99 ${P99_IDLE} us, server CPU $(col srv_us_per_req <"$W/idle") us/request, generator CPU $(col cli_us_per_req <"$W/idle") us/request; $(throttled "$T0" "$(throttle)")"
RSS0=$(rss)

# ---- 2. capacity ------------------------------------------------------------
load cap -c 16 -t "$SECS" -n 1000000 --source 127.0.1.1/200 --latency-status 20 "$PAGE"
CAP=$(col rps <"$W/cap")
echo "capacity (pages only, 16 clients): $CAP req/s, p99 $(col p99_us <"$W/cap") us, statuses $(col status <"$W/cap"), server CPU $(col srv_us_per_req <"$W/cap") us/request, generator CPU $(col cli_us_per_req <"$W/cap") us/request"

# ---- 3. overload: pages, images and a greedy client together ----------------
# rate SHARE: arrivals a second for SHARE times the capacity
rate() { awk -v c="$CAP" -v s="$1" 'BEGIN { r = c * s; print (r < 1) ? 1 : r }'; }
share() { echo "$MIX" | awk -v i="$1" '{ print $i }'; }
R_PAGES=$(rate "$(share 1)")
R_IMAGES=$(rate "$(share 2)")
R_GREEDY=$(rate "$(share 3)")
# mix SUFFIX: the three loads at once, open loop, --tsv lines in
# $W/{pages,images,greedy}SUFFIX, the server's CPU ticks in $W/cpuSUFFIX
mix() {
	c0=$(cpu_ticks)
	o0=$(overflows)
	t0=$(throttle)
	[ -n "${OVERLOAD_PERF:-}" ] && $GEN_CPU perf record -q -F ${OVERLOAD_PERF_HZ:-4000} ${OVERLOAD_PERF_CALLGRAPH:--g} -p "$SERVER_PID" \
	    -o "$OVERLOAD_PERF$1" -- sleep "${OVERLOAD_PERF_SECS:-2}" >/dev/null 2>&1 &
	load "pages$1" -c 256 --rate "$R_PAGES" -t "$SECS" -n 1000000 --source 127.0.1.1/200 \
	    --latency-status 20 "$PAGE" &
	P1=$!
	load "images$1" $HEAVY_CLIENTS --rate "$R_IMAGES" -t "$SECS" -n 1000000 --source 127.0.2.1/200 "$IMAGE" &
	P2=$!
	load "greedy$1" $HEAVY_CLIENTS --rate "$R_GREEDY" -t "$SECS" -n 1000000 --source 127.0.0.99 "$PAGE" &
	P3=$!
	wait $P1 $P2 $P3
	echo $(($(cpu_ticks) - c0)) >"$W/cpu$1"
	echo $(($(overflows) - o0)) >"$W/overflows$1"
	throttled "$t0" "$(throttle)" >"$W/throttled$1"
}
# report SUFFIX TITLE
report() {
	# Arrivals a second over the SECS window in which they were due (the
	# generator's own elapsed time also counts the wait for connections
	# still open at the end, up to its 20 s timeout); and of them, those
	# sent: an arrival that finds the 256 connections of its class all
	# busy (e.g. waiting on connection attempts the server leaves
	# unanswered) is not sent, and counted no_slot.
	offered=0
	sent=0
	for k in pages images greedy; do
		n=$(col requests <"$W/$k$1")
		u=$(col error_kinds <"$W/$k$1" | tr ',' '\n' | awk -F= '$1 == "no_slot" { n = $2 } END { print n + 0 }')
		offered=$(awk -v a="$offered" -v b="$n" -v s="$SECS" 'BEGIN { print a + b / s }')
		sent=$(awk -v a="$sent" -v b="$n" -v u="$u" -v s="$SECS" 'BEGIN { print a + (b - u) / s }')
	done
	all=$(col requests <"$W/pages$1")
	served=$(status 20 <"$W/pages$1")
	p99=$(col p99_us <"$W/pages$1")
	total=0
	for k in pages images greedy; do
		total=$((total + $(col requests <"$W/$k$1")))
	done
	echo "$2: $(printf '%.0f' "$offered") req/s = $(ratio "$offered" "$CAP") x page capacity, for ${SECS} s" \
		"(asked: pages $R_PAGES, images $R_IMAGES, greedy $R_GREEDY req/s;" \
		"sent $(printf '%.0f' "$sent") req/s = $(ratio "$sent" "$CAP") x, the rest no_slot)"
	echo "  server CPU: $(awk -v t="$(cat "$W/cpu$1")" -v hz="$(getconf CLK_TCK)" -v n="$total" -v s="$SECS" \
		'BEGIN { printf "%.0f us/request over all %d requests, %.0f %% of one core", t * 1e6 / hz / n, n, 100 * t / hz / s }');" \
		"accept queue overflows (machine-wide) $(cat "$W/overflows$1"); $(cat "$W/throttled$1")"
	echo "  pages:  $served of $all served (20) = $(awk -v a="$served" -v b="$all" 'BEGIN { printf "%.2f", b ? 100 * a / b : 0 }') %;" \
		"p99 $p99 us = $(ratio "$p99" "$P99_IDLE") x unloaded (from the connect: $(col sent_p99_us <"$W/pages$1") us;" \
		"the generator's lag: p99 $(col lag_p99_us <"$W/pages$1") us); statuses $(col status <"$W/pages$1"); errors $(col error_kinds <"$W/pages$1");" \
		"generator CPU $(col cli_us_per_req <"$W/pages$1") us/request"
	tr=${OVERLOAD_TRACE:-$W}/pages$1.trace
	late=$(awk -F '\t' '$1 >= 2000000 && $8 == "20" { print $7 - $1 }' "$tr" | sort -n |
	    awk '{ v[NR] = $1 } END { i = int(0.99 * NR + 0.999999); print NR ? v[i < 1 ? 1 : i] : 0 }')
	echo "  pages due after the first 2 s (the start of the flood left out): p99 $late us = $(ratio "$late" "$P99_IDLE") x unloaded"
	echo "  pages over twice the unloaded p99: $(over2 "pages$1")"
	echo "  pages over 10 ms (a fixed threshold, to compare runs): $(awk -F '\t' '$8 == "20" { n++; if ($7 - $1 > 10000) o++ }
	    END { printf "%d of %d (%.1f %%)", o, n, n ? 100 * o / n : 0 }' "${OVERLOAD_TRACE:-$W}/pages$1.trace")"
	for k in images greedy; do
		echo "  $k: $(col requests <"$W/$k$1") requests, statuses $(col status <"$W/$k$1"), errors $(col error_kinds <"$W/$k$1");" \
			"generator CPU $(col cli_us_per_req <"$W/$k$1") us/request"
	done
}
: >"$W/rss"
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss >>"$W/rss"; sleep 0.5; done ) &
SAMPLER=$!
mix ""
kill $SAMPLER 2>/dev/null
wait $SAMPLER 2>/dev/null
report "" "overload, with load shedding"
echo "  server RSS: $RSS0 KiB before, $(sort -n "$W/rss" | head -1)-$(sort -n "$W/rss" | tail -1) KiB during, $(rss) KiB after"
P99_ON=$(col p99_us <"$W/pages")
stop_server
# The server's own counts at exit (phases 1 to 3): requests after a TLS
# handshake, admitted, and connections closed on accept before any TLS
# work, by class (a closed one as the class of its address's last request).
echo "  server's counts since its start (phases 1-3; phases 1-2 are $(( $(col requests <"$W/idle") + $(col requests <"$W/cap") )) page requests):" \
	"$(sed -n 's/.*worker 0: //p' "$W/server.log")"
PARTS=${OVERLOAD_PARTS-lifted trickle}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
if part lifted; then
	start_server off
	mix "-off"
	report "-off" "the same load, shedding and budgets lifted"
	echo "  page p99 without shedding / with: $(ratio "$(col p99_us <"$W/pages-off")" "$P99_ON")"
	stop_server
fi
part trickle || exit 0
start_server on

# ---- 4. slow connections --------------------------------------------------------
for mode in handshake request; do
	if [ $mode = handshake ]; then
		$GEN_CPU "$TRICKLE" -n 1000 -t $((TIMEOUT * 4)) -s 127.0.3.1/250 127.0.0.1 "$PORT" >"$W/trickle" &
	else
		$GEN_CPU "$TRICKLE" -n 1000 -t $((TIMEOUT * 4)) -s 127.0.3.1/250 --tls localhost 127.0.0.1 "$PORT" >"$W/trickle" &
	fi
	T=$!
	sleep 4
	load "slow-$mode" -c 1 -t 5 -n 1000000 --source 127.0.1.1/200 --latency-status 20 "$PAGE"
	wait $T
	P99_SLOW=$(col p99_us <"$W/slow-$mode")
	echo "1000 connections trickling (stalled $mode): page p99 $P99_SLOW us = $(ratio "$P99_SLOW" "$P99_IDLE") x unloaded," \
		"$(status 20 <"$W/slow-$mode") of $(col requests <"$W/slow-$mode") served, over twice the unloaded p99 $(over2 "slow-$mode");" \
		"trickle: $(cat "$W/trickle") (timeout_request $TIMEOUT s)"
done
echo "server RSS at the end: $(rss) KiB"
echo "command: OVERLOAD_SECS=$SECS OVERLOAD_MIX='$MIX' OVERLOAD_RESUME=${OVERLOAD_RESUME:-0} OVERLOAD_IMPATIENT=${OVERLOAD_IMPATIENT:-0} sh tests/bench/overload_bench.sh $1"
