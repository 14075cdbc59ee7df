#!/bin/sh
# A capsule rebuilt from the cache after each change to the blog is the
# capsule a build from nothing makes of the same sources, file for file,
# with the same warnings: a post edited, a title changed (the index pages
# and the series lists of its siblings change), a post deleted, one added,
# a page edited, an asset added, and the cache damaged (a warning says
# so, and everything is rendered again). The blog: N posts, a page
# (about/), a static file and a post's asset.
. "$ROOT/tests/lib.sh"

N=120
generated_blog $N inc full
POSTS=blog/source/_posts
mkdir -p blog/source/about blog/source/images "$POSTS/post-00003"
printf -- '---\ntitle: 소개\n---\n글쓴이 소개.\n' >blog/source/about/index.md
printf 'image' >blog/source/images/logo.png
printf 'photo' >"$POSTS/post-00003/photo-00.jpeg"

# same STEP: the incremental capsule is the one built from nothing.
same() {
	"$CANYON" build -c inc.yaml >inc.stdout 2>inc.stderr
	expect_eq "$1: the rebuild exits 0" 0 $?
	rm -rf full
	"$CANYON" build -c full.yaml >full.stdout 2>full.stderr
	expect_eq "$1: the build from nothing exits 0" 0 $?
	check "$1: the same capsule as a build from nothing" diff -r \
	    --exclude=.canyon-cache --exclude=.canyon-cache-base \
	    --exclude=.canyon-manifest inc/public/ full/public/
	grep -v 'build cache cannot be used' inc.stderr >inc.warnings
	check "$1: the same warnings as a build from nothing" \
	    cmp -s inc.warnings full.stderr
}

same "first build"
expect_match "the first build renders every post and the page" "\\($((N + 1)) rendered, 0 from cache" \
    "$(cat inc.stdout)"
echo "한 줄 더." >>$POSTS/post-00042.md
same "one post edited"
expect_match "one post edited: it alone is rendered" \
    "\\(1 rendered, $N from cache" "$(cat inc.stdout)"
echo "또 한 줄." >>$POSTS/post-00007.md
same "another post edited (the other generation)"
sed -i 's/^title: .*/title: 제목을 바꾼 글/' $POSTS/post-00043.md
same "a title changed"
check "a title changed: the home page lists it" \
    grep -q '제목을 바꾼 글' inc/public/index.gmi
check "a title changed: a sibling's series list shows it" \
    grep -rq '제목을 바꾼 글' inc/public/2020/01/11/post-00042/index.gmi
rm $POSTS/post-00044.md
same "a post deleted"
sed 's/^title: .*/title: 새 글/' $POSTS/post-00010.md >$POSTS/post-new.md
same "a post added"
echo "한 줄 더." >>blog/source/about/index.md
same "a page edited"
check "a page edited: its page has the new line" \
    grep -q '한 줄 더' inc/public/about/index.gmi
printf 'photo 2' >"$POSTS/post-00003/photo-01.jpeg"
same "an asset added"
for i in 1 2 3 4 5 6; do
	echo "줄 $i." >>$POSTS/post-0001$i.md
	same "edit $i of a run"
done

# Damaged caches: said so, and the capsule is still the right one.
printf 'garbage' >inc/public/.canyon-cache
echo "한 줄 더." >>$POSTS/post-00050.md
same "a damaged cache file"
expect_match "a damaged cache file: a warning says so" \
    'canyon-cache: .*build cache cannot be used' "$(cat inc.stderr)"
expect_match "a damaged cache file: every post is rendered again" \
    "\\($((N + 1)) rendered, 0 from cache" "$(cat inc.stdout)"
base=$(readlink -f inc/public)/.canyon-cache-base
size=$(wc -c <"$base")
truncate -s $((size / 2)) "$base"
echo "한 줄 더." >>$POSTS/post-00051.md
same "a base cut short"
expect_match "a base cut short: a warning says so" \
    'build cache cannot be used \(its base' "$(cat inc.stderr)"
