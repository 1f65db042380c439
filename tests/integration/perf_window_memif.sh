#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mpdk-perf -w (iperf3's --window: the socket buffer), two mpdk-perf
# processes over net_memif (server -l 0, client -l 1, --no-huge). -w sets
# the stack's send and receive buffer of every connection, so the window a
# receiver advertises (RFC 9293 §3.8.6: the TCP window, the free receive
# buffer; RFC 8684 §3.3.7: the MPTCP data-level window, shared by the
# subflows) follows it, and the sender's largest peer window seen
# (end.streams[0].sender.max_snd_wnd in -J) is that buffer:
#   default: 262144 (mpdk_tcp_conf.rcvbuf, 256 KiB)
#   -w 1M:   1048576 on both ends; the client also tells the server
#            (iperf3's "window" parameter), which applies its own.
# Usage: perf_window_memif.sh MPDK-PERF
set -uo pipefail
PERF=$1
TAG="mpdk-pw-$$"
NET=10.95
# shellcheck source=memif_lib.sh
. "$(dirname "$0")/memif_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

# run RUN WANT-WINDOW [-w BYTES]
run() {
	local r=$1 want=$2
	shift 2
	# shellcheck disable=SC2046
	"$PERF" $(eal 0 server "$r") -- $(addrs 1) -s "$@" >"$WORK/$r.srv" 2>&1 &
	PIDS+=($!)
	local spid=$!
	wait_for "$WORK/$r.srv" "Server listening" || { fail=1; return; }
	# shellcheck disable=SC2046
	timeout -k 5 60 "$PERF" $(eal 1 client "$r") -- $(addrs 2) --endpoint "$NET.0.2" \
		-c "$NET.0.1" -n 16M -i 0 -J --timeout 20 "$@" >"$WORK/$r.cli" 2>"$WORK/$r.err"
	local crc=$?
	wait_for "$WORK/$r.srv" "Server listening on 5201 (test #2)"
	kill -INT "$spid"
	timeout -k 5 20 tail --pid="$spid" -f /dev/null
	wait "$spid"
	check "$r: client exit 0" [ "$crc" -eq 0 ]
	local got
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["end"]["streams"][0]
print(s["sender"]["max_snd_wnd"], s["receiver"]["bytes"], d["start"]["sndbuf_actual"], d["start"]["rcvbuf_actual"])
' "$WORK/$r.cli" 2>&1)
	echo "$r: max_snd_wnd, bytes received, sndbuf_actual, rcvbuf_actual: $got"
	set -- $got
	check "$r: the peer's window is $want" [ "${1:-0}" = "$want" ]
	check "$r: all 16 MiB arrived" [ "${2:-0}" = 16777216 ]
	check "$r: the client's buffers are $want" [ "${3:-0}" = "$want" ] && [ "${4:-0}" = "$want" ]
}

run default 262144
run w1m 1048576 -w 1M
[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
