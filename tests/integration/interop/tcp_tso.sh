#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TSO interop (issue 6 item 4; docs/architecture.md "Offloads"): mpdk-echo
# as a TCP client over net_tap, which advertises RTE_ETH_TX_OFFLOAD_TCP_TSO
# and segments in software with librte_gso, sends 10 MB to a Linux server
# in a network namespace.
#  1. TSO on (the default where the port offers it): tcp_tso_sends > 0 and
#     tcp_tso_segs > tcp_tso_sends, Linux receives exactly the bytes of the
#     documented --seed stream (sha256), and a capture taken by dumpcap on
#     the Linux side of the tap -- what came out of the segmentation --
#     passes check_tcp_pcap: correct IPv4/TCP checksums on every segment,
#     no malformed frames, no gaps in mpdk's sequence space, no ACK of an
#     unseen segment, and no frame longer than the MTU (RFC 9293 §3.7.1:
#     segments of at most the effective MSS).
#  2. --no-tso: the same transfer with tcp_tso_sends = 0 (data checked,
#     no capture check: without TSO the sender is fast enough to make
#     dumpcap drop frames now and then).
#
# usage: tcp_tso.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: tcp_tso.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-10000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit $SKIP; }
command -v dumpcap >/dev/null || { echo "SKIP: dumpcap not installed"; exit $SKIP; }
write_tcp_peer

TAP="mpdktso$$"
NET=10.83.0
PORT=5001
CLEANUPS+=("ip link del $TAP" "ip -n $NS link del $TAP")

# run NAME ARGS...: Linux sink server in the netns, mpdk-echo client over
# net_tap (extra stack options ARGS), capture on the Linux side. Sets RC.
run() {
	local name=$1
	shift
	rm -f "$WORK/ready"
	in_ns timeout 90 "$PYTHON" "$WORK/tcp_peer.py" sink-server "$PORT" "$WORK/ready" 60 42 \
		>"$WORK/$name.server.log" 2>&1 &
	local srv=$!
	CLEANUPS+=("kill $srv")
	for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	[ -e "$WORK/ready" ] || { fail "$name: the Linux server did not start"; return 1; }

	timeout 90 "$ECHO" -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
		--log-level lib.eal:warning --vdev "net_tap0,iface=$TAP" -- \
		--addr "0:$NET.2/24" -c "$NET.1" -p "$PORT" --timeout 60 --stats \
		-n "$BYTES" --seed 42 --sink "$@" >"$WORK/$name.log" 2>&1 &
	local cli=$!
	CLEANUPS+=("kill $cli")
	# Once the port is up (the PMD configures the interface by name in our
	# namespace until then), move it to Linux's. The address comes last,
	# when the capture runs: mpdk's ARP requests (retried) go unanswered
	# until then, so the capture sees the whole connection.
	for _ in $(seq 200); do
		grep -q '^mpdk-echo: up:' "$WORK/$name.log" && break
		kill -0 "$cli" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^mpdk-echo: up:' "$WORK/$name.log" || { fail "$name: mpdk-echo did not start"; cat "$WORK/$name.log"; return 1; }
	ip link set "$TAP" netns "$NS" || { fail "$name: no tap interface"; return 1; }
	ip -n "$NS" link set "$TAP" address 02:00:00:83:00:01
	# Linux's own transmit checksum offload would hand mpdk partial sums.
	in_ns ethtool -K "$TAP" tx off >/dev/null 2>&1 || true
	in_ns sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null || true
	ip -n "$NS" link set "$TAP" up
	in_ns dumpcap -q -B 64 -i "$TAP" -f tcp -w "$WORK/$name.pcap" >"$WORK/$name.dumpcap.log" 2>&1 &
	local cap=$!
	CLEANUPS+=("kill $cap")
	for _ in $(seq 50); do grep -q Capturing "$WORK/$name.dumpcap.log" && break; sleep 0.1; done
	sleep 0.5
	ip -n "$NS" addr add "$NET.1/24" dev "$TAP"
	RC=0
	wait "$cli" || RC=$?
	wait "$srv" || fail "$name: the Linux server failed"
	sleep 0.5
	kill -INT "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	ip -n "$NS" link del "$TAP" 2>/dev/null
	cp "$WORK/$name.log" "$WORK/echo.log"
	grep -E '^mpdk-echo: (sent|sha256|OK|FAIL|timed|cannot)' "$WORK/$name.log"
	cat "$WORK/$name.server.log"
	[ $RC -eq 0 ] || fail "$name: mpdk-echo exit status $RC"
	local sent got
	sent=$(sed -n 's/^mpdk-echo: sha256 of the bytes sent: \([0-9a-f]*\)$/\1/p' "$WORK/$name.log")
	got=$(sed -n "s/^received $BYTES bytes sha256 \\([0-9a-f]*\\) .*/\\1/p" "$WORK/$name.server.log")
	if [ -z "$got" ]; then
		fail "$name: Linux did not receive exactly $BYTES bytes"
	elif [ "$sent" != "$got" ]; then
		fail "$name: sha256 differs: mpdk sent $sent, Linux received $got"
	fi
	grep -q '^the stream of seed 42 has sha256 .*: same$' "$WORK/$name.server.log" ||
		fail "$name: Linux did not receive the byte stream of --seed 42"
	local c v
	for c in tcp_rx_bad_cksum tcp_rx_malformed tcp_conn_reset tcp_timeout ip_tx_bad_offload; do
		v=$(echo_counter $c)
		[ "$v" -eq 0 ] || fail "$name: counter $c = $v, want 0"
	done
	log "$name: tcp_tso_sends $(echo_counter tcp_tso_sends) tcp_tso_segs" \
		"$(echo_counter tcp_tso_segs) tcp_tx_segs $(echo_counter tcp_tx_segs)" \
		"tcp_retransmits $(echo_counter tcp_retransmits)"
	[ "$name" = tso ] || return 0
	check_tcp_pcap "$WORK/$name.pcap" "$NET.2"
	if command -v tshark >/dev/null; then
		local big
		big=$(tshark -n -r "$WORK/$name.pcap" -Y "ip.src == $NET.2 && ip.len > 1500" 2>/dev/null | wc -l)
		[ "$big" -eq 0 ] || fail "$name: $big frames from mpdk longer than the 1500-byte MTU"
	fi
	return 0
}

T0=$(date +%s)
log "1. TSO on: $BYTES bytes from mpdk over net_tap to Linux"
run tso
[ "$(echo_counter tcp_tso_sends)" -gt 0 ] || fail "tso: tcp_tso_sends = 0, want > 0"
[ "$(echo_counter tcp_tso_segs)" -gt "$(echo_counter tcp_tso_sends)" ] ||
	fail "tso: tcp_tso_segs not above tcp_tso_sends"

log "2. --no-tso: the same transfer in MSS-sized segments"
run notso --no-tso
[ "$(echo_counter tcp_tso_sends)" -eq 0 ] || fail "notso: tcp_tso_sends = $(echo_counter tcp_tso_sends), want 0"

log "took $(($(date +%s) - T0)) s"
finish
