#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, several engines (issue 6): mpdk-echo with --engines 2 on lcores
# 0-1, Linux as the MPTCP CLIENT joining a second subflow (RFC 8684 §3.2)
# over TWO veth pairs (net_af_packet: one queue, so engine 0 receives and
# steers each TCP segment to the engine owning its 4-tuple, by the Toeplitz
# hash with the standard Microsoft key modulo 2).
#   Linux's ephemeral range is one port P, chosen here so that the
#   connection's first subflow belongs to engine 1 (its home) and the join's
#   4-tuple to engine 0: the join must be handed over to the home engine
#   through the token table and a ring, with its later segments following.
#   Run twice, once per home engine (home 1: engine 0 receives the join
#   and hands it over; home 0: engine 0 is the home, and a redirect entry
#   keeps the join's 4-tuple from its hash owner, engine 1).
#   mpdk: engine_join_handover >= 1, engine_redirect_added >= 2,
#   mptcp_join_ack_rx >= 2, mptcp_join_token_unknown = 0; Linux:
#   MPJoinSynAckRx >= 2, no HMAC failures, no DSSNotMatching; the echo is
#   byte-identical.
#
# usage: mptcp_join_engines.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_join_engines.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-20000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.97.0
NET2=10.98.0
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

[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs two cores"; exit $SKIP; }
# A source port P whose first subflow's 4-tuple belongs to engine $1 and
# whose join's 4-tuple to the other one (as mpdk's redirect_owner()
# computes for a port without RSS).
pick_port() {
	"$PYTHON" - "$1" "$NET" "$NET2" "$PORT" <<'PY'
import sys, socket
KEY = bytes([0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
             0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
             0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa])
def toeplitz(data):
    k, n, r = int.from_bytes(KEY, "big"), len(KEY) * 8, 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                r ^= (k >> (n - 32 - (i * 8 + b))) & 0xffffffff
    return r
def h(src, dst, sp, dp):
    return toeplitz(socket.inet_aton(src) + socket.inet_aton(dst) + sp.to_bytes(2, "big") + dp.to_bytes(2, "big"))
# Microsoft's RSS verification table, first row: the hash is the right one
assert h("66.9.149.187", "161.142.100.80", 2794, 1766) == 0x51ccc178
home, net, net2, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
for p in range(40000, 60000):
    # Linux's `subflow` endpoint joins from its second address to our
    # first one (the connection's remote address), over the second link
    if h(net + ".1", net + ".2", p, port) % 2 == home and h(net2 + ".1", net + ".2", p, port) % 2 != home:
        print(p)
        break
PY
}

start_echo -l "${MPDK_ENGINES_LCORES:-0-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" \
	--vdev "net_af_packet1,iface=$V2_MPDK" -- --addr "0:$NET.2/24" --addr "1:$NET2.2/24" \
	--engines 2 -p "$PORT" --stats --duration 170 || exit 1
in_ns nstat -n >/dev/null 2>&1
for home in 1 0; do
	P=$(pick_port $home)
	[ -n "$P" ] || { fail "no port for home engine $home"; continue; }
	in_ns sysctl -qw net.ipv4.ip_local_port_range="$P $P" ||
		{ fail "cannot set ip_local_port_range to $P $P"; continue; }
	log "Linux MPTCP client from port $P (home engine $home, join on engine $((1 - home))): $BYTES bytes to $NET.2:$PORT and back"
	out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client mptcp "$NET.2" "$PORT" "$BYTES" 60 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "Linux MPTCP client (home $home): exit status $rc"
	sleep 1
done
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
for c in MPTcpExtMPCapableSYNACKRX MPTcpExtMPJoinSynAckRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -ge 2 ] || fail "Linux: $c = ${v:-0}, want >= 2"
done
for c in MPTcpExtMPJoinAckHMacFailure MPTcpExtMPJoinSynAckHMacFailure MPTcpExtDSSNotMatching \
	MPTcpExtDataCsumErr MPTcpExtMPCapableFallbackSYNACK MPTcpExtInfiniteMapRx MPTcpExtMPFailRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -eq 0 ] || fail "Linux: $c = $v, want 0"
done
stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
for c in mptcp_established mptcp_join_ack_rx engine_redirect_added; do
	v=$(echo_counter $c)
	[ "$v" -ge 2 ] || fail "mpdk: $c = $v, want >= 2"
done
# home 1: engine 0 receives the join and hands it over; home 0: engine 0
# is the home itself and keeps the 4-tuple from its hash owner (entry)
v=$(echo_counter engine_join_handover)
[ "$v" -ge 1 ] || fail "mpdk: engine_join_handover = $v, want >= 1"
v=$(echo_counter engine_redirect_tx)
[ "$v" -gt 100 ] || fail "mpdk: engine_redirect_tx = $v, want > 100 (software steering)"
for c in mptcp_join_ack_hmac_fail mptcp_dss_bad_map mptcp_dss_csum_bad mptcp_join_token_unknown; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
log "mpdk: engine_join_handover $(echo_counter engine_join_handover) engine_redirect_tx $(echo_counter engine_redirect_tx)" \
	"engine_tx_via_engine0 $(echo_counter engine_tx_via_engine0) mptcp_join_ack_rx $(echo_counter mptcp_join_ack_rx)" \
	"mptcp_rx_data_ooo $(echo_counter mptcp_rx_data_ooo) tcp_retransmits $(echo_counter tcp_retransmits)"
log "took $(($(date +%s) - T0)) s"
finish
