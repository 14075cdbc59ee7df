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
