#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mpdk-echo, client and server, each on two engines (--engines 2, issue 6):
# two mpdk processes joined by two net_memif links (server -l 0, client
# -l 1, --no-huge), 10.95.P.1 (server) and 10.95.P.2 (client) on link P.
# Each process has one lcore, so its two engines share it (mpdk-echo polls
# engine k on lcore k mod L): never more busy pollers than the machine's
# two cores. net_memif has no RSS: engine 0 receives every frame and hands
# each TCP segment to the engine owning its 4-tuple (docs/architecture.md,
# "Threads"); engine 1 sends through engine 0 (memif refuses more tx rings
# than its peer has rx queues).
#   one:  `mpdk-echo -c HOST -p PORT -n BYTES --engines 2`, the client's
#         endpoint `subflow` on link 1 joins (RFC 8684 §3.2): the echo is
#         byte-identical over >= 2 subflows, every subflow reported on the
#         connection's engine (0).
#   two:  the same with -P 2: connection 1 (seed S) is opened on engine 0,
#         connection 2 (seed S+1) on engine 1, whose ephemeral ports make
#         the replies belong to it; each joins a second subflow, which
#         lives on its connection's engine. Both echoes byte-identical; the
#         report shows >= 2 subflows with data on engine 0 and >= 2 on
#         engine 1; the client's engine 0 handed frames to engine 1
#         (engine_redirect_tx, software steering); no join lost its token.
# Usage: echo_engines_memif.sh MPDK-ECHO [BYTES]
set -uo pipefail
ECHO=${1:?usage: echo_engines_memif.sh MPDK-ECHO [BYTES]}
BYTES=${2:-8000000}
TAG="mpdk-ee-$$"
NET=10.95
# shellcheck source=memif_lib.sh
. "$(dirname "$0")/memif_lib.sh"
# subflows RUN ENGINE: subflow lines of the client's report on ENGINE that carried data out
subflows() { grep -cE "^mpdk-echo: subflow [0-9]+: .* engine $2, bytes out [1-9]" "$WORK/$1.cli"; }

# run RUN [client options]: server and client, both --engines 2; sets CRC
run() {
	local r=$1
	shift
	# shellcheck disable=SC2046
	"$ECHO" $(eal 0 server "$r") -- $(addrs 1) --engines 2 --stats >"$WORK/$r.srv" 2>&1 &
	PIDS+=($!)
	local spid=$!
	wait_for "$WORK/$r.srv" '^mpdk-echo: up:' || { fail=1; CRC=99; return; }
	# shellcheck disable=SC2046
	timeout -k 5 90 "$ECHO" $(eal 1 client "$r") -- $(addrs 2) --engines 2 \
		--endpoint 10.95.1.2,subflow -c 10.95.0.1 -p 7 -n "$BYTES" --stats "$@" \
		>"$WORK/$r.cli" 2>&1
	CRC=$?
	kill -INT "$spid"
	timeout -k 5 20 tail --pid="$spid" -f /dev/null
	wait "$spid"
	echo "--- $r: client exit $CRC"
	grep -v '^ *[a-z0-9_]\+ \+[0-9]\+ ' "$WORK/$r.cli"
	grep -E '^mpdk-echo: (tcp|accepted)' "$WORK/$r.srv"
}

# ---- one: a single connection, the command of issue 6
run one
check "one: client exit 0" test "$CRC" -eq 0
check "one: OK line (every byte checked)" grep -qx "mpdk-echo: OK: $BYTES bytes echoed back identical, connection closed cleanly" "$WORK/one.cli"
check "one: started with 2 engines" grep -q '^mpdk-echo: up: .*; 2 engines; ' "$WORK/one.cli"
check "one: MPTCP with 2 subflows" grep -q '^mpdk-echo: mptcp: yes, DSS checksum off, 2 subflow(s) used' "$WORK/one.cli"
check "one: both subflows carried data, on engine 0" test "$(subflows one 0)" -eq 2
check "one: the client joined (mptcp_join_synack_rx)" test "$(ctr "$WORK/one.cli" mptcp_join_synack_rx)" -ge 1
check "one: server: 1 accepted, 1 closed, 0 errored, all echoed" \
	grep -q "^mpdk-echo: tcp: 1 accepted, 1 closed, 0 errored (0 reset, 0 timed out, 0 other), 0 open; $BYTES bytes echoed" "$WORK/one.srv"

# ---- two: -P 2, one connection per engine
run two -P 2 --seed 5
check "two: client exit 0" test "$CRC" -eq 0
check "two: OK line for both" grep -qx "mpdk-echo: OK: all 2 connections, $BYTES bytes each, echoed back identical on 2 engine(s)" "$WORK/two.cli"
for i in 1 2; do
	check "two: connection $i on engine $((i - 1)) with seed $((4 + i))" \
		grep -q "^mpdk-echo: connection $i (engine $((i - 1)), seed $((4 + i))): sent $BYTES of $BYTES bytes, received $BYTES back" "$WORK/two.cli"
	check "two: connection $i echoed back identical" \
		grep -qx "mpdk-echo: connection $i: OK: $BYTES bytes echoed back identical, connection closed cleanly" "$WORK/two.cli"
done
check "two: >= 2 subflows with data on engine 0 (got $(subflows two 0))" test "$(subflows two 0)" -ge 2
check "two: >= 2 subflows with data on engine 1 (got $(subflows two 1))" test "$(subflows two 1)" -ge 2
check "two: the two connections sent different streams (seeds 5, 6)" \
	test "$(grep -c '^mpdk-echo: sha256 of the bytes sent: ' "$WORK/two.cli")" -eq 2 -a \
	"$(grep '^mpdk-echo: sha256 of the bytes sent: ' "$WORK/two.cli" | sort -u | wc -l)" -eq 2
check "two: both joined (mptcp_join_synack_rx >= 2)" test "$(ctr "$WORK/two.cli" mptcp_join_synack_rx)" -ge 2
check "two: client engine 0 handed frames to engine 1 (engine_redirect_tx)" \
	test "$(ctr "$WORK/two.cli" engine_redirect_tx)" -gt 0 -a "$(ctr "$WORK/two.cli" engine_redirect_rx)" -gt 0
check "two: server: 2 accepted, 2 closed, 0 errored, all echoed" \
	grep -q "^mpdk-echo: tcp: 2 accepted, 2 closed, 0 errored (0 reset, 0 timed out, 0 other), 0 open; $((2 * BYTES)) bytes echoed" "$WORK/two.srv"
check "two: server took both joins to their connections' engines (mptcp_join_ack_rx >= 2, no unknown token)" \
	test "$(ctr "$WORK/two.srv" mptcp_join_ack_rx)" -ge 2 -a "$(ctr "$WORK/two.srv" mptcp_join_token_unknown)" -eq 0
for f in two.cli two.srv one.cli one.srv; do
	check "$f: no mapping or checksum error" test "$(ctr "$WORK/$f" mptcp_dss_bad_map)" -eq 0 -a \
		"$(ctr "$WORK/$f" mptcp_dss_csum_bad)" -eq 0 -a "$(ctr "$WORK/$f" engine_redirect_ring_full)" -eq 0
done
exit $fail
