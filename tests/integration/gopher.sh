#!/bin/sh
# Gopher over raw sockets against the real server, on the fixture capsule in
# tests/integration/gopher/capsule (a part 4 page converted from the
# reference post, its series, a home page, assets): menu and text goldens,
# line format and display widths, item types, binaries byte-exact, errors,
# URL: pages, search in Korean on both protocols, Gopher+ probes, a real
# client (lynx) following the series. Each case checks the server is alive.
. "$ROOT/tests/lib.sh"
FIX="$ROOT/tests/integration/gopher"
POST=/2021/12/31/las-vegas-aws-reinvent-04/

cp -R "$FIX/capsule" "$TMP/capsule"
# A file above max_in_memory, so that it is streamed.
seq 1 100000 >"$TMP/capsule$POST/big.bin"
. "$FIX/common.sh"
start_server "$TMP/capsule" || exit 0

# --- root menu ---
g "" >"$TMP/root"
check "root menu: CRLF, four fields, public host and port, terminator" \
    menu_ok "$TMP/root"
expect_eq "root menu: display width at most 69 columns" yes \
    "$([ "$(widest "$TMP/root")" -le 69 ] && echo yes)"
expect_match "root menu: type 7 search item" \
    "^7[^	]*	/search	localhost	$GPORT" "$(cat "$TMP/root")"
expect_match "root menu: posts as type 1" \
    "^12021-12-31 - [^	]*4편[^	]*	$POST	localhost	$GPORT" "$(cat "$TMP/root")"
expect_match "root menu: text file type 0" "^0robots.txt	/robots.txt	" \
    "$(cat "$TMP/root")"
expect_match "root menu: GIF type g" "^g로고	/logo.gif	" "$(cat "$TMP/root")"
expect_match "root menu: web and Gemini links as h with URL:" \
    "^hGemini 프로토콜	URL:gemini://geminiprotocol.net/	localhost	$GPORT" \
    "$(cat "$TMP/root")"
alive "root menu"

# --- part 4: golden menu and text document ---
g "$POST" >"$TMP/menu"
check "part 4 menu: format" menu_ok "$TMP/menu"
check "part 4 menu: no control characters" no_controls "$TMP/menu"
expect_eq "part 4 menu: display width at most 69 columns" yes \
    "$([ "$(widest "$TMP/menu")" -le 69 ] && echo yes)"
unport <"$TMP/menu" >"$TMP/menu.golden"
expect_file "part 4 menu matches the golden" "$FIX/part4.menu" "$TMP/menu.golden"
expect_match "part 4 menu links its text version first" \
    "^0[^	]*	${POST}index.txt	localhost	$GPORT" "$(sed -n 4p "$TMP/menu")"
g "${POST}index.txt" >"$TMP/text"
unport <"$TMP/text" >"$TMP/text.golden"
expect_file "part 4 text document matches the golden" "$FIX/part4.txt" \
    "$TMP/text.golden"
expect_eq "part 4 text: ends with the terminator" "." \
    "$(tail -n 1 "$TMP/text" | tr -d '\r')"
alive "part 4"

# --- the same post over Gemini ---
gemini() { # URL: the raw response
	printf '%s\r\n' "$1" | timeout 10 openssl s_client -quiet \
	    -connect "127.0.0.1:$GEMPORT" -servername localhost 2>/dev/null
}
gemini "gemini://localhost$POST" >"$TMP/gem"
expect_match "Gemini serves part 4" '^20 text/gemini' "$(head -n 1 "$TMP/gem")"
tail -n +2 "$TMP/gem" >"$TMP/gem.body"
expect_file "Gemini body is the page" "$TMP/capsule${POST}index.gmi" \
    "$TMP/gem.body"
title=$(head -n 1 "$TMP/capsule${POST}index.gmi" | sed 's/^# //')
expect_eq "Gopher text starts with the same title (wrapped)" "$title" \
    "$(head -n 2 "$TMP/text" | tr -d '\r' | tr '\n' ' ' | sed 's/ $//')"

# --- files ---
g "${POST}helicopter-01.jpeg" >"$TMP/jpeg"
check "image byte-exact, no terminator" cmp "$TMP/jpeg" \
    "$TMP/capsule${POST}helicopter-01.jpeg"
g "${POST}big.bin" >"$TMP/big"
check "large file streamed byte-exact, no terminator" cmp "$TMP/big" \
    "$TMP/capsule${POST}big.bin"
g "/logo.gif" >"$TMP/gif"
check "GIF byte-exact" cmp "$TMP/gif" "$TMP/capsule/logo.gif"
expect_eq "text file: CRLF, dot-stuffed, terminated" \
    "User-agent: *|Disallow: /private/|..a line starting with a dot|.|" \
    "$(g /robots.txt | tr -d '\r' | tr '\n' '|')"
alive "files"

# --- errors ---
expect_eq "missing selector: type 3" "3Not found		error.host	1|.|" \
    "$(g /no/such/page | tr -d '\r' | tr '\n' '|')"
expect_match "dot segments refused" '^3Dot segment' "$(g /../../etc/passwd)"
expect_match "dot segments without the slash refused" '^3Dot segment' \
    "$(g "2021/../../etc/passwd")"
long=$(printf '%01100d' 0)
expect_match "over-long selector refused" '^3' "$(g "/$long")"
expect_match "control byte refused" '^3Control' "$(g "/a$(printf '\033')b")"
expect_match "HTTP request: type 3" '^3This is a Gopher server' \
    "$(g "GET / HTTP/1.1")"
alive "errors"

# --- URL: ---
g "URL:https://perfectacle.github.io/?a=1&b=<2>" >"$TMP/url"
expect_match "URL: page refreshes to the escaped URL" \
    'content="0; url=https://perfectacle.github.io/\?a=1&amp;b=&lt;2&gt;"' \
    "$(cat "$TMP/url")"
expect_match "URL: page has a visible link" \
    '<a href="https://perfectacle.github.io/\?a=1&amp;b=&lt;2&gt;">' \
    "$(cat "$TMP/url")"
expect_match "URL: without a scheme refused" '^3' "$(g "URL:/etc/passwd")"
alive "URL:"

# --- search ---
g "/search	그랜드캐니언" >"$TMP/search"
check "search menu: format" menu_ok "$TMP/search"
expect_match "Korean query finds part 4" "^1[^	]*4편[^	]*	$POST	" \
    "$(cat "$TMP/search")"
expect_match "ASCII query is case-insensitive" "^1[^	]*4편[^	]*	$POST	" \
    "$(g "/search	NETFLIX")"
expect_match "empty query explains what to type" "^iType one or more words" \
    "$(g "/search	")"
gemini "gemini://localhost/search?%EA%B7%B8%EB%9E%9C%EB%93%9C%EC%BA%90%EB%8B%88%EC%96%B8" \
    >"$TMP/gsearch"
expect_match "Gemini /search with a Korean query" \
    "^=> $POST 2021-12-31 라스베가스를 다녀오고... 4편" "$(cat "$TMP/gsearch")"
alive "search"

# --- Gopher+ probes get plain Gopher ---
expect_eq "Gopher+ '+' probe answered as plain Gopher" "$(cat "$TMP/root")" \
    "$(g "	+")"
expect_eq "Gopher+ '\$' probe answered as plain Gopher" "$(cat "$TMP/root")" \
    "$(g "	\$")"
expect_eq "bare LF accepted" "$(cat "$TMP/root")" \
    "$("$GET" -l 127.0.0.1 "$GPORT" "")"
alive "Gopher+"

# --- crawl: every local item reachable from the root answers ---
crawl
expect_eq "crawl: no dead local item from the root" "" "$(cat "$TMP/dead")"
expect_eq "crawl: every page and asset of the capsule reached" \
    "$(cd "$TMP/capsule" && find . -type f ! -name big.bin | sed 's/^\.//' |
	sort)" \
    "$(grep -v -e 'index.txt$' -e '^/search$' "$TMP/seen" |
	sed -e 's|^$|/|' -e 's|/$|/index.gmi|' | sort)"
alive "crawl"

# --- a real client: lynx follows the series from the root to part 4 ---
if lynx_follows_series; then
	q=%EA%B7%B8%EB%9E%9C%EB%93%9C%EC%BA%90%EB%8B%88%EC%96%B8
	expect_match "lynx: type 7 search in Korean" '1 post contains "그랜드캐니언"' \
	    "$(timeout 20 lynx -dump "gopher://127.0.0.1:$GPORT/7/search?$q" \
	    2>/dev/null)"
fi
alive "lynx"
exit 0
