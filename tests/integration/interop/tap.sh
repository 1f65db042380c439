#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Linux in a network namespace pings mpdk-echo through net_tap: the PMD
# creates a tap interface in the root namespace, which the test moves into
# its own namespace once mpdk runs. Checks ARP (Linux's neighbour entry holds
# mpdk's MAC), ping replies from every --addr and a clean stop.
#
# usage: tap.sh PATH/TO/mpdk-echo   (root; exit 77 = skipped)
ECHO=${1:?usage: tap.sh PATH/TO/mpdk-echo}
. "$(dirname "$0")/lib.sh"
require_netns
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit $SKIP; }

TAP="mpdktap$$"
NET=10.78.0
# The tap PMD deletes its interface when mpdk stops (wherever it lives).
CLEANUPS+=("ip link del $TAP" "ip -n $NS link del $TAP")

start_echo -l 1 --no-huge --no-pci -m 512 --file-prefix "$TAG" --log-level lib.eal:warning \
	--vdev "net_tap0,iface=$TAP" -- \
	--addr "0:$NET.2/24" --addr "0:$NET.3/24" --stats --duration 120 || exit 1
MAC=$(echo_mac 0)
[ -n "$MAC" ] || fail "no MAC in the start-up line"

ip link set "$TAP" netns "$NS" || exit 1
# The tap PMD gives the kernel side the same MAC as the port; give Linux its
# own so the neighbour entry shows mpdk's MAC and not Linux's.
ip -n "$NS" link set "$TAP" address 02:00:00:77:78:01
ip -n "$NS" addr add "$NET.1/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up
in_ns ethtool -K "$TAP" tx off >/dev/null 2>&1 || true
in_ns sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null || true

ping_all "$TAP" "$MAC" "$NET.2" "$NET.3"
stop_echo

req=$(echo_counter icmp_echo_requests)
rep=$(echo_counter icmp_echo_replies_sent)
log "counters: icmp_echo_requests $req icmp_echo_replies_sent $rep"
[ "$req" -ge 6 ] && [ "$rep" -ge 6 ] || fail "echo counters: $req requests, $rep replies (want >= 6)"
finish
