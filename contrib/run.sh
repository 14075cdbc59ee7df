#!/bin/sh
# make run: build the bundled capsule and serve it on localhost.
set -e
BIN=${1:-build/rel/canyon}
"$BIN" build
exec "$BIN" serve
