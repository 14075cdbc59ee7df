#!/bin/sh
# No dead links: the real server on the bundled capsule, crawled.
# Gemini: from the home page, following redirects, every link to our own
# host is fetched; anything but a 1x/2x answer (after redirects) is dead.
# Gopher: from the root menu, every local item is fetched; a type 3 error
# (or no answer) is dead. Each crawl fails with the list of dead links.
# First, the certificate the server made for itself (none was configured).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/capsule_lib.sh"

MAX_FETCHES=800 # a bound, far above the bundled capsule's size

# crawl_verdict PROTOCOL START DEAD-FILE: how a crawl ended, after $i queue
# lines and $fetched fetches: within the bound, beyond the START page, and
# without a dead link (those listed in DEAD-FILE).
crawl_verdict() {
	check "$1 crawl stays within $MAX_FETCHES fetches" test $i -le $MAX_FETCHES
	check "$1 crawl reached more than the $2" test "$fetched" -gt 1
	if [ -s "$3" ]; then
		not_ok "$1: no dead links ($(wc -l <"$3") dead)"
		sed 's/^/#   /' "$3"
	else
		ok "$1: no dead links"
	fi
}

start_capsule || { not_ok "canyon builds and serves the bundled capsule"; exit 0; }

# --- Gemini -----------------------------------------------------------------
ORIGIN="gemini://$CAPSULE_HOST:$GEMINI_PORT"

# The config names no certificate and $TMP/certs was empty: the server made
# the pair, and serves it.
served=$("$CANYON" get -v "$ORIGIN/" 2>&1 >/dev/null | sed -n 's/^sha256: //p')
made=$("$CANYON" cert -d "$TMP/certs" "$CAPSULE_HOST" | sed -n 's/^sha256: //p')
expect_match "the server serves a certificate" '^([0-9A-F]{2}:){31}' "$served"
expect_eq "... the one it made in the certs folder" "$made" "$served"
expect_eq "... with its key mode 600" 600 "$(stat -c %a "$TMP/certs/$CAPSULE_HOST.key")"
tab=$(printf '\t')
us=$(printf '\037')
printf '%s/\t(start)\n' "$ORIGIN" >"$TMP/gq"
: >"$TMP/gdead"
: >"$TMP/gseen"
fetched=0 redirects=0 external=0
i=1
while [ $i -le $MAX_FETCHES ]; do
	line=$(sed -n "${i}p" "$TMP/gq")
	[ -z "$line" ] && break
	i=$((i + 1))
	url=${line%%"$tab"*}
	from=${line#*"$tab"}
	grep -qxF -- "$url" "$TMP/gseen" && continue
	printf '%s\n' "$url" >>"$TMP/gseen"
	fetched=$((fetched + 1))
	if ! "$CANYON" get -t 10 "$url" >"$TMP/page" 2>"$TMP/geterr"; then
		printf '%s (linked from %s): %s\n' "$url" "$from" \
		    "$(tail -1 "$TMP/geterr")" >>"$TMP/gdead"
		continue
	fi
	header=$(head -1 "$TMP/page" | tr -d '\r')
	case "$header" in
	2?" text/gemini"*)
		# Link lines outside preformatted blocks.
		awk '/^```/ { pre = !pre; next }
		    !pre && /^=>/ { sub(/^=>[ \t]*/, ""); sub(/[ \t].*/, "");
		    if ($0 != "") print }' "$TMP/page" >"$TMP/links"
		while IFS= read -r ref; do
			target=$(resolve_url "$url" "$ref")
			case "$target" in
			"$ORIGIN"/*) printf '%s\t%s\n' "$target" "$url" >>"$TMP/gq" ;;
			gemini://"$CAPSULE_HOST"[:/]* | gemini://"$CAPSULE_HOST")
				printf '%s (linked from %s): our host on another port\n' \
				    "$target" "$url" >>"$TMP/gdead" ;;
			*) external=$((external + 1)) ;;
			esac
		done <"$TMP/links"
		;;
	1? | 1?" "* | 2?" "*) ;;
	3?" "*)
		redirects=$((redirects + 1))
		target=$(resolve_url "$url" "${header#3? }")
		case "$target" in
		"$ORIGIN"/*) printf '%s\t%s\n' "$target" "$from" >>"$TMP/gq" ;;
		*) printf '%s (linked from %s): redirected off the capsule to %s\n' \
		    "$url" "$from" "$target" >>"$TMP/gdead" ;;
		esac
		;;
	*) printf '%s (linked from %s): %s\n' "$url" "$from" "$header" >>"$TMP/gdead" ;;
	esac
done
echo "# gemini: $fetched fetched, $redirects redirects, $external external links not followed"
crawl_verdict gemini "home page" "$TMP/gdead"

# --- Gopher -----------------------------------------------------------------
# Queue lines: TYPE TAB SELECTOR TAB FROM. The selector is sent raw (--raw
# escapes backslashes), so Korean and spaces need no URL encoding.
GURL="gopher://127.0.0.1:$GOPHER_PORT/"
printf '1\t\t(root menu)\n' >"$TMP/pq"
: >"$TMP/pdead"
: >"$TMP/pseen"
fetched=0 external=0
i=1
while [ $i -le $MAX_FETCHES ]; do
	line=$(sed -n "${i}p" "$TMP/pq")
	[ -z "$line" ] && break
	i=$((i + 1))
	type=${line%%"$tab"*}
	rest=${line#*"$tab"}
	sel=${rest%%"$tab"*}
	from=${rest#*"$tab"}
	key="$type$sel"
	grep -qxF -- "$key" "$TMP/pseen" && continue
	printf '%s\n' "$key" >>"$TMP/pseen"
	fetched=$((fetched + 1))
	request=$(printf '%s' "$sel" | sed 's/\\/\\\\/g')
	[ "$type" = 7 ] && request="$request\\t라스베가스"
	if ! "$CANYON" get -t 10 --raw "$request\\r\\n" "$GURL" >"$TMP/item" 2>"$TMP/geterr"; then
		printf "%s '%s' (from %s): %s\n" "$type" "$sel" "$from" \
		    "$(tail -1 "$TMP/geterr")" >>"$TMP/pdead"
		continue
	fi
	first=$(head -1 "$TMP/item" | tr -d '\r')
	case "$first" in
	3*"$tab"*)
		printf "%s '%s' (from %s): %s\n" "$type" "$sel" "$from" \
		    "${first%%"$tab"*}" >>"$TMP/pdead"
		continue
		;;
	esac
	case "$type" in
	1 | 7) ;;
	*) continue ;;
	esac
	if [ "$(tail -1 "$TMP/item" | tr -d '\r')" != "." ]; then
		printf "%s '%s' (from %s): menu without the final '.'\n" "$type" \
		    "$sel" "$from" >>"$TMP/pdead"
	fi
	# TYPE US SELECTOR US HOST US PORT US DISPLAY for each item, with the
	# unit separator since read would merge the empty fields between tabs.
	tr -d '\r' <"$TMP/item" | awk -F '\t' '
	    $0 == "." { exit }
	    { t = substr($1, 1, 1); d = substr($1, 2)
	      printf "%s\037%s\037%s\037%s\037%s\n", t, $2, $3, $4, d }' >"$TMP/items"
	while IFS="$us" read -r t s h p d; do
		case "$t" in
		i) continue ;;
		3) printf "%s '%s': error line in the menu: %s\n" "$type" "$sel" "$d" \
		    >>"$TMP/pdead"; continue ;;
		esac
		case "$s" in
		URL:*) external=$((external + 1)); continue ;;
		esac
		if [ "$h" != "$CAPSULE_HOST" ] || [ "$p" != "$GOPHER_PORT" ]; then
			printf "%s '%s' (from %s): points to %s:%s, not to this server\n" \
			    "$t" "$s" "$sel" "$h" "$p" >>"$TMP/pdead"
			continue
		fi
		printf '%s\t%s\t%s\n' "$t" "$s" "$sel" >>"$TMP/pq"
	done <"$TMP/items"
done
echo "# gopher: $fetched fetched, $external URL: links not followed"
crawl_verdict gopher "root menu" "$TMP/pdead"

stop_server
expect_eq "the server wrote no warning or error while crawled" "" \
    "$(stderr_problems "$TMP/server.log")"
exit 0
