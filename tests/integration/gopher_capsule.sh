#!/bin/sh
# The bundled blog (capsule/), built by canyon build and served by canyon
# serve, read over Gopher: every local item reachable from the root menu
# answers; part 4's menu carries every link of its Gemini page with the
# right item type and its text document lists them all; the series is
# followed with lynx; search finds part 4 by a Korean word. The goldens of
# the renderer live in gopher.sh (fixed fixture); this suite follows the
# converter's real output without freezing it.
. "$ROOT/tests/lib.sh"
FIX="$ROOT/tests/integration/gopher"
POST=/2021/12/31/las-vegas-aws-reinvent-04/

cp -R "$ROOT/capsule" "$TMP/blog"
awk '/^[a-z]/ { keep = $0 !~ /^(source|output|server|limits):/ } keep' \
    "$ROOT/canyon.yaml" >"$TMP/build.yaml"
printf 'source: %s\noutput: %s\n' "$TMP/blog" "$TMP/public" >>"$TMP/build.yaml"
if ! "$CANYON" build -q -c "$TMP/build.yaml" >"$TMP/build.log" 2>&1; then
	not_ok "canyon build of the bundled blog"
	sed 's/^/#   /' "$TMP/build.log"
	exit 0
fi
ok "canyon build of the bundled blog"

. "$FIX/common.sh"
start_server "$TMP/public" || exit 0

g "" >"$TMP/root"
check "root menu: format" menu_ok "$TMP/root"
expect_eq "root menu: display width at most 69 columns" yes \
    "$([ "$(widest "$TMP/root")" -le 69 ] && echo yes)"
expect_match "root menu: type 7 search item" "^7[^	]*	/search	localhost	" \
    "$(cat "$TMP/root")"
expect_eq "root menu: one search item" 1 "$(grep -c '^7' "$TMP/root")"
expect_match "root menu: the Atom feed is a text item (type 0)" \
    "^0[^	]*	/atom.xml	localhost	" "$(cat "$TMP/root")"

crawl
expect_eq "crawl: no dead local item from the root" "" "$(cat "$TMP/dead")"
expect_match "crawl: every post reached" \
    "^$POST\$" "$(grep -- '-04/$' "$TMP/seen")"
alive "crawl"

# Part 4: each link line of the Gemini page is one item of the menu.
# Expected "TYPE<TAB>SELECTOR" lines from the gemtext: absolute URLs are h
# items with a URL: selector, local paths (percent-decoded) 1 for pages,
# I for images, 9 for other files.
decode() { # percent-decoding, byte by byte
	printf '%s\n' "$1" | LC_ALL=C awk '
	    function hex(h, v, k) {
		for (k = 1; k <= 2; k++)
			v = v * 16 + index("0123456789abcdef",
			    tolower(substr(h, k, 1))) - 1
		return v
	    }
	    { s = $0; out = ""
	      while ((i = index(s, "%")) > 0) {
		out = out substr(s, 1, i - 1) sprintf("%c", hex(substr(s, i + 1, 2)))
		s = substr(s, i + 3)
	      }
	      print out s }'
}
grep '^=>' "$TMP/public${POST}index.gmi" | awk '{ print $2 }' |
    while read -r url; do
	case "$url" in
	[a-z]*:*) printf 'h\tURL:%s\n' "$url" ;;
	*/ | *.gmi) printf '1\t%s\n' "$(decode "$url")" ;;
	*.jpeg | *.jpg | *.png | *.webp) printf 'I\t%s\n' "$(decode "$url")" ;;
	*.gif) printf 'g\t%s\n' "$(decode "$url")" ;;
	*.txt) printf '0\t%s\n' "$(decode "$url")" ;;
	*) printf '9\t%s\n' "$(decode "$url")" ;;
	esac
done >"$TMP/want"
g "$POST" >"$TMP/menu"
check "part 4 menu: format" menu_ok "$TMP/menu"
check "part 4 menu: no control characters" no_controls "$TMP/menu"
expect_eq "part 4 menu: display width at most 69 columns" yes \
    "$([ "$(widest "$TMP/menu")" -le 69 ] && echo yes)"
# Selectors are percent-encoded (ASCII only); compare them decoded.
tr -d '\r' <"$TMP/menu" | awk -F '\t' '/^[^i.]/ && $2 != "'"${POST}index.txt"'" {
    print substr($1, 1, 1) "\t" $2 }' |
    while IFS='	' read -r type sel; do
	case "$sel" in
	URL:*) printf '%s\t%s\n' "$type" "$sel" ;;
	*) printf '%s\t%s\n' "$type" "$(decode "$sel")" ;;
	esac
done >"$TMP/got"
expect_eq "part 4 menu: local selectors are ASCII" "" \
    "$(tr -d '\r' <"$TMP/menu" | awk -F '\t' '/^[^ih.]/ { print $2 }' | LC_ALL=C grep '[^ -~]')"
expect_eq "part 4 menu: one item of the right type per link ($(wc -l <"$TMP/want") links)" \
    "$(cat "$TMP/want")" "$(cat "$TMP/got")"
g "${POST}index.txt" >"$TMP/text"
expect_eq "part 4 text: one numbered reference per link" \
    "$(wc -l <"$TMP/want")" "$(tr -d '\r' <"$TMP/text" | grep -c '^\[[0-9]*\] ')"
expect_eq "part 4 text: ends with the terminator" "." \
    "$(tail -n 1 "$TMP/text" | tr -d '\r')"
title=$(head -n 1 "$TMP/public${POST}index.gmi" | sed 's/^# //')
expect_eq "part 4 text: the title of the Gemini page" "$title" \
    "$(head -n 2 "$TMP/text" | tr -d '\r' | tr '\n' ' ' | sed 's/ $//')"
alive "part 4"

expect_match "search: a Korean word finds part 4" "^1[^	]*4편[^	]*	$POST	" \
    "$(g "/search	그랜드캐니언")"

lynx_follows_series
alive "lynx"
exit 0
