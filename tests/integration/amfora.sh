#!/bin/sh
# As a person would read it: Amfora, in a tmux pane of 120x40, opens the
# home page of the bundled capsule served by the real server, follows the
# link to part 1 of the series and from there the series link to part 4,
# and shows part 4's title and every one of its headings (scrolling down).
# Amfora runs with a temporary HOME (its config and its TOFU store); it
# trusts a certificate it has never seen without asking, so there is no
# prompt to accept, and a changed one would stop the test with a warning.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/capsule_lib.sh"

for c in tmux amfora; do
	command -v $c >/dev/null || { not_ok "$c is installed (contrib/deps.sh)"; exit 0; }
done

SOCK="canyon-amfora-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; cleanup' EXIT INT TERM

start_capsule || { not_ok "canyon builds and serves the bundled capsule"; exit 0; }
ORIGIN="gemini://$CAPSULE_HOST:$GEMINI_PORT"

screen() { tmux -L "$SOCK" capture-pane -p -t amfora; }

# wait_url URL SECONDS: until Amfora's bottom bar (the last line that is
# not blank) shows exactly this URL, i.e. the page is open.
wait_url() {
	_n=0
	while [ $_n -lt $(($2 * 5)) ]; do
		[ "$(screen | grep -v '^[[:space:]]*$' | tail -1 |
		    sed 's/^[[:space:]]*//; s/[[:space:]]*$//')" = "$1" ] && return 0
		sleep 0.2
		_n=$((_n + 1))
	done
	echo "# waited $2 s for $1 to open; the screen:"
	screen | sed 's/^/#   /'
	return 1
}

# shows TEXT: the screen has TEXT, spaces aside (a long line may wrap),
# within 5 s (the bottom bar can show the URL before the page is drawn).
shows() {
	_n=0
	while [ $_n -lt 25 ]; do
		case "$(screen | tr -d ' \n')" in
		*"$(printf '%s' "$1" | tr -d ' ')"*) return 0 ;;
		esac
		sleep 0.2
		_n=$((_n + 1))
	done
	echo "# '$1' is not on the screen:"
	screen | sed 's/^/#   /'
	return 1
}

# The title of a Gemini page (its first "# " line).
title_of() {
	"$CANYON" get -t 10 "$1" 2>/dev/null | sed -n 's/^# //p' | head -1
}

# link_to PAGE-URL GREP-PATTERN: the number Amfora gives (1-based, in page
# order) to the first link of the page whose label matches, and its URL.
link_to() {
	"$CANYON" get -t 10 "$1" >"$TMP/page" 2>/dev/null || return 1
	LINK=$(awk '/^```/ { pre = !pre; next } !pre && /^=>/ { print }' "$TMP/page" |
	    grep -n -E -- "$2" | head -1)
	[ -n "$LINK" ] || return 1
	LINK_NUM=${LINK%%:*}
	LINK_URL=$(resolve_url "$1" "$(printf '%s\n' "${LINK#*:}" |
	    sed -e 's/^=>[[:space:]]*//' -e 's/[[:space:]].*//')")
}

# follow NUMBER: open that link as a reader does: space, the number, enter.
follow() {
	tmux -L "$SOCK" send-keys -t amfora Space
	sleep 0.3
	tmux -L "$SOCK" send-keys -t amfora "$1" Enter
}

mkdir -p "$TMP/home"
tmux -L "$SOCK" new-session -d -s amfora -x 120 -y 40 \
    "env HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config \
    XDG_CACHE_HOME=$TMP/home/.cache XDG_DATA_HOME=$TMP/home/.local/share \
    LANG=C.UTF-8 amfora $ORIGIN/"
check "amfora opens the home page" wait_url "$ORIGIN/" 20
check "amfora shows the home page title" shows "$(title_of "$ORIGIN/")"

if link_to "$ORIGIN/" '1편'; then
	ok "the home page links to part 1 of the series"
	follow "$LINK_NUM"
else
	not_ok "the home page links to part 1 of the series"
fi
part1=$LINK_URL
check "amfora opens part 1" wait_url "$part1" 15
check "amfora shows part 1's title" shows "$(title_of "$part1")"

if link_to "$part1" '4편'; then
	ok "part 1 links to part 4 of the series"
	follow "$LINK_NUM"
else
	not_ok "part 1 links to part 4 of the series"
fi
part4=$LINK_URL
"$CANYON" get -t 10 "$part4" >"$TMP/part4" 2>/dev/null
title=$(sed -n 's/^# //p' "$TMP/part4" | head -1)
expect_match "part 4 is the reference post" '4편' "$title"
check "amfora opens part 4" wait_url "$part4" 15
check "amfora shows part 4's title" shows "$title"

# Scroll to the end, keeping every screen, then look for each heading with
# spaces removed (a long heading may wrap). The end is when PageDown no
# longer changes the screen within 2 s.
screen >"$TMP/last"
cp "$TMP/last" "$TMP/screens"
n=0
while [ $n -lt 60 ]; do
	tmux -L "$SOCK" send-keys -t amfora PageDown
	k=0
	while [ $k -lt 10 ]; do
		sleep 0.2
		screen >"$TMP/this"
		cmp -s "$TMP/this" "$TMP/last" || break
		k=$((k + 1))
	done
	[ $k -lt 10 ] || break
	cp "$TMP/this" "$TMP/last"
	cat "$TMP/this" >>"$TMP/screens"
	n=$((n + 1))
done
find_headings "$TMP/part4" "$TMP/screens"
check "part 4 has headings to look for" test "$HEADINGS" -gt 1
expect_eq "amfora shows all $HEADINGS headings of part 4" "" "$MISSING"
exit 0
