#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, MPTCP v1 (RFC 8684) path manager signals against Linux's kernel
# MPTCP, over TWO veth pairs (net_af_packet), one MODE per run:
#
#   c_rx    RFC 8684 §3.1, flag C received. Linux is the server with
#           `sysctl net.mptcp.allow_join_initial_addr_port=0` (its SYN/ACK
#           carries C) and a `signal` endpoint on its second address;
#           mpdk-echo -c has a `subflow` endpoint on its second address.
#           mpdk must join only the announced address, never Linux's
#           initial one: every MP_JOIN SYN in mpdk's capture goes to the
#           signal address (tshark), mpdk counts mptcp_join_peer_c_skipped,
#           and the echo is byte-identical.
#   c_tx    RFC 8684 §3.1, flag C sent. mpdk-echo is the server with
#           --deny-join-initial and a `signal` endpoint on its second
#           address; the Linux client has a `subflow` endpoint. The SYN/ACK
#           carries C (tshark: nomoresubflows flag), Linux joins only the
#           announced address (every MP_JOIN SYN goes there), Linux counts
#           MPJoinSynAckRx, and the echo is byte-identical.
#   rm_addr RFC 8684 §3.4.2, REMOVE_ADDR sent. mpdk-echo is the server with
#           a `signal` endpoint on its second address; the Linux client
#           joins the announced address; a third of the way through a 20 MB
#           echo mpdk-echo removes the endpoint (--remove-addr-after):
#           Linux's nstat MPTcpExtRmAddr increments, the subflow from that
#           address closes (FIN from it in the capture, mpdk counts
#           mptcp_endpoint_removed), and the echo completes identical.
#
# usage: mptcp_pm.sh PATH/TO/mpdk-echo MODE [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_pm.sh PATH/TO/mpdk-echo c_rx|c_tx|rm_addr [BYTES]}
MODE=${2:?usage: mptcp_pm.sh PATH/TO/mpdk-echo c_rx|c_tx|rm_addr [BYTES]}
BYTES=${3:-20000000}
. "$(dirname "$0")/lib.sh"
case "$MODE" in c_rx | c_tx | rm_addr) ;; *) echo "unknown mode $MODE"; exit 2 ;; esac
require_netns
require_python
NET=10.97.0
NET2=10.98.0
PORT=5001
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
setup_veth "$NET" || exit 1
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

. "$(dirname "$0")/mptcp_peer.inc"
write_mptcp_peer
nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
EAL=(-l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" --log-level lib.eal:warning
	--vdev "net_af_packet0,iface=$V_MPDK" --vdev "net_af_packet1,iface=$V2_MPDK")
STACK=(--addr "0:$NET.2/24" --addr "1:$NET2.2/24" --stats --pcap "$WORK/mpdk.pcap")
# MP_JOIN SYNs (subtype 1, SYN without ACK) in the capture: "dst" per line
join_syn_dsts() {
	tshark -n -r "$WORK/mpdk.pcap" -Y 'tcp.options.mptcp.subtype == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0' \
		-T fields -e ip.dst 2>/dev/null
}
# value of the C flag in the MP_CAPABLE SYN/ACK sent by $1
synack_c() {
	tshark -n -r "$WORK/mpdk.pcap" -Y "ip.src == $1 && tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.mptcp.subtype == 0" \
		-T fields -e tcp.options.mptcp.nomoresubflows.flag 2>/dev/null | head -1
}
# every MP_JOIN SYN goes to $1 (and there is at least one)
check_joins_only_to() {
	command -v tshark >/dev/null 2>&1 || { log "tshark not installed: joins not checked"; return 0; }
	local d n=0 bad=0
	for d in $(join_syn_dsts); do
		n=$((n + 1))
		[ "$d" = "$1" ] || { bad=$((bad + 1)); log "MP_JOIN SYN to $d"; }
	done
	log "tshark: $n MP_JOIN SYN(s), $bad not to $1"
	[ $n -ge 1 ] || fail "no MP_JOIN SYN in the capture"
	[ $bad -eq 0 ] || fail "$bad MP_JOIN SYN(s) to another address than $1 (the initial one?)"
}

in_ns nstat -n >/dev/null 2>&1
case "$MODE" in
c_rx)
	in_ns sysctl -qw net.mptcp.allow_join_initial_addr_port=0 ||
		{ echo "SKIP: no net.mptcp.allow_join_initial_addr_port"; exit $SKIP; }
	in_ns ip mptcp endpoint add "$NET2.1" dev "$V2_LNX" signal
	in_ns "$PYTHON" "$WORK/mptcp_peer.py" server mptcp "$PORT" "$WORK/ready" 120 >"$WORK/server.log" 2>&1 &
	SRV=$!
	CLEANUPS+=("kill $SRV")
	for _ in $(seq 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	log "mpdk-echo client (subflow endpoint $NET2.2) -> Linux server with C set, signal $NET2.1"
	timeout 150 "$ECHO" "${EAL[@]}" -- "${STACK[@]}" --endpoint "$NET2.2,subflow" \
		-c "$NET.1" -p "$PORT" -n "$BYTES" --timeout 120 >"$WORK/echo.log" 2>&1
	rc=$?
	grep -E '^mpdk-echo' "$WORK/echo.log"
	[ $rc -eq 0 ] || fail "mpdk-echo client: exit status $rc"
	wait $SRV 2>/dev/null
	cat "$WORK/server.log"
	c=$(synack_c "$NET.1")
	log "Linux's SYN/ACK: C flag '$c'"
	[ -z "$c" ] || [ "$c" = 1 ] || [ "$c" = True ] || fail "Linux's SYN/ACK has C = '$c', want 1"
	check_joins_only_to "$NET2.1"
	v=$(echo_counter mptcp_join_peer_c_skipped)
	[ "$v" -ge 1 ] || fail "mpdk: mptcp_join_peer_c_skipped = $v, want >= 1"
	v=$(nstat_ns MPTcpExtMPJoinSynRx)
	[ "${v:-0}" -ge 1 ] || fail "Linux: MPTcpExtMPJoinSynRx = ${v:-0}, want >= 1"
	;;
c_tx | rm_addr)
	in_ns ip rule add from "$NET2.1" table 100
	in_ns ip route add default via "$NET2.2" dev "$V2_LNX" table 100
	extra=(--endpoint "$NET2.2,signal")
	if [ "$MODE" = c_tx ]; then
		in_ns ip mptcp endpoint add "$NET2.1" dev "$V2_LNX" subflow
		extra+=(--deny-join-initial)
	else
		extra+=(--remove-addr-after "$((BYTES / 3)):$NET2.2")
	fi
	start_echo "${EAL[@]}" -- "${STACK[@]}" "${extra[@]}" -p "$PORT" --duration 170 || exit 1
	log "Linux MPTCP client: $BYTES bytes to $NET.2:$PORT and back (mpdk signals $NET2.2)"
	out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client mptcp "$NET.2" "$PORT" "$BYTES" 60 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "Linux MPTCP client: exit status $rc"
	stop_echo
	grep -E '^mpdk-echo: (tcp|endpoint|removing)' "$WORK/echo.log"
	v=$(nstat_ns MPTcpExtMPJoinSynAckRx)
	[ "${v:-0}" -ge 1 ] || fail "Linux: MPTcpExtMPJoinSynAckRx = ${v:-0}, want >= 1 (joined $NET2.2)"
	if [ "$MODE" = c_tx ]; then
		c=$(synack_c "$NET.2")
		log "mpdk's SYN/ACK: C flag '$c'"
		command -v tshark >/dev/null 2>&1 && { [ "$c" = 1 ] || [ "$c" = True ] ||
			fail "mpdk's SYN/ACK: C flag '$c', want 1"; }
		check_joins_only_to "$NET2.2"
		v=$(echo_counter mptcp_join_initial_refused)
		[ "$v" -eq 0 ] || fail "mpdk: mptcp_join_initial_refused = $v: Linux tried the initial address"
	else
		grep -q "^mpdk-echo: endpoint $NET2.2 removed after [0-9]* bytes: REMOVE_ADDR on 1 connection" \
			"$WORK/echo.log" || fail "mpdk-echo did not report the removal"
		v=$(nstat_ns MPTcpExtRmAddr)
		[ "${v:-0}" -ge 1 ] || fail "Linux: MPTcpExtRmAddr = ${v:-0}, want >= 1"
		for c in mptcp_rm_addr_tx mptcp_endpoint_removed; do
			v=$(echo_counter $c)
			[ "$v" -ge 1 ] || fail "mpdk: $c = $v, want >= 1"
		done
		if command -v tshark >/dev/null 2>&1; then
			n=$(tshark -n -r "$WORK/mpdk.pcap" -Y "ip.src == $NET.2 && tcp.options.mptcp.subtype == 4" 2>/dev/null | wc -l)
			log "tshark: $n REMOVE_ADDR frame(s) from $NET.2"
			[ "$n" -ge 1 ] || fail "no REMOVE_ADDR from $NET.2 in the capture"
			n=$(tshark -n -r "$WORK/mpdk.pcap" -Y "ip.src == $NET2.2 && tcp.flags.fin == 1" 2>/dev/null | wc -l)
			[ "$n" -ge 1 ] || fail "the subflow from $NET2.2 was not closed (no FIN from it)"
		fi
	fi
	;;
esac
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
for c in MPTcpExtMPJoinAckHMacFailure MPTcpExtMPJoinSynAckHMacFailure MPTcpExtDSSNotMatching \
	MPTcpExtDataCsumErr MPTcpExtInfiniteMapRx MPTcpExtMPFailRx; do
	v=$(nstat_ns $c)
	[ "${v:-0}" -eq 0 ] || fail "Linux: $c = $v, want 0"
done
for c in mptcp_dss_bad_map mptcp_dss_csum_bad mptcp_join_ack_hmac_fail mptcp_join_synack_hmac_fail; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
# Wireshark counts flag C (0x20) with the crypto algorithm bits and flags
# the MP_CAPABLE that carries it "Unsupported algorithm" (Linux's own
# SYN/ACK too): those frames are left out of the expert check.
if [ "$MODE" != rm_addr ] && command -v tshark >/dev/null 2>&1; then
	tshark -n -r "$WORK/mpdk.pcap" -Y '!(tcp.options.mptcp.nomoresubflows.flag == 1)' \
		-w "$WORK/check.pcap" 2>/dev/null
	log "tshark: $(tshark -n -r "$WORK/mpdk.pcap" -Y 'tcp.options.mptcp.nomoresubflows.flag == 1' 2>/dev/null | wc -l)" \
		"MP_CAPABLE frame(s) with C left out of the expert check"
	check_mptcp_pcap "$WORK/check.pcap"
else
	check_mptcp_pcap "$WORK/mpdk.pcap"
fi
log "took $(($(date +%s) - T0)) s"
finish
