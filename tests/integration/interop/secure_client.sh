#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, key mode ec-preferred (issue 5 item 3, docs/security.md) with
# Linux as the CLIENT: mpdk-echo --key-mode ec-preferred serves Linux's
# RFC 8684 SYN with RFC 8684 (EC only with peers that offer it), and
# Linux joins a second subflow over the second veth pair (MP_JOIN with
# RFC 8684's HMACs). As mptcp_join.sh, plus: no EC counters moved on
# mpdk's side (ec_passive_open 0, ec_required_refused_passive 0).
#
# usage: secure_client.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: secure_client.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-20000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.99.0
NET2=10.100.0
PORT=7
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
setup_veth "$NET" || exit 1
# the second path
V2_MPDK="mpw$$m"
V2_LNX="mpw$$l"
ip link add "$V2_MPDK" type veth peer name "$V2_LNX" || exit 1
CLEANUPS+=("ip link del $V2_MPDK")
ip link set "$V2_LNX" netns "$NS"
sysctl -qw "net.ipv6.conf.$V2_MPDK.disable_ipv6=1" 2>/dev/null || true
ip -n "$NS" addr add "$NET2.1/24" dev "$V2_LNX"
ip -n "$NS" link set "$V2_LNX" up
ip link set "$V2_MPDK" up
for f in tx rx tso gso gro; do
	ethtool -K "$V2_MPDK" "$f" off >/dev/null 2>&1
	in_ns ethtool -K "$V2_LNX" "$f" off >/dev/null 2>&1
done
in_ns ip mptcp endpoint flush
in_ns ip mptcp limits set subflow 2 add_addr_accepted 2
in_ns ip mptcp endpoint add "$NET2.1" dev "$V2_LNX" subflow
# The usual multihoming setup: traffic from the second address leaves by
# the second link (source routing), with mpdk's second address as gateway.
in_ns ip rule add from "$NET2.1" table 100
in_ns ip route add default via "$NET2.2" dev "$V2_LNX" table 100

. "$(dirname "$0")/mptcp_peer.inc"
write_mptcp_peer
nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

start_echo -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" \
	--vdev "net_af_packet1,iface=$V2_MPDK" -- --addr "0:$NET.2/24" --addr "1:$NET2.2/24" \
	-p "$PORT" --stats --key-mode ec-preferred --curve secp256r1 --pcap "$WORK/echo.pcap" --duration 170 || exit 1
in_ns nstat -n >/dev/null 2>&1
log "Linux MPTCP client (subflow endpoint $NET2.1): $BYTES bytes to $NET.2:$PORT and back"
out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client mptcp "$NET.2" "$PORT" "$BYTES" 60 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux MPTCP client: exit status $rc"
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
for c in MPTcpExtMPCapableSYNACKRX MPTcpExtMPJoinSynAckRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -gt 0 ] || fail "Linux: $c = ${v:-0}, want > 0"
done
for c in MPTcpExtMPJoinAckHMacFailure MPTcpExtMPJoinSynAckHMacFailure MPTcpExtDSSNotMatching \
	MPTcpExtDataCsumErr MPTcpExtMPCapableFallbackSYNACK MPTcpExtInfiniteMapRx MPTcpExtMPFailRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -eq 0 ] || fail "Linux: $c = $v, want 0"
done
stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
for c in mptcp_established mptcp_join_ack_rx; do
	v=$(echo_counter $c)
	[ "$v" -ge 1 ] || fail "mpdk: $c = $v, want >= 1"
done
for c in mptcp_join_ack_hmac_fail mptcp_dss_bad_map mptcp_dss_csum_bad mptcp_join_token_unknown; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
log "mpdk: mptcp_join_syn_rx $(echo_counter mptcp_join_syn_rx) mptcp_join_ack_rx $(echo_counter mptcp_join_ack_rx)" \
	"mptcp_rx_data_ooo $(echo_counter mptcp_rx_data_ooo) tcp_retransmits $(echo_counter tcp_retransmits)"
for c in ec_passive_open ec_required_refused_passive ec_join_not_ec; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk: $c = $v, want 0"
done
check_mptcp_pcap "$WORK/echo.pcap"
log "took $(($(date +%s) - T0)) s"
finish
