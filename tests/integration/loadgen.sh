#!/bin/sh
# The benchmark's load generator (tests/bench/loadgen) against a real canyon
# over loopback: it must count what the server really answered, refuse
# targets off the machine, and charge a forking server's children to it.
. "$ROOT/tests/lib.sh"
LOADGEN="$TOOLS/../bench/loadgen"

mkdir -p "$TMP/pub" "$TMP/certs"
head -c 3000 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 2048 >"$TMP/pub/page.gmi"
printf '# Home\n=> /page.gmi A page\n' >"$TMP/pub/index.gmi"
make_cert "$TMP/certs"
loopback_config <<YAML
  workers: 2
  access_log: ""
limits:
  rate: 100000
  burst: 100000
  # Shedding (limits.sh) must not depend on how busy the test machine is:
  # a sanitizer build on a loaded runner can run 20 ms late.
  max_delay: 60
  max_connections_per_address: 1000
YAML
serve_and_wait "$TMP/canyon.yaml" "$TMP/server.log"
GEMINI=$(ready_port gemini)
GOPHER=$(ready_port gopher)
check "canyon is listening" test -n "$GEMINI" -a -n "$GOPHER"

# field NAME LINE: one column of a --tsv line, by the --tsv-header name.
field() {
	"$LOADGEN" --tsv-header | tr '\t' '\n' | grep -nx "$1" | cut -d: -f1 >"$TMP/col"
	printf '%s\n' "$2" | cut -f"$(cat "$TMP/col")"
}

out=$("$LOADGEN" -n 5 gemini://192.0.2.1/ 2>&1)
expect_eq "a target off the machine is refused with status 2" 2 "$?"
expect_match "and the reason is given" "not a loopback address" "$out"

line=$("$LOADGEN" -c 4 -n 40 -t 30 --port "$GEMINI" --pid "$SERVER_PID" --tsv \
    gemini://localhost/page.gmi)
expect_eq "40 Gemini requests, all answered" 40 "$(field ok "$line")"
expect_eq "every answer is a 20" "20=40" "$(field status "$line")"
expect_eq "no error" "-" "$(field error_kinds "$line")"
expect_eq "the whole body is read" 2048 "$(field body_bytes "$line")"
expect_eq "full handshakes resume nothing" 0 "$(field resumed "$line")"
expect_match "the server's CPU time per request is reported" '^[0-9]+\.[0-9]$' \
    "$(field srv_us_per_req "$line")"

line=$("$LOADGEN" -c 4 -n 40 -t 30 --port "$GEMINI" --resume --tsv gemini://localhost/page.gmi)
expect_match "with --resume, all but each slot's first handshake resume" '^(3[6-9]|40)$' \
    "$(field resumed "$line")"
line=$("$LOADGEN" -n 10 -t 30 --port "$GEMINI" --tls1.2 --resume --tsv gemini://localhost/page.gmi)
expect_eq "TLS 1.2 sessions resume too" 9 "$(field resumed "$line")"
# The listener steers each client address to one worker (listen.c): by that
# hash 127.0.1.1 goes to one of the two and 127.0.1.2 to the other. One
# slot takes them in turn, so each handshake offers a ticket the other
# worker issued.
worker_of() { # the index of the worker that address 127.0.1.$1 goes to
	echo $(((((((127 << 24) | (1 << 8) | $1) * 0x9e3779b1) & 0xffffffff) >> 16) % 2))
}
check "127.0.1.1 and 127.0.1.2 go to different workers" \
    test "$(worker_of 1)" != "$(worker_of 2)"
line=$("$LOADGEN" -n 20 -t 30 --port "$GEMINI" --source 127.0.1.1/2 --resume --tsv \
    gemini://localhost/page.gmi)
expect_eq "a ticket from one worker resumes on the other" 19 "$(field resumed "$line")"

line=$("$LOADGEN" -n 6 -t 30 --port "$GEMINI" --tsv gemini://localhost/missing.gmi)
expect_eq "the status histogram shows what the server said" "51=6" "$(field status "$line")"

line=$("$LOADGEN" -n 6 -t 30 --port "$GEMINI" --expect-body 100 --tsv gemini://localhost/page.gmi)
expect_eq "a body of the wrong size is an error" "body_size=6" "$(field error_kinds "$line")"

line=$("$LOADGEN" -c 2 -n 1000000 -t 1 --port "$GEMINI" --tsv gemini://localhost/page.gmi)
expect_match "a run is bounded by time as well as by count" '^[12]\.[0-9]+$' "$(field secs "$line")"

# Open loop: 40 arrivals a second for 1 s, whatever the replies take.
line=$("$LOADGEN" -c 8 -n 1000000 -t 1 --rate 40 --port "$GEMINI" --tsv gemini://localhost/page.gmi)
expect_match "--rate: about 40 requests in 1 s, not as many as possible" '^(39|40|41)$' \
    "$(field requests "$line")"
expect_eq "... all answered" "20=$(field requests "$line")" "$(field status "$line")"
expect_match "... with the generator's lag reported" '^[0-9]+$' "$(field lag_p99_us "$line")"
line=$("$LOADGEN" -c 1 -n 1000000 -t 1 --rate 2000 --port "$GEMINI" --tsv gemini://localhost/page.gmi)
expect_match "arrivals that find every slot busy are counted, not sent" 'no_slot=[0-9]+' \
    "$(field error_kinds "$line")"

line=$("$LOADGEN" -c 2 -n 20 -t 30 --tsv "gopher://localhost:$GOPHER/1/")
expect_eq "Gopher requests are counted" "served=20" "$(field status "$line")"

out=$("$LOADGEN" --idle 20 -c 4 --idle-time 0.2 --port "$GEMINI" --pid "$SERVER_PID" \
    gemini://localhost/)
expect_match "--idle holds the connections it was asked for" "20 of 20 held" "$out"

# A server that forks per connection: the children's CPU time is charged.
# Each child spends tens of milliseconds counting before it answers.
port=$((20000 + $$ % 30000))
socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" \
    SYSTEM:'read line; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done' \
    2>/dev/null &
SOCAT_PID=$!
tries=0
until ss -Hltn "sport = :$port" | grep -q . || [ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
line=$("$LOADGEN" -n 8 -t 60 --pid "$SOCAT_PID" --tsv "gopher://localhost:$port/1/")
kill "$SOCAT_PID" 2>/dev/null
wait "$SOCAT_PID" 2>/dev/null
expect_eq "the forking server answered" "served=8" "$(field status "$line")"
cpu=$(field srv_us_per_req "$line")
expect_match "its children's CPU time counts (${cpu} us per request)" \
    '^([5-9][0-9]{3}|[0-9]{5,})\.' "$cpu"

line=$("$LOADGEN" -n 3 -t 5 --tsv "gopher://localhost:$port/1/")
expect_eq "a closed port is counted as refused" "refused=3" "$(field error_kinds "$line")"
