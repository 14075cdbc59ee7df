#!/bin/sh
# make bench: every benchmark, one after the other, against one build.
#   sh tests/bench/run.sh BUILD_DIR
# Each script prints its own figures and its ratio against its peer.
set -u
B=${1:?usage: tests/bench/run.sh BUILD_DIR}
DIR=$(dirname "$0")
status=0
for bench in \
    conv_bench.sh \
    ; do
	echo "# $bench"
	sh "$DIR/$bench" "$B" || status=1
done
exit $status
