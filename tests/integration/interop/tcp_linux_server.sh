#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, mpdk as the TCP client (issue 3, "Done means": Linux as server
# receiving a transfer from an mpdk client; issue 4 item 8: the client mode
# of mpdk-echo; issue 3 item 8: --pcap dissects as valid TCP).
# A python3 server in a network namespace, `mpdk-echo -c` over
# veth/net_af_packet: it resolves the server with ARP, opens actively (SYN
# with MSS, SACK-permitted, timestamps, window scale: RFC 9293 §3.5,
# RFC 2018, RFC 7323), sends seeded pseudo-random bytes, half-closes and
# waits for the server's FIN (FIN_WAIT_2 -> TIME_WAIT, RFC 9293 §3.6).
#  1. --sink to a server that reads to EOF and hashes: mpdk-echo exits 0,
#     Linux received exactly 10 MB with the sha256 mpdk reports for what it
#     sent, which is also the sha256 of the byte stream docs/cli.md defines
#     for the seed (computed in Python), and the pcap holds valid TCP
#     (check_tcp_pcap in lib.sh).
#  2. echo mode to a Linux echo server: mpdk-echo checks every byte of the
#     echo and exits 0; its pcap is checked too.
#  3. the check itself: a Linux echo server that flips one bit of byte
#     123457 makes mpdk-echo exit 1 naming that byte.
#
# usage: tcp_linux_server.sh PATH/TO/mpdk-echo [BYTES]   (root; 77 = skipped)
ECHO=${1:?usage: tcp_linux_server.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-10000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.81.0
PORT=5001
T0=$(date +%s)

setup_veth "$NET" || exit 1
write_tcp_peer

# linux_server NAME ARGS...: start tcp_peer.py ARGS in the netns (log in
# $WORK/NAME.server.log) and wait until it listens.
linux_server() {
	local name=$1
	shift
	rm -f "$WORK/ready"
	in_ns timeout 75 "$PYTHON" "$WORK/tcp_peer.py" "$1" "$PORT" "$WORK/ready" 60 "${@:2}" \
		>"$WORK/$name.server.log" 2>&1 &
	SRV_PID=$!
	CLEANUPS+=("kill $SRV_PID")
	for _ in $(seq 100); do [ -e "$WORK/ready" ] && return 0; sleep 0.1; done
	fail "$name: the Linux server did not start"
	cat "$WORK/$name.server.log"
	return 1
}

# mpdk_client NAME ARGS...: run mpdk-echo as the client (log in
# $WORK/NAME.log, which echo_counter reads through $WORK/echo.log); sets RC.
mpdk_client() {
	local name=$1
	shift
	timeout 75 "$ECHO" -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
		--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" -- \
		--addr "0:$NET.2/24" -c "$NET.1" -p "$PORT" --timeout 60 --stats "$@" \
		>"$WORK/$name.log" 2>&1
	RC=$?
	cp "$WORK/$name.log" "$WORK/echo.log"
	grep -E '^mpdk-echo: (sent|sha256|OK|FAIL|timed|cannot)' "$WORK/$name.log"
}

check_counters() {
	local c v
	for c in tcp_rx_bad_cksum tcp_rx_malformed tcp_conn_reset tcp_timeout; do
		v=$(echo_counter $c)
		[ "$v" -eq 0 ] || fail "$1: counter $c = $v, want 0"
	done
	log "$1: counters: tcp_active_open $(echo_counter tcp_active_open)" \
		"tcp_tx_segs $(echo_counter tcp_tx_segs) tcp_retransmits $(echo_counter tcp_retransmits)" \
		"tcp_rto $(echo_counter tcp_rto) tcp_fast_retransmit $(echo_counter tcp_fast_retransmit)"
}

log "1. mpdk client --sink: $BYTES bytes to Linux at $NET.1:$PORT"
if linux_server sink sink-server 42; then
	mpdk_client sink -n "$BYTES" --seed 42 --sink --pcap "$WORK/sink.pcap"
	[ $RC -eq 0 ] || fail "sink: mpdk-echo exit status $RC"
	wait "$SRV_PID" || fail "sink: the Linux server failed"
	cat "$WORK/sink.server.log"
	sent=$(sed -n 's/^mpdk-echo: sha256 of the bytes sent: \([0-9a-f]*\)$/\1/p' "$WORK/sink.log")
	got=$(sed -n "s/^received $BYTES bytes sha256 \\([0-9a-f]*\\) .*/\\1/p" "$WORK/sink.server.log")
	if [ -z "$got" ]; then
		fail "sink: Linux did not receive exactly $BYTES bytes"
	elif [ "$sent" != "$got" ]; then
		fail "sink: sha256 differs: mpdk sent $sent, Linux received $got"
	else
		log "sink: sha256 match: $got"
	fi
	grep -q '^the stream of seed 42 has sha256 .*: same$' "$WORK/sink.server.log" ||
		fail "sink: Linux did not receive the documented byte stream of --seed 42"
	check_counters sink
	check_tcp_pcap "$WORK/sink.pcap" "$NET.2"
fi

log "2. mpdk client, echo mode: $BYTES bytes to a Linux echo server and back"
if linux_server roundtrip echo-server; then
	mpdk_client roundtrip -n "$BYTES" --seed 7 --pcap "$WORK/roundtrip.pcap"
	[ $RC -eq 0 ] || fail "roundtrip: mpdk-echo exit status $RC"
	grep -q "^mpdk-echo: OK: $BYTES bytes echoed back identical" "$WORK/roundtrip.log" ||
		fail "roundtrip: no OK line"
	wait "$SRV_PID" || fail "roundtrip: the Linux server failed"
	cat "$WORK/roundtrip.server.log"
	check_counters roundtrip
	check_tcp_pcap "$WORK/roundtrip.pcap" "$NET.2"
fi

log "3. the client's check: Linux flips a bit of byte 123457 of the echo"
if linux_server flip echo-server 123457; then
	mpdk_client flip -n 1000000 --seed 9 --timeout 20
	[ $RC -eq 1 ] || fail "flip: mpdk-echo exit status $RC, want 1"
	grep -q '^mpdk-echo: FAIL: echo differs at byte 123457: ' "$WORK/flip.log" ||
		fail "flip: mpdk-echo did not report the flipped byte 123457"
	wait "$SRV_PID"
	cat "$WORK/flip.server.log"
fi

log "took $(($(date +%s) - T0)) s"
finish
