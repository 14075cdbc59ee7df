#!/bin/sh
# A blog large enough for the build to render and write its pages in
# several threads (tests/tools/blog_gen posts): every post is published,
# two builds of the same sources give the same capsule, and a rebuild after
# one post changed renders and writes only what depends on it.
. "$ROOT/tests/lib.sh"

N=200
generated_blog $N one two
for out in one two; do
	"$CANYON" build -c "$out.yaml" >"$out.stdout" 2>"$out.stderr"
	expect_eq "build $out exits 0" 0 $?
done
expect_match "every post is published" "^one/public: $N posts, " "$(cat one.stdout)"
expect_eq "every post has its page" $N \
    "$(find one/public/ -path '*/post-*/index.gmi' | wc -l)"
check "no error" test -z "$(grep ': error: ' one.stderr)"
check "both builds report the same problems, in the same order" \
    cmp -s one.stderr two.stderr
check "both builds give the same capsule" diff -r \
    --exclude=.canyon-cache --exclude=.canyon-manifest one/public/ two/public/

echo "한 줄 더." >>blog/source/_posts/post-00042.md
"$CANYON" build -c one.yaml >again.stdout 2>again.stderr
expect_eq "the rebuild exits 0" 0 $?
expect_match "the rebuild renders one post" "\\(1 rendered, $((N - 1)) from cache, " \
    "$(cat again.stdout)"
page=$(find one/public/ -path '*/post-00042/index.gmi')
check "the changed post's page has the new line" grep -qx '한 줄 더\.' "$page"
