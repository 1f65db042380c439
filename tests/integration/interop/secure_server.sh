#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, key mode ec-preferred (issue 5 item 3, docs/security.md) with
# Linux as the SERVER: mpdk-echo -c --key-mode ec-preferred offers the EC
# point exchange (a long MP_CAPABLE with flag E on its SYN). Linux skips
# an MP_CAPABLE of unexpected length and answers as plain TCP; mpdk resets
# that attempt, reconnects with RFC 8684's SYN, remembers the peer, and
# ends with MPTCP: Linux's ADD_ADDR (signal endpoint) is checked and
# echoed and mpdk joins the announced address, both subflows carry data.
# Checked: mpdk's report says "keys: rfc8684 (fell back from
# ec-preferred)", ec_fallback_restart = 1, the rest as mptcp_server.sh
# (Linux's nstat, mpdk counters, tshark).
#
# usage: secure_server.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: secure_server.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-20000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.97.0
NET2=10.98.0
PORT=5001
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
in_ns ip mptcp endpoint add "$NET2.1" dev "$V2_LNX" signal

. "$(dirname "$0")/mptcp_peer.inc"
write_mptcp_peer
nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

in_ns nstat -n >/dev/null 2>&1
in_ns "$PYTHON" "$WORK/mptcp_peer.py" server mptcp "$PORT" "$WORK/ready" 120 >"$WORK/server.log" 2>&1 &
SRV=$!
CLEANUPS+=("kill $SRV")
for _ in $(seq 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done

log "mpdk-echo client: $BYTES bytes to $NET.1:$PORT (Linux MPTCP server, signal endpoint $NET2.1)"
timeout 150 "$ECHO" -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" \
	--vdev "net_af_packet1,iface=$V2_MPDK" -- --addr "0:$NET.2/24" --addr "1:$NET2.2/24" \
	--stats --key-mode ec-preferred --curve secp224r1 --pcap "$WORK/client.pcap" -c "$NET.1" -p "$PORT" -n "$BYTES" --timeout 120 \
	>"$WORK/echo.log" 2>&1
rc=$?
grep -E '^mpdk-echo' "$WORK/echo.log"
[ $rc -eq 0 ] || { fail "mpdk-echo client: exit status $rc"; tail -20 "$WORK/echo.log"; }
wait $SRV 2>/dev/null
cat "$WORK/server.log"
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
for c in MPTcpExtMPCapableSYNRX MPTcpExtMPJoinSynRx MPTcpExtMPJoinAckRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -gt 0 ] || fail "Linux: $c = ${v:-0}, want > 0"
done
for c in MPTcpExtMPJoinAckHMacFailure MPTcpExtDSSNotMatching MPTcpExtDataCsumErr \
	MPTcpExtMPCapableFallbackACK MPTcpExtInfiniteMapRx MPTcpExtMPFailRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -eq 0 ] || fail "Linux: $c = $v, want 0"
done
# issue 4 item 8: the client reports the subflows it used, each with its
# addresses and the bytes it carried
grep -q '^mpdk-echo: mptcp: yes, DSS checksum off, 2 subflow(s) used' "$WORK/echo.log" ||
	fail "mpdk-echo: no 'mptcp: yes ... 2 subflow(s) used' line"
sf_out() { # bytes out of the subflow line to $1
	grep -E "^mpdk-echo: subflow [0-9]+: [0-9.]+:[0-9]+ -> $1:$PORT " "$WORK/echo.log" |
		sed -E 's/.*bytes out ([0-9]+) in ([0-9]+).*/\1/' | head -1
}
b1=$(sf_out "$NET.1")
b2=$(sf_out "$NET2.1")
grep -qE "^mpdk-echo: subflow 1: $NET.2:[0-9]+ -> $NET.1:$PORT .*, initial" "$WORK/echo.log" ||
	fail "mpdk-echo: no report of the initial subflow $NET.2 -> $NET.1"
[ "${b1:-0}" -gt 0 ] && [ "${b2:-0}" -gt 0 ] ||
	fail "mpdk-echo: subflow report: bytes out path 1 '${b1:-}', path 2 '${b2:-}', want both > 0"
[ $(( ${b1:-0} + ${b2:-0} )) -ge "$BYTES" ] ||
	fail "mpdk-echo: subflows carried $(( ${b1:-0} + ${b2:-0} )) bytes out, fewer than $BYTES"
for c in mptcp_add_addr_rx mptcp_join_synack_rx mptcp_established; do
	v=$(echo_counter $c)
	[ "$v" -ge 1 ] || fail "mpdk: $c = $v, want >= 1"
done
for c in mptcp_add_addr_hmac_fail mptcp_join_synack_hmac_fail mptcp_dss_bad_map mptcp_dss_csum_bad; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
# issue 5 item 3: the EC attempt, the fallback, the report
grep -q '^mpdk-echo: keys: rfc8684 (fell back from ec-preferred)' "$WORK/echo.log" ||
	fail "mpdk-echo: no 'keys: rfc8684 (fell back from ec-preferred)' line"
for c in ec_active_open ec_fallback_restart; do
	v=$(echo_counter $c)
	[ "$v" -eq 1 ] || fail "mpdk: $c = $v, want 1"
done
for c in ec_established ec_required_refused_active; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk: $c = $v, want 0"
done
if command -v tshark >/dev/null 2>&1; then
	# the first SYN carried the EC MP_CAPABLE (length 5 + 28 for secp224r1),
	# Linux's SYN/ACK to it had no MPTCP option, mpdk reset it
	n_ec=$(tshark -r "$WORK/client.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.option_kind == 30 && tcp.option_len == 33' 2>/dev/null | wc -l)
	[ "$n_ec" -ge 1 ] || fail "pcap: no SYN with a 33-byte EC MP_CAPABLE"
	n_rst=$(tshark -r "$WORK/client.pcap" -Y "tcp.flags.reset == 1 && ip.src == $NET.2" 2>/dev/null | wc -l)
	[ "$n_rst" -ge 1 ] || fail "pcap: mpdk did not reset the plain-TCP answer"
fi
# The pcap holds the EC attempt too, whose SYN's MP_CAPABLE has a length
# tshark does not know (an expert note): check MPTCP from the RFC 8684
# connection on, i.e. the frames after mpdk's RST.
if command -v tshark >/dev/null 2>&1; then
	rst_frame=$(tshark -r "$WORK/client.pcap" -Y "tcp.flags.reset == 1 && ip.src == $NET.2" \
		-T fields -e frame.number 2>/dev/null | head -1)
	tshark -r "$WORK/client.pcap" -Y "frame.number > ${rst_frame:-0}" -w "$WORK/rfc8684.pcap" \
		2>/dev/null || fail "tshark could not split the pcap"
	check_mptcp_pcap "$WORK/rfc8684.pcap"
else
	check_mptcp_pcap "$WORK/client.pcap"
fi
log "took $(($(date +%s) - T0)) s"
finish
