#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Operations (issue 6 item 5): DPDK packet capture of a running mpdk-echo.
# Linux in a network namespace pings mpdk-echo (net_af_packet on a veth
# pair) while dpdk-dumpcap, a secondary DPDK process, captures mpdk's
# ethdev port through the pdump framework (mpdk serves it: rte_pdump_init
# while a stack exists). tshark must then read the ICMP echo requests and
# mpdk's replies from the pcapng file. Twice: by port name, and by port
# index with a capture filter (BPF, run in mpdk's process).
#
# Memory: a secondary process maps the primary's memory, which only works
# when that memory is hugepage-backed: with a --no-huge primary
# dpdk-dumpcap stops at "EAL: Cannot get hugepage information" (the
# primary is unaffected). So mpdk-echo runs here on 2 MB hugepages: the
# test reserves 256 of them (vm.nr_hugepages) and mounts a private
# hugetlbfs for --huge-dir, and restores both on exit. dpdk-dumpcap needs
# only --file-prefix: it finds the hugepages through the primary.
#
# The test runs in a mount namespace of its own (see ops_lib.sh).
#
# usage: ops_dumpcap.sh PATH/TO/mpdk-echo   (root; exit 77 = skipped)
ECHO=${1:?usage: ops_dumpcap.sh PATH/TO/mpdk-echo}
. "$(dirname "$0")/ops_lib.sh"
ops_reexec_private_mounts "$0" "$@"
. "$(dirname "$0")/lib.sh"
require_netns
[ -n "$DUMPCAP" ] || { echo "SKIP: dpdk-dumpcap not installed"; exit $SKIP; }
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit $SKIP; }
NET=10.85.0
PAGES=256

ops_hugepages $PAGES
setup_veth "$NET" || exit 1
start_echo -l "${MPDK_LCORE:-1}" --no-pci -m 256 --huge-dir "$HUGE_DIR" --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" -- \
	--addr "0:$NET.2/24" --stats --duration 150 || exit 1
MAC=$(echo_mac 0)

# capture NAME FILE COUNT [dumpcap options]: capture while Linux pings.
capture() {
	local name=$1 file=$2 count=$3
	shift 3
	in_ns ping -c 60 -i 0.2 -W 1 "$NET.2" >"$WORK/ping-$name.log" 2>&1 &
	local ping=$!
	CLEANUPS+=("kill $ping")
	local t0 rc=0
	t0=$(date +%s)
	timeout 20 "$DUMPCAP" --file-prefix "$TAG" -c "$count" -w "$file" "$@" \
		>"$WORK/dumpcap-$name.log" 2>&1 || rc=$?
	kill "$ping" 2>/dev/null
	wait "$ping" 2>/dev/null
	log "dpdk-dumpcap $* -c $count: exit $rc after $(($(date +%s) - t0)) s:" \
		"$(grep -E '^Packets (captured|received)' "$WORK/dumpcap-$name.log" | tr '\n' ' ')"
	if [ $rc -ne 0 ]; then
		fail "dpdk-dumpcap $* exited with status $rc"
		cat "$WORK/dumpcap-$name.log"
		return 1
	fi
}

# icmp_check FILE WANT_FRAMES: the file holds at least WANT_FRAMES frames
# (dpdk-dumpcap checks -c per burst, so a burst may carry it past the count),
# among them echo requests to mpdk and echo replies from mpdk's MAC.
icmp_check() {
	local f=$1 want=$2 n req rep
	[ -s "$f" ] || { fail "$f: missing or empty"; return; }
	n=$(tshark -n -r "$f" 2>/dev/null | wc -l)
	req=$(tshark -n -r "$f" -Y "icmp.type == 8 && ip.dst == $NET.2" 2>/dev/null | wc -l)
	rep=$(tshark -n -r "$f" -Y "icmp.type == 0 && ip.src == $NET.2 && eth.src == $MAC" 2>/dev/null | wc -l)
	log "$(basename "$f"): $n frames, $req echo requests, $rep echo replies from mpdk"
	tshark -n -r "$f" 2>/dev/null | head -8
	[ "$n" -ge "$want" ] || fail "$f: $n frames, want >= $want"
	[ "$req" -ge 2 ] || fail "$f: $req echo requests to $NET.2, want >= 2"
	[ "$rep" -ge 2 ] || fail "$f: $rep echo replies from mpdk, want >= 2"
}

# 1. by port name, everything
if capture name "$WORK/byname.pcapng" 6 -i net_af_packet0; then
	icmp_check "$WORK/byname.pcapng" 6
fi
# 2. by port index, with a capture filter: only mpdk's echo replies
if capture index "$WORK/byindex.pcapng" 4 -i 0 -f "icmp and src host $NET.2"; then
	f="$WORK/byindex.pcapng"
	n=$(tshark -n -r "$f" 2>/dev/null | wc -l)
	rep=$(tshark -n -r "$f" -Y "icmp.type == 0 && ip.src == $NET.2 && eth.src == $MAC" 2>/dev/null | wc -l)
	log "$(basename "$f"): $n frames, $rep echo replies from mpdk"
	# at least 4 (see icmp_check), and the filter let through nothing else
	if [ "$n" -lt 4 ] || [ "$rep" -ne "$n" ]; then
		fail "$f: want >= 4 frames, all echo replies from mpdk"
	fi
fi

# mpdk keeps answering after the captures ended (callbacks removed)
out=$(in_ns ping -c 3 -i 0.2 -W 2 "$NET.2" 2>&1)
echo "$out" | grep -q ' 3 received' || fail "ping after the captures: $(echo "$out" | tail -2)"
stop_echo
rx=$(echo_counter port_rx_frames)
drops=$(echo_counter port_tx_drops)
log "counters: port_rx_frames $rx icmp_echo_requests $(echo_counter icmp_echo_requests)" \
	"icmp_echo_replies_sent $(echo_counter icmp_echo_replies_sent) port_tx_drops $drops"
[ "$drops" -eq 0 ] || fail "port_tx_drops $drops during capture"
finish
