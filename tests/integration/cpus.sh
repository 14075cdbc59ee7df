#!/bin/sh
# The CPU the server weighs its event loops' CPU time against (the load
# shedding's CPU headroom, shed.h), as it says at start: what its CPU
# affinity allows, what limits.cpus says, or a cgroup CPU quota. The quota is checked in a cgroup of its own where the
# machine lets root make one (as tests/bench/overload_bench.sh does).
. "$ROOT/tests/lib.sh"

mkdir -p "$TMP/pub" "$TMP/certs"
printf '# CPU capsule\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
# config EXTRA [WORKERS]: WORKERS workers (default 2), and the limits
# section EXTRA
config() {
	loopback_config <<EOF
  certs: certs
  access_log: ""
  workers: ${2:-2}
$1
EOF
}
# cpu_line: the server's start line about its CPU
cpu_line() { grep '^canyon: CPU: ' "$TMP/err"; }
# serve_with WRAPPER: canyon started by the executable WRAPPER (which
# execs its arguments), waited for, then stopped
serve_with() {
	CANYON_REAL=$CANYON
	CANYON=$1
	check "server ready ($(basename "$1"))" serve_and_wait "$TMP/canyon.yaml" "$TMP/err"
	CANYON=$CANYON_REAL
	expect_match "... and it answers" '^20 ' "$(printf 'gemini://localhost/\r\n' |
		timeout 5 socat - "OPENSSL:127.0.0.1:$(ready_port gemini),verify=0,snihost=localhost" | head -1)"
	stop_server
}

printf '#!/bin/sh\nexec taskset -c 0 "%s" "$@"\n' "$CANYON" >"$TMP/one-cpu"
chmod +x "$TMP/one-cpu"
config ""
serve_with "$TMP/one-cpu"
expect_eq "one CPU allowed" \
	"canyon: CPU: 1 (affinity) for 2 workers" "$(cpu_line)"

config "" 0
serve_with "$TMP/one-cpu"
expect_eq "workers: 0 and one CPU allowed: one event loop" \
	"canyon: CPU: 1 (affinity) for 1 worker" "$(cpu_line)"

config "limits:
  cpus: 0.5"
serve_with "$TMP/one-cpu"
expect_eq "limits.cpus says less" \
	"canyon: CPU: 0.5 (limits.cpus) for 2 workers" "$(cpu_line)"

# A cgroup with a quota of a quarter of a CPU (10 ms per 40 ms).
CG=""
if [ -w /sys/fs/cgroup/cpu/cgroup.procs ]; then
	CG=/sys/fs/cgroup/cpu/canyon-test-$$
	mkdir "$CG" 2>/dev/null && echo 40000 >"$CG/cpu.cfs_period_us" &&
		echo 10000 >"$CG/cpu.cfs_quota_us" || CG=""
elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
		echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	CG=/sys/fs/cgroup/canyon-test-$$
	mkdir "$CG" 2>/dev/null && echo "10000 40000" >"$CG/cpu.max" || CG=""
fi
if [ -z "$CG" ]; then
	ok "# SKIP no writable cgroup CPU controller: the quota is not checked"
	exit 0
fi
printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" && exec "%s" "$@"\n' "$CG" "$CANYON" >"$TMP/quota"
chmod +x "$TMP/quota"
config ""
serve_with "$TMP/quota"
expect_eq "in a cgroup with a quarter of a CPU: its quota" \
	"canyon: CPU: 0.25 (cgroup quota) for 2 workers" "$(cpu_line)"
config "" 0
serve_with "$TMP/quota"
expect_eq "workers: 0 and a quarter of a CPU: one event loop" \
	"canyon: CPU: 0.25 (cgroup quota) for 1 worker" "$(cpu_line)"
rmdir "$CG"
expect_eq "no error output" "" "$(stderr_problems "$TMP/err")"
exit 0
