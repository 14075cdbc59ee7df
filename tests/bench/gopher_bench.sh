#!/bin/sh
# gopher_bench: the Gopher handler alone (gopher_respond on a 2 KB post
# menu), CPU time per request with menus rendered when the site is built,
# against rendering the page on every request. The whole server, sockets
# included, is measured against gophernicus by server_bench.sh.
#
#   sh tests/bench/gopher_bench.sh build/rel
set -u
B=$(cd "${1:?usage: gopher_bench.sh BUILD_DIR}" && pwd)
[ -x "$B/bench/gopher_respond" ] || {
	echo "gopher_bench: $B/bench/gopher_respond is missing (make tests-build)" >&2
	exit 1
}
"$B/bench/gopher_respond"
