#!/bin/sh
# canyon serve --watch: a changed post is rebuilt and served without a
# restart; editor files do not rebuild; a broken build keeps the capsule
# being served; the watcher ends with the server.
. "$ROOT/tests/lib.sh"


mkdir -p "$TMP/blog/source/_posts" "$TMP/certs"
post() {
	printf -- '---\ntitle: %s\ndate: 2024-01-02 10:00:00\n---\n\nBody of the post.\n' "$1" \
		>"$TMP/blog/source/_posts/hello.md"
}
post "First title"
make_cert "$TMP/certs"
cat >"$TMP/canyon.yaml" <<EOF
source: blog
output: public
server:
  listen: ["127.0.0.1:0"]
  gopher_listen: ["127.0.0.1:0"]
  certs: certs
  access_log: ""
  workers: 1
EOF
check "first build" "$CANYON" build -q -c "$TMP/canyon.yaml"

check "server ready" serve_and_wait "$TMP/canyon.yaml" "$TMP/err" --watch
PORT=$(ready_port gemini)
page() {
	printf 'gemini://localhost/2024/01/02/hello/\r\n' |
		timeout 5 socat - "OPENSSL:127.0.0.1:$PORT,verify=0,snihost=localhost"
}
shows() { page | grep -q "^# $1"; }
check "the post is served" shows "First title"

post "Second title"
check "an edited post is served after the rebuild" wait_for 15 shows "Second title"
expect_eq "one rebuild" 1 "$(grep -c 'watch: .* changed, rebuilding' "$TMP/err")"

# Editor files: no rebuild.
echo swap >"$TMP/blog/source/_posts/.hello.md.swp"
echo backup >"$TMP/blog/source/_posts/hello.md~"
sleep 1
expect_eq "editor files do not rebuild" 1 "$(grep -c 'changed, rebuilding' "$TMP/err")"

# A build that fails (a configuration error appears): the last capsule
# stays. The configuration is the server's too, so it is put back before
# anything else reads it.
cp "$TMP/canyon.yaml" "$TMP/good.yaml"
printf 'site:\n  no_such_key: 1\n' >>"$TMP/canyon.yaml"
post "Third title"
check "a failed build is reported" wait_for 15 grep -q 'watch: build failed' "$TMP/err"
cp "$TMP/good.yaml" "$TMP/canyon.yaml"
check "the previous capsule is still served" shows "Second title"

# A new folder under source/ is watched too.
mkdir -p "$TMP/blog/source/about"
printf -- '---\ntitle: About\n---\n\nAbout me.\n' >"$TMP/blog/source/about/index.md"
about() {
	printf 'gemini://localhost/about/\r\n' |
		timeout 5 socat - "OPENSSL:127.0.0.1:$PORT,verify=0,snihost=localhost" |
		grep -q '^20 '
}
check "a page in a new folder is served" wait_for 15 about

watcher=$(pgrep -P "$SERVER_PID" -x canyon)
check "the watcher runs as a child of the server" test -n "$watcher"
kill "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=""
check "the watcher ends with the server" wait_for 5 sh -c "! kill -0 $watcher"
exit 0
