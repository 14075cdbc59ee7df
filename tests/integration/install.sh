#!/bin/sh
# make install / make uninstall into a DESTDIR, with the binary under test:
# the files land where PREFIX says, the man pages render without warnings
# and cover every command and every key of the example configuration, the
# systemd, sysusers and logrotate files are valid, and uninstall removes
# everything it installed.
. "$ROOT/tests/lib.sh"

D=$TMP/d
quiet() { "$@" >/dev/null 2>&1; }
mk() { make -s -C "$ROOT" DESTDIR="$D" PREFIX=/usr BIN="$CANYON" "$@"; }

check "make install with DESTDIR and PREFIX" mk install
check "make install-systemd" mk install-systemd
expect_eq "binary installed, mode 755" "755" "$(stat -c %a "$D/usr/bin/canyon" 2>&1)"
expect_eq "installed binary runs" "$("$CANYON" --version)" \
	"$("$D/usr/bin/canyon" --version 2>&1)"
for f in usr/share/man/man1/canyon.1 usr/share/man/man5/canyon.yaml.5 \
	usr/share/doc/canyon/canyon.yaml.example \
	usr/lib/systemd/system/canyon.service usr/lib/systemd/system/canyon-build.service \
	usr/lib/systemd/system/canyon-build.path usr/lib/sysusers.d/canyon.conf \
	etc/logrotate.d/canyon; do
	expect_eq "$f installed, mode 644" "644" "$(stat -c %a "$D/$f" 2>&1)"
done
expect_match "units run the installed binary" '^ExecStart=/usr/bin/canyon serve' \
	"$(cat "$D/usr/lib/systemd/system/canyon.service")"

# Man pages: lint clean (warnings and errors; style notes aside), and
# man(1) finds and renders them from the installed tree.
for m in man1/canyon.1 man5/canyon.yaml.5; do
	expect_eq "mandoc -T lint: $m" "" \
		"$(mandoc -T lint -W warning "$D/usr/share/man/$m" 2>&1)"
done
MANPATH=$D/usr/share/man
export MANPATH
out=$(MANWIDTH=80 man canyon 2>"$TMP/man.err")
expect_match "man canyon renders" '^SYNOPSIS' "$out"
expect_eq "man canyon: no warnings" "" "$(cat "$TMP/man.err")"
yout=$(MANWIDTH=80 man 5 canyon.yaml 2>"$TMP/man.err")
expect_match "man 5 canyon.yaml renders" 'ticket_key_file' "$yout"
expect_eq "man 5 canyon.yaml: no warnings" "" "$(cat "$TMP/man.err")"

# Every command of `canyon --help` is described in canyon(1).
cmds=$("$CANYON" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
missing=""
for c in $cmds; do
	grep -q "^\.It Cm $c\\b" "$ROOT/doc/canyon.1" || missing="$missing $c"
done
expect_eq "canyon(1) describes every command ($(echo $cmds))" "" "$missing"
# ... and every long option their --help lists.
missing=""
for c in $cmds; do
	for o in $("$CANYON" "$c" --help 2>&1 | grep -o -- '--[a-z][a-z0-9.-]*' | sort -u); do
		[ "$o" = --help ] && continue
		grep -q -- "Fl -${o#--}\\b" "$ROOT/doc/canyon.1" || missing="$missing $c:$o"
	done
done
expect_eq "canyon(1) describes every long option" "" "$missing"

# Every key of the example configuration (commented-out ones included) is
# described in canyon.yaml(5).
keys=$(sed -n 's/^ *#\{0,1\} *\([a-z_][a-z_0-9]*\):\( .*\)\{0,1\}$/\1/p' "$ROOT/canyon.yaml" | sort -u)
missing=""
for k in $keys; do
	grep -q "^\.It Ic $k\\b" "$ROOT/doc/canyon.yaml.5" || missing="$missing $k"
done
expect_eq "canyon.yaml(5) describes every key of canyon.yaml ($(echo $keys | wc -w) keys)" \
	"" "$missing"

# systemd units: systemd-analyze verify, with the binary's path pointing at
# the binary under test (verify wants it to exist) and the man pages of the
# Documentation= lines found through MANPATH.
U=$TMP/units
check "install-systemd with another BINDIR" \
	make -s -C "$ROOT" DESTDIR="$U" PREFIX=/usr BINDIR="$(dirname "$CANYON")" install-systemd
out=$(cd "$U/usr/lib/systemd/system" &&
	systemd-analyze verify ./canyon.service ./canyon-build.service ./canyon-build.path 2>&1)
expect_eq "systemd-analyze verify: no complaint" "" "$out"

# sysusers: creates the user in a scratch root.
mkdir -p "$TMP/root/etc"
check "systemd-sysusers accepts canyon.sysusers" quiet \
	systemd-sysusers --root="$TMP/root" "$D/usr/lib/sysusers.d/canyon.conf"
expect_match "user canyon created, no login shell" '^canyon:x:[0-9]+:[0-9]+:.*:/var/lib/canyon:/usr/sbin/nologin$' \
	"$(cat "$TMP/root/etc/passwd" 2>&1)"

# logrotate: a real rotation of a log in $TMP with the shipped snippet
# (owner and path moved to what this test may use; the postrotate script
# is the shipped one and tolerates the missing service).
mkdir -p "$TMP/log"
echo "line" >"$TMP/log/access.log"
sed -e "s|/var/log/canyon|$TMP/log|" -e "s|create 0640 canyon canyon|create 0640 $(id -un) $(id -gn)|" \
	"$D/etc/logrotate.d/canyon" >"$TMP/logrotate.conf"
out=$(logrotate -f -s "$TMP/logrotate.state" "$TMP/logrotate.conf" 2>&1)
expect_eq "logrotate runs the snippet without error" "" "$out"
check "log rotated to access.log.1" test -s "$TMP/log/access.log.1"
expect_eq "new empty log created, mode 640" "640 0" \
	"$(stat -c '%a %s' "$TMP/log/access.log" 2>&1)"

check "make uninstall" mk uninstall
check "make uninstall-systemd" mk uninstall-systemd
expect_eq "nothing left but folders" "" "$(find "$D" ! -type d)"
exit 0
