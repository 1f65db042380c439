#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# MPTCP with TSO against Linux (issue 6; docs/performance.md "MPTCP and
# TSO"): mpdk-echo as an MPTCP client over net_tap, which advertises
# RTE_ETH_TX_OFFLOAD_TCP_TSO and segments in software with librte_gso
# (repeating the TCP options, the DSS included, on every segment it cuts,
# as a NIC does), sends BYTES to a Linux IPPROTO_MPTCP sink server in a
# network namespace. RFC 8684 §3.3.1: each super-segment carries one DSS
# mapping that contains it; Linux takes the same mapping again on every
# segment (net/mptcp/subflow.c, "Allow replacing only with an identical
# map").
#  1. TSO on: MPTCP established (mpdk-echo "mptcp: yes"), tcp_tso_sends > 0
#     and tcp_tso_segs > tcp_tso_sends, Linux receives exactly the bytes of
#     the --seed stream (sha256); Linux's nstat: MPTcpExtMPCapableSYNACKRX
#     > 0 and none of MPTcpExtDSSNotMatching, MPTcpExtDSSNoMatchTCP,
#     MPTcpExtDataCsumErr, MPTcpExtInfiniteMapRx, MPTcpExtMPFailRx,
#     MPTcpExtDSSCorruptionFallback, MPTcpExtDSSCorruptionReset; mpdk:
#     mptcp_dss_bad_map = 0; a capture on Linux's side of the tap (what
#     came out of the segmentation) passes check_tcp_pcap and has no
#     frame over the MTU, and tshark finds no MPTCP expert warnings.
#  2. The same with DSS checksums (Linux net.mptcp.checksum_enabled=1,
#     flag A): TSO stays on, the checksum of each mapping covers its whole
#     data; Linux counts no MPTcpExtDataCsumErr.
#  3. --no-tso: the same transfer in MSS-sized segments, tcp_tso_sends = 0.
# Each run logs its throughput as Linux measured it (bytes / seconds);
# for a throughput comparison give a large BYTES and MPDK_NO_CAPTURE=1
# (dumpcap competes for the CPU).
#
# usage: mptcp_tso.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_tso.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-10000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit $SKIP; }
command -v dumpcap >/dev/null || { echo "SKIP: dumpcap not installed"; exit $SKIP; }
command -v nstat >/dev/null || { echo "SKIP: nstat not installed"; exit $SKIP; }
in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
write_tcp_peer
. "$(dirname "$0")/mptcp_peer.inc"

# An IPPROTO_MPTCP sink: tcp_peer.py's sink server on an MPTCP socket.
cat >"$WORK/mptcp_sink.py" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
IPPROTO_MPTCP = 262
_sock = socket.socket
def mptcp_socket(family=-1, type=-1, proto=-1, fileno=None):
    if fileno is None and family == socket.AF_INET and type == socket.SOCK_STREAM:
        return _sock(family, type, IPPROTO_MPTCP)
    return _sock(family, type, proto, fileno)
socket.socket = mptcp_socket
import tcp_peer
tcp_peer.sink_server(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
PY

TAP="mpdkmts$$"
NET=10.84.0
PORT=5001
CLEANUPS+=("ip link del $TAP" "ip -n $NS link del $TAP")
nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

# run NAME ARGS...: Linux MPTCP sink in the netns, mpdk-echo client over
# net_tap (extra options ARGS), capture on the Linux side. Sets MBPS.
run() {
	local name=$1
	shift
	rm -f "$WORK/ready"
	in_ns nstat -n >/dev/null 2>&1
	in_ns timeout 120 "$PYTHON" "$WORK/mptcp_sink.py" "$WORK" "$PORT" "$WORK/ready" 90 42 \
		>"$WORK/$name.server.log" 2>&1 &
	local srv=$!
	CLEANUPS+=("kill $srv")
	for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	[ -e "$WORK/ready" ] || { fail "$name: the Linux server did not start"; return 1; }

	timeout 120 "$ECHO" -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
		--log-level lib.eal:warning --vdev "net_tap0,iface=$TAP" -- \
		--addr "0:$NET.2/24" -c "$NET.1" -p "$PORT" --timeout 90 --stats \
		-n "$BYTES" --seed 42 --sink "$@" >"$WORK/$name.log" 2>&1 &
	local cli=$!
	CLEANUPS+=("kill $cli")
	for _ in $(seq 200); do
		grep -q '^mpdk-echo: up:' "$WORK/$name.log" && break
		kill -0 "$cli" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^mpdk-echo: up:' "$WORK/$name.log" || { fail "$name: mpdk-echo did not start"; cat "$WORK/$name.log"; return 1; }
	ip link set "$TAP" netns "$NS" || { fail "$name: no tap interface"; return 1; }
	ip -n "$NS" link set "$TAP" address 02:00:00:84:00:01
	in_ns ethtool -K "$TAP" tx off >/dev/null 2>&1 || true
	in_ns sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null || true
	ip -n "$NS" link set "$TAP" up
	local cap=""
	if [ "$name" != notso ] && [ -z "${MPDK_NO_CAPTURE:-}" ]; then
		in_ns dumpcap -q -B 64 -i "$TAP" -f tcp -w "$WORK/$name.pcap" >"$WORK/$name.dumpcap.log" 2>&1 &
		cap=$!
		CLEANUPS+=("kill $cap")
		for _ in $(seq 50); do grep -q Capturing "$WORK/$name.dumpcap.log" && break; sleep 0.1; done
		sleep 0.5
	fi
	ip -n "$NS" addr add "$NET.1/24" dev "$TAP"
	local rc=0
	wait "$cli" || rc=$?
	wait "$srv" || fail "$name: the Linux server failed"
	if [ -n "$cap" ]; then
		sleep 0.5
		kill -INT "$cap" 2>/dev/null
		wait "$cap" 2>/dev/null
	fi
	ip -n "$NS" link del "$TAP" 2>/dev/null
	cp "$WORK/$name.log" "$WORK/echo.log"
	grep -E '^mpdk-echo: (sent|sha256|mptcp|OK|FAIL|timed|cannot)' "$WORK/$name.log"
	cat "$WORK/$name.server.log"
	[ $rc -eq 0 ] || fail "$name: mpdk-echo exit status $rc"
	grep -q '^mpdk-echo: mptcp: yes' "$WORK/$name.log" || fail "$name: the connection was not MPTCP"
	local sent got secs
	sent=$(sed -n 's/^mpdk-echo: sha256 of the bytes sent: \([0-9a-f]*\)$/\1/p' "$WORK/$name.log")
	got=$(sed -n "s/^received $BYTES bytes sha256 \\([0-9a-f]*\\) .*/\\1/p" "$WORK/$name.server.log")
	if [ -z "$got" ]; then
		fail "$name: Linux did not receive exactly $BYTES bytes"
	elif [ "$sent" != "$got" ]; then
		fail "$name: sha256 differs: mpdk sent $sent, Linux received $got"
	fi
	grep -q '^the stream of seed 42 has sha256 .*: same$' "$WORK/$name.server.log" ||
		fail "$name: Linux did not receive the byte stream of --seed 42"
	secs=$(sed -n 's/^received .* in \([0-9.]*\) s$/\1/p' "$WORK/$name.server.log")
	MBPS=$(awk -v b="$BYTES" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%.0f", b * 8 / s / 1e6; else print 0 }')
	in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
	local c v
	v=$(nstat_ns MPTcpExtMPCapableSYNRX)
	[ "${v:-0}" -gt 0 ] || fail "$name: Linux MPTcpExtMPCapableSYNRX = ${v:-0}, want > 0"
	for c in MPTcpExtDSSNotMatching MPTcpExtDSSNoMatchTCP MPTcpExtDataCsumErr MPTcpExtInfiniteMapRx \
		MPTcpExtMPFailRx MPTcpExtDSSCorruptionFallback MPTcpExtDSSCorruptionReset \
		MPTcpExtMPCapableFallbackACK MPTcpExtMPCapableFallbackSYNACK; do
		v=$(nstat_ns $c)
		[ "${v:-0}" -eq 0 ] || fail "$name: Linux $c = $v, want 0"
	done
	for c in tcp_rx_bad_cksum tcp_rx_malformed tcp_conn_reset tcp_timeout ip_tx_bad_offload \
		mptcp_dss_bad_map mptcp_dss_csum_bad mptcp_fallback_infinite; do
		v=$(echo_counter $c)
		[ "$v" -eq 0 ] || fail "$name: counter $c = $v, want 0"
	done
	log "$name: $MBPS Mbit/s; tcp_tso_sends $(echo_counter tcp_tso_sends) tcp_tso_segs" \
		"$(echo_counter tcp_tso_segs) tcp_tx_segs $(echo_counter tcp_tx_segs)" \
		"tcp_retransmits $(echo_counter tcp_retransmits) mptcp_map_merged $(echo_counter mptcp_map_merged)"
	[ -n "$cap" ] || return 0
	check_tcp_pcap "$WORK/$name.pcap" "$NET.2"
	check_mptcp_pcap "$WORK/$name.pcap"
	if command -v tshark >/dev/null; then
		local big
		big=$(tshark -n -r "$WORK/$name.pcap" -Y "ip.src == $NET.2 && ip.len > 1500" 2>/dev/null | wc -l)
		[ "$big" -eq 0 ] || fail "$name: $big frames from mpdk longer than the 1500-byte MTU"
	fi
	return 0
}

T0=$(date +%s)
log "1. TSO on: $BYTES bytes over MPTCP from mpdk over net_tap to Linux"
run tso
MB_TSO=$MBPS
[ "$(echo_counter tcp_tso_sends)" -gt 0 ] || fail "tso: tcp_tso_sends = 0, want > 0"
[ "$(echo_counter tcp_tso_segs)" -gt "$(echo_counter tcp_tso_sends)" ] ||
	fail "tso: tcp_tso_segs not above tcp_tso_sends"

log "2. TSO on with DSS checksums (Linux asks for them)"
in_ns sysctl -qw net.mptcp.checksum_enabled=1 || fail "csum: cannot set net.mptcp.checksum_enabled"
run csum
in_ns sysctl -qw net.mptcp.checksum_enabled=0
grep -q '^mpdk-echo: mptcp: yes, DSS checksum on' "$WORK/csum.log" || fail "csum: DSS checksums not in use"
[ "$(echo_counter tcp_tso_sends)" -gt 0 ] || fail "csum: tcp_tso_sends = 0, want > 0"

log "3. --no-tso: the same transfer in MSS-sized segments"
run notso --no-tso
MB_NOTSO=$MBPS
[ "$(echo_counter tcp_tso_sends)" -eq 0 ] || fail "notso: tcp_tso_sends = $(echo_counter tcp_tso_sends), want 0"

log "throughput as Linux received it: TSO $MB_TSO Mbit/s, --no-tso $MB_NOTSO Mbit/s" \
	"(ratio $(awk -v a="$MB_TSO" -v b="$MB_NOTSO" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'))"
log "took $(($(date +%s) - T0)) s"
finish
