#!/bin/sh
# Gopher as a person reads it: lynx -dump of the real server's root menu
# shows the home menu; following the series (home -> part 1 -> part 4) by
# the links lynx lists lands on part 4, with its title and headings.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/capsule_lib.sh"

command -v lynx >/dev/null || { not_ok "lynx is installed (contrib/deps.sh)"; exit 0; }

start_capsule || { not_ok "canyon builds and serves the bundled capsule"; exit 0; }
ORIGIN="gemini://$CAPSULE_HOST:$GEMINI_PORT"

mkdir -p "$TMP/home"
dump() {
	HOME="$TMP/home" LANG=C.UTF-8 timeout 20 lynx -dump -width=200 \
	    -display_charset=utf-8 -assume_charset=utf-8 "$1"
}

# The text of a Gemini page's first heading, for comparison.
gemini_title() {
	"$CANYON" get -t 10 "$1" 2>/dev/null | sed -n 's/^# //p' | head -1
}

# Spaces removed, so that wrapping does not matter.
squeeze() { tr -d ' \n'; }

# link_in DUMP-FILE PATTERN: the URL lynx lists for the first link whose
# label matches ("[N]label" in the text, "N. URL" under References).
link_in() {
	_n=$(sed -n '/^References$/q; p' "$1" | grep -E -- "$2" |
	    grep -o '\[[0-9]*\]' | head -1 | tr -d '[]')
	[ -n "$_n" ] || return 1
	sed -n '/^References$/,$p' "$1" | sed -n "s/^ *$_n\. //p" | head -1
}

dump "gopher://127.0.0.1:$GOPHER_PORT/1/" >"$TMP/home.txt" 2>&1
expect_match "lynx shows the home menu title" \
    "$(gemini_title "$ORIGIN/" | sed 's/[][\.*^$()+?{}|]/\\&/g')" "$(cat "$TMP/home.txt")"
expect_match "the home menu lists part 4 of the series" '4편' "$(cat "$TMP/home.txt")"

part1=$(link_in "$TMP/home.txt" '1편')
expect_match "the home menu links to part 1 (a menu)" "^gopher://[^/]+/1/" "$part1"
dump "$part1" >"$TMP/part1.txt" 2>&1
part4=$(link_in "$TMP/part1.txt" '4편')
expect_match "part 1 links to part 4 (a menu)" "^gopher://[^/]+/1/" "$part4"
dump "$part4" >"$TMP/part4.txt" 2>&1

# The same post over Gemini gives the title and headings to look for.
gpath=$(printf '%s\n' "$part4" | sed -E 's,^gopher://[^/]+/1,,')
"$CANYON" get -t 10 "$ORIGIN$gpath" >"$TMP/part4.gmi" 2>/dev/null
title=$(sed -n 's/^# //p' "$TMP/part4.gmi" | head -1)
expect_match "part 4 is the reference post" '4편' "$title"
seen=$(squeeze <"$TMP/part4.txt")
case "$seen" in
*"$(printf '%s' "$title" | squeeze)"*) ok "lynx shows part 4's title" ;;
*) not_ok "lynx shows part 4's title"; head -20 "$TMP/part4.txt" | sed 's/^/#   /' ;;
esac
find_headings "$TMP/part4.gmi" "$TMP/part4.txt" 2
check "part 4 has headings to look for" test "$HEADINGS" -gt 1
expect_eq "lynx shows all $HEADINGS section headings of part 4" "" "$MISSING"
exit 0
