#!/bin/sh
# The sandbox as the server applies it (sandbox.c), through a probe that
# confines itself the same way: reads beneath the allowed folders work,
# reads elsewhere (even through a symlink placed inside the folder) and any
# write are refused; dropping to an unprivileged user keeps reads working.
. "$ROOT/tests/lib.sh"
PROBE="$TOOLS/sandbox_probe"

mkdir -p "$TMP/capsule/sub" "$TMP/certs"
echo page >"$TMP/capsule/sub/index.gmi"
echo key >"$TMP/certs/localhost.key"
echo secret-sentinel >"$TMP/outside.txt"
ln -s "$TMP/outside.txt" "$TMP/capsule/link"
ln -s /etc/passwd "$TMP/capsule/passwd"

out=$("$PROBE" "$TMP/capsule" "$TMP/certs/localhost.key" -- \
	"$TMP/capsule/sub/index.gmi" "$TMP/certs/localhost.key" \
	"$TMP/outside.txt" "$TMP/capsule/link" "$TMP/capsule/passwd" /etc/hostname 2>&1)
case "$out" in
"landlock none"*)
	echo "ok - sandbox # SKIP kernel without Landlock"
	exit 0
	;;
esac
expect_match "landlock applied" '^landlock [1-9]' "$out"
expect_match "reads beneath the capsule" "^read $TMP/capsule/sub/index.gmi\$" "$out"
expect_match "reads an allowed single file" "^read $TMP/certs/localhost.key\$" "$out"
expect_match "no read outside" "^denied $TMP/outside.txt \\(Permission denied\\)" "$out"
expect_match "no read through a symlink leading out" "^denied $TMP/capsule/link \\(Permission denied\\)" "$out"
expect_match "no /etc/passwd through a symlink in the root" "^denied $TMP/capsule/passwd \\(Permission denied\\)" "$out"
expect_match "no read of system files" "^denied /etc/hostname" "$out"
expect_match "no file created even in an allowed folder" "^create denied \\(Permission denied\\)" "$out"
check "nothing was created" test ! -e "$TMP/capsule/sub/index.gmi.made"

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod -R a+rX "$TMP"
	chmod 755 "$TMP"
	out=$("$PROBE" -u nobody "$TMP/capsule" -- "$TMP/capsule/sub/index.gmi" \
		"$TMP/outside.txt" 2>&1)
	expect_match "as nobody: reads the capsule" "^read $TMP/capsule/sub/index.gmi\$" "$out"
	expect_match "as nobody: still confined" "^denied $TMP/outside.txt" "$out"
	out=$("$PROBE" -u no-such-user-xyz "$TMP/capsule" -- "$TMP/outside.txt" 2>&1)
	expect_match "unknown user refused" "user 'no-such-user-xyz': no such user" "$out"
else
	echo "ok - drop privileges # SKIP not root"
fi

# --- the server itself ------------------------------------------------------
GEMREQ="$TOOLS/gemreq"
S="$TMP/srv"
mkdir -p "$S/pub" "$S/pub2" "$S/certs" "$TMP/elsewhere/pub"
printf '# Home\n' >"$S/pub/index.gmi"
printf '# Pub2\n' >"$S/pub2/index.gmi"
printf '# Elsewhere\n' >"$TMP/elsewhere/pub/index.gmi"
make_cert "$S/certs"
write_config() { # ROOT [USER]
	cat >"$S/canyon.yaml" <<YAML
output: $1
server:
  hostname: localhost
  listen: ["127.0.0.1:0"]
  gopher_listen: ["127.0.0.1:0"]
  workers: 1
  access_log: ""
${2:+  user: $2}
YAML
}
start() {
	rm -f "$S/ready"
	"$CANYON" serve -c "$S/canyon.yaml" --ready-file "$S/ready" 2>"$S/server.log" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$S/ready" ] && kill -0 $SERVER_PID 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	PORT=$(awk '$1 == "gemini" {print $2}' "$S/ready" 2>/dev/null)
}
stop() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}
page() { printf 'gemini://localhost/\r\n' | "$GEMREQ" -p "$PORT" 2>/dev/null | tail -n +2; }

write_config pub
chmod 644 "$S/certs/localhost.key"
"$CANYON" serve -c "$S/canyon.yaml" --ready-file "$S/ready" >"$S/out" 2>&1
rc=$?
expect_eq "a private key others may read stops the start" 1 "$rc"
expect_match "... with the file and the chmod that fixes it" \
	"localhost.key: private key is accessible by group or others \\(mode 0644\\); run: chmod 600" \
	"$(cat "$S/out")"
chmod 600 "$S/certs/localhost.key"

start
expect_eq "a confined server serves its capsule" "# Home" "$(page)"
expect_match "it says it is confined" "confined with Landlock" "$(cat "$S/server.log")"
if [ "$(id -u)" -eq 0 ]; then
	expect_match "as root without server.user it warns" \
		"running as root: set server.user" "$(cat "$S/server.log")"
fi
# A reload may read only what was allowed at start: a capsule moved
# outside those folders is refused by the kernel, the old one keeps
# serving; a capsule beside the first one is fine.
write_config ../elsewhere/pub
kill -HUP "$SERVER_PID"
sleep 1
expect_eq "a reload cannot read a folder outside the sandbox; the old capsule stays" \
	"# Home" "$(page)"
expect_match "... and the reload failure is logged" "reload refused.*Permission denied" "$(cat "$S/server.log")"
write_config pub2
kill -HUP "$SERVER_PID"
sleep 1
expect_eq "a reload to a capsule beside the first one works" "# Pub2" "$(page)"
stop

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod a+rx "$TMP"
	chown -R nobody "$S/certs"
	write_config pub nobody
	start
	expect_eq "server.user nobody: still serves" "# Home" "$(page)"
	uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/"$SERVER_PID"/status)
	expect_eq "server.user nobody: every uid is nobody's" \
		"$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody)" "$uid"
	expect_match "server.user nobody: no new privileges" '^NoNewPrivs:[[:space:]]*1' \
		"$(cat /proc/"$SERVER_PID"/status)"
	stop
else
	echo "ok - server.user # SKIP not root"
fi
