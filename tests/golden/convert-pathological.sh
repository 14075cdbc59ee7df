#!/bin/sh
# Pathological Markdown beyond convert-bad-input: shapes that make naive
# parsers quadratic or recursive (runs of emphasis, nested links, deep
# indentation, quotes inside lists, thousands of links on one line, open
# HTML blocks) and the image path that once read past a buffer (found by
# the Markdown fuzzer). Each converts without a crash, a sanitizer report
# or a hang (the timeout), and its output is valid UTF-8.
. "$ROOT/tests/lib.sh"

# patho NAME AWK-PROGRAM: the program prints the body after a front matter
patho() {
	{ printf -- '---\ntitle: t\n---\n'; awk "BEGIN { $2 }"; } >"$TMP/p.md"
	timeout 20 "$CANYON" convert "$TMP/p.md" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	check "$1: converted (status $rc)" test "$rc" -eq 0
	check "$1: no sanitizer report" sh -c "! grep -q -e 'Sanitizer' -e 'runtime error' '$TMP/err'"
	check "$1: output is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMP/out" -o /dev/null
}

patho "100,000 emphasis marks around a word" \
	'for (i = 0; i < 100000; i++) printf "*"; printf "x"; for (i = 0; i < 100000; i++) printf "*"; print ""'
patho "100,000 alternating emphasis marks" 'for (i = 0; i < 100000; i++) printf "*_"; print ""'
patho "100,000 backticks" 'for (i = 0; i < 100000; i++) printf "`"; print ""'
patho "100,000 nested link openers" \
	'for (i = 0; i < 100000; i++) printf "[a"; for (i = 0; i < 100000; i++) printf "](u)"; print ""'
patho "100,000 open parentheses in a link" 'printf "[x]("; for (i = 0; i < 100000; i++) printf "("; print ""'
patho "50,000 links on one line" 'for (i = 0; i < 50000; i++) printf "[l](http://x/) "; print ""'
patho "20,000 images whose path ends in a slash" 'for (i = 0; i < 20000; i++) printf "![a](b/)"; print ""'
patho "100,000 open HTML blocks" 'for (i = 0; i < 100000; i++) printf "<div>"; print ""'
patho "2,000 levels of indented lists" \
	'for (i = 0; i < 2000; i++) { for (j = 0; j < i; j++) printf "  "; print "- x" }'
patho "1,500 levels of lists inside quotes" \
	'for (i = 0; i < 1500; i++) { for (j = 0; j < i; j++) printf "> "; print "- x" }'
patho "300,000 Hangul syllables on one line" 'for (i = 0; i < 100000; i++) printf "가나다"; print ""'
