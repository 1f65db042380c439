#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux in a network namespace pings mpdk-echo through a veth pair; mpdk
# drives the root-namespace end with net_af_packet. Checks ARP (Linux's
# neighbour entry holds mpdk's MAC), ping replies from every --addr, a clean
# stop, the counters and the --pcap file (with tshark when installed).
#
# usage: af_packet.sh PATH/TO/mpdk-echo   (root; exit 77 = skipped)
ECHO=${1:?usage: af_packet.sh PATH/TO/mpdk-echo}
. "$(dirname "$0")/lib.sh"
require_netns

V_MPDK="mpv$$m"        # root ns, driven by mpdk (no IP)
V_LNX="mpv$$l"         # in the netns, Linux's end
NET=10.77.0
ip link add "$V_MPDK" type veth peer name "$V_LNX" || exit 1
CLEANUPS+=("ip link del $V_MPDK")
ip link set "$V_LNX" netns "$NS"
ip -n "$NS" addr add "$NET.1/24" dev "$V_LNX"
ip -n "$NS" link set "$V_LNX" up
sysctl -qw "net.ipv6.conf.$V_MPDK.disable_ipv6=1" 2>/dev/null || true
ip link set "$V_MPDK" up
# veth leaves checksums to the receiver unless told otherwise; mpdk is the
# receiver here and expects complete checksums.
ethtool -K "$V_MPDK" tx off >/dev/null
in_ns ethtool -K "$V_LNX" tx off >/dev/null

start_echo -l 1 --no-huge --no-pci -m 512 --file-prefix "$TAG" --log-level lib.eal:warning \
	--vdev "net_af_packet0,iface=$V_MPDK" -- \
	--addr "0:$NET.2/24" --addr "0:$NET.3/24" --stats --pcap "$WORK/echo.pcap" --duration 120 || exit 1
MAC=$(echo_mac 0)
want_mac=$(cat "/sys/class/net/$V_MPDK/address")
[ "$MAC" = "$want_mac" ] || fail "mpdk reports MAC '$MAC', the veth has $want_mac"

ping_all "$V_LNX" "$MAC" "$NET.2" "$NET.3"
stop_echo

req=$(echo_counter icmp_echo_requests)
rep=$(echo_counter icmp_echo_replies_sent)
arp=$(echo_counter arp_replies_sent)
log "counters: icmp_echo_requests $req icmp_echo_replies_sent $rep arp_replies_sent $arp"
[ "$req" -ge 6 ] && [ "$rep" -ge 6 ] || fail "echo counters: $req requests, $rep replies (want >= 6)"
[ "$arp" -ge 2 ] || fail "arp_replies_sent $arp (want >= 2: one per address)"

if command -v tshark >/dev/null; then
	n=$(tshark -r "$WORK/echo.pcap" -Y "icmp.type == 0 && eth.src == $MAC" 2>/dev/null | wc -l)
	a=$(tshark -r "$WORK/echo.pcap" -Y "arp.opcode == 2 && arp.src.hw_mac == $MAC" 2>/dev/null | wc -l)
	log "pcap: $n echo replies, $a ARP replies from mpdk"
	[ "$n" -ge 6 ] || fail "pcap holds $n echo replies from mpdk (want >= 6)"
	[ "$a" -ge 2 ] || fail "pcap holds $a ARP replies from mpdk (want >= 2)"
	bad=$(tshark -r "$WORK/echo.pcap" -o ip.check_checksum:TRUE \
		-Y "_ws.expert.severity >= warning" 2>/dev/null | wc -l)
	[ "$bad" -eq 0 ] || fail "tshark finds $bad frames with expert warnings"
fi
finish
