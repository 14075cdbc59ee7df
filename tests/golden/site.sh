#!/bin/sh
# Golden tests of `canyon build` on small Hexo sites: each folder of
# tests/golden/site/ holds canyon.yaml, the site (site/), and what the
# build must give: the capsule (expected/), the diagnostics
# (expected.stderr) and the exit status (expected.rc).
#   UPDATE=1 sh tests/golden/site.sh   rewrites the expected files (review
#                                       the diff before committing it)
. "$ROOT/tests/lib.sh"
CASES="$ROOT/tests/golden/site"

for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	work="$TMP/$name"
	mkdir -p "$work"
	cp -R "$dir/canyon.yaml" "$dir/site" "$work/"
	(cd "$work" && "$CANYON" build -c canyon.yaml >stdout 2>stderr; echo $? >rc)
	if [ "${UPDATE:-}" = 1 ]; then
		rm -rf "$dir/expected"
		cp -R "$work/public/" "$dir/expected"
		rm -f "$dir/expected"/.canyon-*
		cp "$work/stderr" "$dir/expected.stderr"
		cp "$work/rc" "$dir/expected.rc"
	fi
	expect_eq "$name: exit status" "$(cat "$dir/expected.rc")" "$(cat "$work/rc")"
	expect_file "$name: diagnostics" "$dir/expected.stderr" "$work/stderr"
	expect_match "$name: one summary line" \
	    '^public: [0-9]+ posts, [0-9]+ pages, [0-9]+ assets, .* [0-9]+ ms$' \
	    "$(cat "$work/stdout")"
	if diff -r -x '.*' "$dir/expected" "$work/public" >"$TMP/tree.diff" 2>&1; then
		ok "$name: capsule tree"
	else
		not_ok "$name: capsule tree"
		head -40 "$TMP/tree.diff" | sed 's/^/#   /'
	fi
	expect_eq "$name: public links to a generation, nothing else left" \
	    "public -> .public.gen-a; .public.gen-a .public.lock" \
	    "public -> $(readlink "$work/public"); $(cd "$work" && ls -d .public.* | tr '\n' ' ' | sed 's/ $//')"
done

# Checks that do not depend on the rendering of bodies.
B="$TMP/basic/public"
expect_match "basic: home is a gemlog, newest first" \
    '^=> /2021/12/31/trip-03/ 2021-12-31 Trip, part 3$' "$(sed -n 6p "$B/index.gmi")"
expect_match "basic: series footer of the middle part" \
    '^=> /2021/12/30/trip-01/ ← Previous: Trip, part 1$' \
    "$(grep '^=> .*Previous' "$B/2021/12/31/trip-02/index.gmi")"
expect_match "basic: Korean tag path percent-encoded" \
    '^=> /tags/%EC%97%AC%ED%96%89/ ' "$(grep 여행 "$B/tags/index.gmi")"
check "basic: drafts are not published" test ! -e "$B/2022/01/01/draft"
check "basic: atom ids are absolute gemini URLs" \
    grep -q '<id>gemini://capsule.example/2021/12/30/trip-01/</id>' "$B/atom.xml"
check "basic: atom is well-formed XML" xmllint --noout "$B/atom.xml"
expect_match "assets-web: missing asset linked to the web" \
    '^=> https://photos.example.org/2022/03/01/photo-walk/bridge.jpeg ' \
    "$(cat "$TMP/assets-web/public/2022/03/01/photo-walk/index.gmi")"
check "assets-web: existing asset copied beside the page" \
    cmp "$CASES/assets-web/site/source/_posts/photo-walk/street.gif" \
    "$TMP/assets-web/public/2022/03/01/photo-walk/street.gif"
expect_match "assets-nourl: the warning says the links will be dead" \
    'photo-walk.md:10: 2 assets missing .*links will be dead' \
    "$(cat "$TMP/assets-nourl/stderr")"
expect_match "deadlink: dead link reported at its source line" \
    '^site/source/_posts/links.md:7: dead link notes/other.gmi$' \
    "$(cat "$TMP/deadlink/stderr")"
check "malformed: a permalink with .. writes nothing outside" \
    test ! -e "$TMP/escaped" -a ! -e "$TMP/malformed/escaped"
expect_match "malformed: the good posts are still built" \
    '^public: 2 posts, ' "$(cat "$TMP/malformed/stdout")"

# A broken configuration stops the build before anything is written.
C="$TMP/config"
mkdir -p "$C"
cp -R "$CASES/basic/site" "$C/"
printf 'source: site\nsite:\n  title: x\n  colour: blue\n' >"$C/canyon.yaml"
(cd "$C" && "$CANYON" build -c canyon.yaml >/dev/null 2>"$C/err")
expect_eq "config: an unknown site key exits 1" 1 $?
expect_match "config: the unknown key is named with its line" \
    "canyon.yaml:4: unknown key 'colour' in site" "$(cat "$C/err")"
printf 'source: site\nsite:\n  timezone: Mars/Olympus\n' >"$C/canyon.yaml"
(cd "$C" && "$CANYON" check -c canyon.yaml >/dev/null 2>"$C/err")
expect_eq "config: an unknown time zone exits 1" 1 $?
expect_match "config: the time zone is named with its line" \
    "canyon.yaml:3: unknown time zone 'Mars/Olympus'" "$(cat "$C/err")"
check "config: nothing was written" test ! -e "$C/public"

# Symbolic links to folders are not followed: one leading back up the
# tree would make the walk endless.
L="$TMP/loop"
mkdir -p "$L"
cp -R "$CASES/basic/site" "$L/"
ln -s .. "$L/site/source/images/up"
ln -s ../.. "$L/site/source/about/loop"
printf 'source: site\noutput: public\n' >"$L/canyon.yaml"
(cd "$L" && timeout 60 "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
expect_eq "symlink loop: the build ends and succeeds" 0 $?
check "symlink loop: the link is not copied" test ! -e "$L/public/images/up"

# A quoted line break in a title or tag must not split a gemtext line.
NL="$TMP/newline"
mkdir -p "$NL/site/source/_posts"
printf -- '---\ntitle: "two\\nlines"\ndate: 2022-01-01\ntags: ["a\\nb"]\n---\n\nx\n' \
    >"$NL/site/source/_posts/nl.md"
printf 'source: site\noutput: public\n' >"$NL/canyon.yaml"
(cd "$NL" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
check "newline: the title stays on its link line" \
    grep -qx '=> /2022/01/01/nl/ 2022-01-01 two lines' "$NL/public/index.gmi"
check "newline: the tag page has a one-line name" test -d "$NL/public/tags/a b"

# Atomic replacement: public is a link to one of two generations; a build
# writes the other one and switches the link, so a build that fails while
# writing leaves the served capsule exactly as it was.
A="$TMP/atomic"
mkdir -p "$A"
cp -R "$CASES/basic/canyon.yaml" "$CASES/basic/site" "$A/"
(cd "$A" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
check "atomic: the capsule is a link to a generation" test -L "$A/public"
cp -R "$A/public/" "$A/before"
gen=$(readlink "$A/public")
# A static file named "tags" where the builder needs the tags/ folder.
echo "in the way" >"$A/site/source/tags"
(cd "$A" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>"$A/err")
expect_eq "atomic: a failed write exits 1" 1 $?
expect_eq "atomic: the link still names the served generation" "$gen" \
    "$(readlink "$A/public")"
check "atomic: the served capsule is untouched" diff -r "$A/before" "$A/public/"
rm "$A/site/source/tags"
echo "A new line." >>"$A/site/source/_posts/trip-01.md"
(cd "$A" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
expect_eq "atomic: a good build exits 0" 0 $?
check "atomic: the link switched to the other generation" \
    test "$(readlink "$A/public")" != "$gen"
check "atomic: the new capsule has the change" \
    grep -q "A new line." "$A/public/2021/12/30/trip-01/index.gmi"

flock "$A/.public.lock" sh -c "cd '$A' && '$CANYON' build -q -c canyon.yaml" \
    >/dev/null 2>"$A/err"
expect_eq "atomic: a second build at the same time exits 1" 1 $?
expect_match "atomic: it says another build is writing" \
    'another build is writing this capsule' "$(cat "$A/err")"

# Incremental builds: unchanged posts come from the cache, unchanged files
# are not written again.
(cd "$A" && "$CANYON" build -c canyon.yaml >"$A/out1" 2>/dev/null)
(cd "$A" && "$CANYON" build -c canyon.yaml >"$A/out2" 2>/dev/null)
expect_match "incremental: nothing to render or write when nothing changed" \
    '\(0 rendered, 5 from cache, 0 written\)' "$(cat "$A/out2")"
echo "Another line." >>"$A/site/source/_posts/trip-03.md"
(cd "$A" && "$CANYON" build -c canyon.yaml >"$A/out3" 2>/dev/null)
expect_match "incremental: one changed post is rendered again" \
    '\(1 rendered, 4 from cache, [0-9]+ written\)' "$(cat "$A/out3")"
check "incremental: its page has the change" \
    grep -q "Another line." "$A/public/2021/12/31/trip-03/index.gmi"
cp -R "$A/public/" "$A/incremental"
(cd "$A" && "$CANYON" build -f -q -c canyon.yaml >/dev/null 2>&1)
check "incremental: the capsule equals a build from scratch (-f)" \
    diff -r -x '.*' "$A/incremental" "$A/public/"
touch "$A/site/source/_posts/trip-02.md"
(cd "$A" && "$CANYON" build -c canyon.yaml >"$A/out4" 2>/dev/null)
expect_match "incremental: a touched but unchanged post is not rendered" \
    '\(0 rendered, 5 from cache' "$(cat "$A/out4")"
sed -i 's/^title: Trip, part 2$/title: Trip, part two/' "$A/site/source/_posts/trip-02.md"
(cd "$A" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
(cd "$A" && "$CANYON" build -q -c canyon.yaml >/dev/null 2>&1)
check "incremental: a new title reaches the home page" \
    grep -qx '=> /2021/12/31/trip-02/ 2021-12-31 Trip, part two' "$A/public/index.gmi"
check "incremental: and the neighbours' footers" \
    grep -q 'Next: Trip, part two' "$A/public/2021/12/30/trip-01/index.gmi"
rm -rf "$A/incremental"
cp -R "$A/public/" "$A/incremental"
(cd "$A" && "$CANYON" build -f -q -c canyon.yaml >/dev/null 2>&1)
check "incremental: still equal to a build from scratch" \
    diff -r -x '.*' "$A/incremental" "$A/public/"
exit 0
