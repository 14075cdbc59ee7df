#!/bin/sh
# The bundled capsule builds cleanly: no error, no dead link, the series
# of the user's post navigable end to end, and `canyon check` agrees.
. "$ROOT/tests/lib.sh"

cat >"$TMP/canyon.yaml" <<CFG
source: $ROOT/capsule
output: public
site:
  url: https://perfectacle.github.io
  timezone: Asia/Seoul
CFG
cd "$TMP" || exit 1
"$CANYON" build -c canyon.yaml >stdout 2>stderr
expect_eq "capsule builds with exit 0" 0 $?
sed 's/^/# /' stderr
check "no error" test -z "$(grep ': error: ' stderr)"
check "no dead link" test -z "$(grep 'dead link' stderr)"
check "no link to a missing post" test -z "$(grep 'no such post' stderr)"

P=public/2021/12/31/las-vegas-aws-reinvent-04/index.gmi
check "part 4 is at its Hexo permalink" test -f "$P"
series=$(grep -E '^=> /2021/12/31/las-vegas-aws-reinvent-0[1-5]/ [1-5]편 - ' "$P")
expect_eq "the series list gives 4 link lines" 4 "$(printf '%s\n' "$series" | grep -c .)"
missing=""
for target in $(printf '%s\n' "$series" | awk '{print $2}'); do
	[ -f "public${target}index.gmi" ] || missing="$missing $target"
done
expect_eq "every series link leads to a page of the build" "" "$missing"
check "the current part stays a text line" \
    grep -qx '\* 4편 - 세미나 넷째 날 (12/02) - 현재 게시물' "$P"
expect_match "footer links the previous part" \
    '^=> /2021/12/31/las-vegas-aws-reinvent-03/ ← ' "$(cat "$P")"
expect_match "footer links the next part" \
    '^=> /2021/12/31/las-vegas-aws-reinvent-05/ → ' "$(cat "$P")"
expect_match "footer links the original on the web" \
    '^=> https://perfectacle.github.io/2021/12/31/las-vegas-aws-reinvent-04/ ' \
    "$(cat "$P")"
expect_eq "40 photos link to their copies on the web" 40 \
    "$(grep -c '^=> https://perfectacle.github.io/2021/12/31/las-vegas-aws-reinvent-04/[^ ]*\.jpeg' "$P")"
expect_match "one warning for the missing photos, with the count" \
    'las-vegas-aws-reinvent-04.md:[0-9]+: 40 assets missing' "$(cat stderr)"
for n in 1 2 3 5; do
	Q=public/2021/12/31/las-vegas-aws-reinvent-0$n/index.gmi
	expect_match "placeholder part $n links to its text on the web" \
	    "^=> https://perfectacle.github.io/2021/12/31/las-vegas-aws-reinvent-0$n/ " \
	    "$(cat "$Q")"
done
expect_eq "home lists the parts newest first" \
    "05 04 03 02 01" \
    "$(grep -o '^=> /2021/12/31/las-vegas-aws-reinvent-0[1-5]/ 2021-12-31 ' public/index.gmi |
    sed 's/.*reinvent-\(0[1-5]\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
G=public/2022/01/15/canyon-gemtext-guide
check "the fixture post's assets are copied beside it" \
    cmp "$ROOT/capsule/source/_posts/canyon-gemtext-guide/diagram.png" "$G/diagram.png"
expect_eq "no Hexo tag, Markdown image or link left in the pages" "" \
    "$(grep -rlE '\{%|!\[|\]\(' public/ --include=index.gmi | grep -v canyon-gemtext-guide)"
expect_eq "the fixture keeps only its three literal tags (code, raw)" 3 \
    "$(grep -c '{%' "$G/index.gmi")"

"$CANYON" check -c canyon.yaml >check.out 2>check.err
expect_eq "canyon check exits 0" 0 $?
expect_match "canyon check counts what it would serve" \
    'would serve [0-9]+ posts, 1 pages' "$(cat check.out)"
exit 0
