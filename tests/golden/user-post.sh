#!/bin/sh
# The user's own post (part 4 of a series) through `canyon convert`: the
# properties the converter issue asks for, checked on the real output.
. "$ROOT/tests/lib.sh"
POST="$ROOT/tests/golden/convert/user-post.md"
OUT="$TMP/post.gmi"
"$CANYON" convert -s las-vegas-aws-reinvent-04 "$POST" >"$OUT" 2>"$TMP/err"
expect_eq "converts with exit status 0" 0 $?
expect_eq "no diagnostics" "" "$(cat "$TMP/err")"

ids=$(sed -n 's|^=> https://www\.youtube\.com/watch?v=\([A-Za-z0-9_-]*\) YouTube 동영상 (\1)$|\1|p' "$OUT" | tr '\n' ' ')
expect_eq "7 YouTube link lines, IDs in source order" \
	"jkSM4MlWsKo QnClfLnj7jI TmNiHbh-6Wg Lkc9PWMQQtQ wtcCM90n2Ck jDjWCgoqGGs MXpNtFt5pcY " "$ids"

expect_eq "40 image link lines under the post's page" 40 \
	"$(grep -c '^=> /las-vegas-aws-reinvent-04/[a-z0-9-]*\.jpeg ' "$OUT")"
expect_eq "every image of the source has its link line, in order" \
	"$(grep -o 'las-vegas-aws-reinvent-04/[a-z0-9-]*\.jpeg' "$POST" | tr '\n' ' ')" \
	"$(sed -n 's|^=> /\(las-vegas-aws-reinvent-04/[a-z0-9-]*\.jpeg\) .*|\1|p' "$OUT" | tr '\n' ' ')"
expect_eq "the captioned image is labelled with its caption" \
	"=> /las-vegas-aws-reinvent-04/self-camera.jpeg 헬기에 탑승해서 헤드셋까지 끼고 있으니 나름 파일럿 같아 보였다." \
	"$(grep 'self-camera' "$OUT")"
expect_eq "an image without alt text is labelled with its file name" \
	"=> /las-vegas-aws-reinvent-04/hoover-dam.jpeg hoover-dam.jpeg" \
	"$(grep 'hoover-dam' "$OUT")"

# Each inline link: a link line after the paragraph that holds it, i.e.
# after the line with its text and before the next blank line.
link_after() { # TEXT URL
	awk -v text="$1" -v url="$2" '
		/^# / { next }
		!seen && index($0, text) && $0 !~ /^=>/ { seen = 1; next }
		seen && /^$/ { exit 1 }
		seen && $0 == "=> " url " " text { found = 1; exit 0 }
		END { exit !found }' "$OUT"
}
n=0
while IFS='|' read -r text url; do
	if link_after "$text" "$url"; then n=$((n + 1)); else echo "# missing after its paragraph: $text"; fi
done <<'LINKS'
AWS re:invent|https://reinvent.awsevents.com/
AWS|https://aws.amazon.com/
Keeping Netflix Reliable Using Prioritized Load Shedding|https://netflixtechblog.com/keeping-netflix-reliable-using-prioritized-load-shedding-6cc827b02f94
Hot N Juicy crawfish|https://m.blog.naver.com/PostView.naver?isHttpsRedirect=true&blogId=tori-tours&logNo=221194196161
ty|https://shop.ty.com/
Hystrix|https://github.com/Netflix/Hystrix
Zuul|https://github.com/Netflix/zuul
LINKS
expect_eq "the 7 inline links are link lines after their paragraphs" 7 "$n"
expect_eq "7 external link lines in all besides the videos" 7 \
	"$(grep '^=> https://' "$OUT" | grep -vc 'youtube')"

series=$(grep -A5 '^=> /2021/12/31/las-vegas-aws-reinvent-01/' "$OUT")
expect_eq "the series list: 4 link lines and the current post as text" \
"=> /2021/12/31/las-vegas-aws-reinvent-01/ 1편 - 인천공항에서 세미나 첫 날까지 (11/28 ~ 11/29)
=> /2021/12/31/las-vegas-aws-reinvent-02/ 2편 - 세미나 둘째 날 (11/30)
=> /2021/12/31/las-vegas-aws-reinvent-03/ 3편 - 세미나 셋째 날 (12/01)
* 4편 - 세미나 넷째 날 (12/02) - 현재 게시물
=> /2021/12/31/las-vegas-aws-reinvent-05/ 5편 - 세미나 마지막 날부터 인천공항까지(12/03 ~ 12/05)
" "$series
"

expect_eq "no '{%', '![' or '](' left" 0 "$(grep -c -e '{%' -e '!\[' -e '](' "$OUT")"

# Plain source lines (no Markdown syntax) must each be a line of output.
missing=0
total=0
awk 'NR > 6' "$POST" | grep -v -e '^$' -e '[][!`{}#*<>]' -e '^- ' | sed 's/ *$//' >"$TMP/plain"
while IFS= read -r line; do
	total=$((total + 1))
	grep -qxF -- "$line" "$OUT" || { missing=$((missing + 1)); echo "# not a line of its own: $line"; }
done <"$TMP/plain"
check "each plain source line of a paragraph is its own line ($total lines)" test "$missing" -eq 0 -a "$total" -gt 90
check "the two trailing spaces of hard breaks are gone" sh -c "! grep -q ' \$' '$OUT'"
check "output is valid UTF-8 with LF endings and a final newline" sh -c \
	"iconv -f UTF-8 -t UTF-8 '$OUT' >/dev/null && ! grep -q \"\$(printf '\\r')\" '$OUT' && [ \"\$(tail -c1 '$OUT' | od -An -c | tr -d ' ')\" = '\\n' ]"
