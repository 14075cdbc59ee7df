#!/bin/sh
# Runs every benchmark against one build folder (make bench). Benchmarks
# print figures and ratios against named peers; they never fail a build on
# a figure, only when they cannot run.
#
#   sh tests/bench/run.sh build/rel [PATTERN]   PATTERN filters by name
set -u
B=${1:?usage: tests/bench/run.sh BUILD_DIR [PATTERN]}
PATTERN=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
for t in "$HERE"/*_bench.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in *"$PATTERN"*) ;; *) continue ;; esac
	echo "# $name"
	sh "$t" "$B" || status=1
done
exit $status
