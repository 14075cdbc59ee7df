#!/bin/sh
# Golden tests of the converter: `canyon convert` on every
# tests/golden/convert/NAME.md must print NAME.gmi on stdout and NAME.err on
# stderr (no .err: nothing on stderr). NAME.args holds extra options.
# The exit status must be 1 exactly when NAME.err has an error.
#   UPDATE=1 sh tests/golden/convert.sh   rewrites the expected files
#                                         (review every changed line!)
. "$ROOT/tests/lib.sh"
cd "$ROOT/tests/golden/convert" || exit 1
for md in *.md; do
	name=${md%.md}
	args=""
	[ -f "$name.args" ] && args=$(cat "$name.args")
	# shellcheck disable=SC2086
	timeout 10 "$CANYON" convert $args "$md" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ -n "${UPDATE:-}" ]; then
		cp "$TMP/out" "$name.gmi"
		if [ -s "$TMP/err" ]; then cp "$TMP/err" "$name.err"; else rm -f "$name.err"; fi
	fi
	expect_file "$name: gemtext" "$name.gmi" "$TMP/out"
	if [ -f "$name.err" ]; then
		expect_file "$name: diagnostics" "$name.err" "$TMP/err"
	else
		expect_file "$name: no diagnostics" /dev/null "$TMP/err"
	fi
	want=0
	[ -f "$name.err" ] && grep -q ': error: ' "$name.err" && want=1
	expect_eq "$name: exit status" "$want" "$rc"
done
