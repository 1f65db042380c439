#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, MPTCP v1 (RFC 8684) with Linux's kernel MPTCP as the peer.
# Linux in a network namespace, mpdk-echo at the other end of a veth pair
# through net_af_packet.
#   1. Linux client (Python, socket.IPPROTO_MPTCP) -> mpdk-echo: BYTES
#      random bytes echoed back identical. RFC 8684 §3.1 (MP_CAPABLE, mpdk
#      as server), §3.3 (DSS mappings, DATA_ACK), §3.3.3 (DATA_FIN).
#      Linux's nstat: MPTcpExtMPCapableSYNACKRX > 0, no DSSNotMatching, no
#      checksum errors, no fallback; mpdk: mptcp_established = 1.
#   2. the same with net.mptcp.enabled=0 in the namespace (plain TCP
#      socket): mpdk answers as TCP (§3.7) and the echo is identical.
#   3. tshark on mpdk's --pcap: no MPTCP expert warnings (keys -> tokens
#      and IDSNs checked, mappings analysed).
#
# usage: mptcp_echo.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_echo.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-20000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.91.0
PORT=7
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
setup_veth "$NET" || exit 1
. "$(dirname "$0")/mptcp_peer.inc"
write_mptcp_peer

nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

start_echo_af_packet "$NET" -p "$PORT" --stats --pcap "$WORK/echo.pcap" --duration 170 ${ECHO_EXTRA:-} || exit 1

# --- 1. Linux MPTCP client
in_ns nstat -n >/dev/null 2>&1
log "Linux MPTCP client: $BYTES random bytes to $NET.2:$PORT and back"
out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client mptcp "$NET.2" "$PORT" "$BYTES" 60 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux MPTCP client: exit status $rc"
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
v=$(nstat_ns MPTcpExtMPCapableSYNACKRX)
[ "${v:-0}" -gt 0 ] || fail "Linux: MPTcpExtMPCapableSYNACKRX = ${v:-0}, want > 0"
for c in MPTcpExtDSSNotMatching MPTcpExtDataCsumErr MPTcpExtMPCapableFallbackSYNACK \
	MPTcpExtMPCapableFallbackACK MPTcpExtInfiniteMapRx MPTcpExtDSSNoMatchTCP MPTcpExtMPFailRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -eq 0 ] || fail "Linux: $c = $v, want 0"
done

# --- 2. net.mptcp.enabled=0: plain TCP, mpdk falls back
in_ns sysctl -qw net.mptcp.enabled=0
log "Linux with net.mptcp.enabled=0 (TCP client): $BYTES bytes"
out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client tcp "$NET.2" "$PORT" "$BYTES" 60 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux TCP client (mptcp disabled): exit status $rc"
in_ns sysctl -qw net.mptcp.enabled=1

stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
v=$(echo_counter mptcp_established)
[ "$v" -eq 1 ] || fail "mpdk: mptcp_established = $v, want 1"
for c in mptcp_dss_bad_map mptcp_dss_csum_bad mptcp_opt_bad tcp_rx_bad_cksum tcp_conn_reset; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
log "mpdk: mptcp_passive_open $(echo_counter mptcp_passive_open) mptcp_established $(echo_counter mptcp_established)" \
	"mptcp_data_fin_rx $(echo_counter mptcp_data_fin_rx) mptcp_rx_data_ooo $(echo_counter mptcp_rx_data_ooo)" \
	"tcp_retransmits $(echo_counter tcp_retransmits)"

# --- 3. tshark
check_mptcp_pcap "$WORK/echo.pcap"
log "took $(($(date +%s) - T0)) s"
finish
