#!/bin/sh
# Converter benchmark (make bench): a generated 10,000-post Korean blog
# shaped like the user's post (tests/tools/blog_gen.c), converted by
# canyon build, beside md4c's own HTML renderer (md_html) on the same
# files in the same run: the ceiling for anything built on md4c.
#   sh tests/bench/conv_bench.sh BUILD_DIR     (BENCH_POSTS=N for another size)
# Targets: full build >= 0.5 x md4c-html's throughput; one-post rebuild
# < 100 ms. Prints the figures; exits 1 only when something fails to run.
# On ext4 without a journal, creating inodes is slow for a few minutes
# after many files were deleted (the clean-up of a previous run): leave a
# few minutes between runs before comparing full builds.
set -u
B=$(cd "${1:?usage: conv_bench.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_POSTS:-10000}
W=$(mktemp -d "${TMPDIR:-/tmp}/canyon-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# CPU milliseconds (user + system) used so far by the finished children:
# the machine may be shared, so wall time alone says little.
# (sets CPU; `times` must run in this shell, not in a $(...) subshell)
cpu_now() {
	times >"$W/times"
	CPU=$(awk 'NR == 2 {
		split($1, u, "m"); split($2, s, "m")
		printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000
	}' "$W/times")
}
fail() { echo "conv_bench: $*" >&2; exit 1; }

cc -O2 -o "$W/md4c_html" "$ROOT/tests/bench/peers/md4c_html.c" \
    $(pkg-config --cflags --libs md4c-html) || fail "cannot build the md4c-html driver"
"$B/tools/blog_gen" "$W/blog" "$N" || fail "blog_gen failed"
POSTS="$W/blog/source/_posts"
bytes=$(find "$POSTS" -name '*.md' -exec cat {} + | wc -c)
cat >"$W/canyon.yaml" <<CFG
source: blog
output: public
site:
  url: https://bench.example.org
CFG
cd "$W" || exit 1

# Both read the files from the page cache: read them once first.
find "$POSTS" -name '*.md' -exec cat {} + >/dev/null
cpu_now; c0=$CPU
"$W/md4c_html" "$POSTS" >"$W/md4c.out" || fail "md4c_html failed"
cpu_now; md4c_cpu=$((CPU - c0))
set -- $(cat "$W/md4c.out")
md4c_ms=$3

build() { # sets ms (wall clock) and cpu (user + system) of one build
	cpu_now; c0=$CPU
	t0=$(now_ms)
	"$B/canyon" build -q -c canyon.yaml >"$W/out" 2>"$W/err" ||
	    fail "canyon build failed: $(tail -3 "$W/err")"
	ms=$(($(now_ms) - t0))
	cpu_now; cpu=$((CPU - c0))
}
build; full_ms=$ms; full_cpu=$cpu; full_out=$(cat "$W/out")
build; second_ms=$ms
build; same_ms=$ms; same_cpu=$cpu
echo "한 줄 더." >>"$POSTS/post-00042.md"
build; one_ms=$ms; one_cpu=$cpu; one_out=$(cat "$W/out")

awk -v n="$N" -v bytes="$bytes" -v md4c="$md4c_ms" -v full="$full_ms" \
    -v second="$second_ms" -v same="$same_ms" -v one="$one_ms" \
    -v md4c_cpu="$md4c_cpu" -v full_cpu="$full_cpu" -v same_cpu="$same_cpu" \
    -v one_cpu="$one_cpu" 'BEGIN {
	mb = bytes / 1e6
	mr = md4c > 0 ? mb / (md4c / 1000) : 0
	cr = full > 0 ? mb / (full / 1000) : 0
	ratio = mr > 0 ? cr / mr : 0
	printf "conv_bench: %d posts, %.1f MB of Markdown\n", n, mb
	mc = md4c_cpu > 0 ? mb / (md4c_cpu / 1000) : 0
	cc = full_cpu > 0 ? mb / (full_cpu / 1000) : 0
	cratio = mc > 0 ? cc / mc : 0
	printf "  md4c-html (md_html), same files:   %6d ms wall %6.1f MB/s | %6d ms CPU %6.1f MB/s\n", md4c, mr, md4c_cpu, mc
	printf "  canyon build, full:                %6d ms wall %6.1f MB/s | %6d ms CPU %6.1f MB/s\n", full, cr, full_cpu, cc
	printf "  ratio canyon / md4c-html:          %.2f wall, %.2f CPU (target >= 0.50)\n", ratio, cratio
	printf "  canyon build, second (other generation, from cache): %d ms wall\n", second
	printf "  canyon build, nothing changed:     %6d ms wall %6d ms CPU\n", same, same_cpu
	printf "  canyon build, one post changed:    %6d ms wall %6d ms CPU (target < 100 ms)\n", one, one_cpu
}'
echo "  full build:  $full_out"
echo "  one post:    $one_out"
