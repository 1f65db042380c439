#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Operations (issue 6 item 5, "Done means": dpdk-telemetry.py and
# dpdk-dumpcap work against a running mpdk-perf). mpdk-perf -s serves one
# iperf3 test to Linux in a network namespace (net_af_packet on a veth
# pair; "mptcpize run iperf3" when the kernel has MPTCP, so the test
# connections are MPTCP; plain iperf3 otherwise). While data flows:
#  - /mpdk/conns lists ESTABLISHED connections on port 5201 with bytes
#    received and an RTT estimate;
#  - /mpdk/subflows lists their subflows (MPTCP only);
#  - /mpdk/stats counts TCP segments, /mpdk/drops answers;
#  - dpdk-dumpcap captures 200 TCP frames of port 5201 (with a capture
#    filter) that tshark dissects (MPTCP options when MPTCP is on).
#    dpdk-dumpcap stops after the burst that reaches the count, so the
#    file may hold a few more.
# Then the iperf3 test must still complete on both sides.
# mpdk-perf runs on 2 MB hugepages so that dpdk-dumpcap can attach (see
# ops_dumpcap.sh); the test runs in a mount namespace of its own.
#
# usage: ops_perf.sh PATH/TO/mpdk-perf   (root; exit 77 = skipped)
PERF=${1:?usage: ops_perf.sh PATH/TO/mpdk-perf}
. "$(dirname "$0")/ops_lib.sh"
ops_reexec_private_mounts "$0" "$@"
. "$(dirname "$0")/lib.sh"
require_netns
require_python
[ -n "$TEL" ] || { echo "SKIP: dpdk-telemetry.py not installed"; exit $SKIP; }
[ -n "$DUMPCAP" ] || { echo "SKIP: dpdk-dumpcap not installed"; exit $SKIP; }
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 not installed"; exit $SKIP; }
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit $SKIP; }
NET=10.86.0
MP=$NET.2
DUR=10
WRAP=()
MPTCP=0
if command -v mptcpize >/dev/null && in_ns sysctl -qw net.mptcp.enabled=1 2>/dev/null; then
	WRAP=(mptcpize run)
	MPTCP=1
fi

ops_hugepages 256
setup_veth "$NET" || exit 1
"$PERF" -l "${MPDK_LCORE:-1}" --no-pci -m 256 --huge-dir "$HUGE_DIR" --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" -- \
	--addr "0:$MP/24" -s -1 --timeout 20 >"$WORK/echo.log" 2>&1 &   # lib.sh's finish shows it
MPDK_PID=$!
up=0
for _ in $(seq 100); do
	in_ns ping -c 1 -W 1 "$MP" >/dev/null 2>&1 && { up=1; break; }
	kill -0 "$MPDK_PID" 2>/dev/null || break
	sleep 0.1
done
[ $up = 1 ] || { fail "mpdk-perf did not come up"; cat "$WORK/echo.log"; finish; }

log "Linux: ${WRAP[*]} iperf3 -c $MP -t $DUR -P 2 -b 100M"
timeout $((DUR + 40)) ip netns exec "$NS" "${WRAP[@]}" iperf3 -c "$MP" -t "$DUR" -P 2 -b 100M \
	>"$WORK/iperf3.log" 2>&1 &
IPERF=$!
CLEANUPS+=("kill $IPERF")
sleep 2

# --- telemetry while the test runs
out=$(tel /mpdk/conns,0) || fail "/mpdk/conns,0: $out"
log "/mpdk/conns,0: $(check "$out" '{k: (c["state"], c["local"], c["remote"], c["bytes_in"]) if isinstance(c, dict) else c for k, c in r.items()}')"
n=$(check "$out" 'len([c for c in r.values() if isinstance(c, dict) and c["state"] == "ESTABLISHED" and c["local"] == "'"$MP"':5201" and c["srtt_us"] > 0])')
# iperf3's control connection and its 2 data streams
[ "${n:-0}" -ge 3 ] || fail "/mpdk/conns: $n ESTABLISHED connections on $MP:5201, want >= 3"
check "$out" 'max(c["bytes_in"] for c in r.values() if isinstance(c, dict)) > 100000' >/dev/null ||
	fail "/mpdk/conns: no connection received more than 100 kB"
out=$(tel /mpdk/subflows,0) || fail "/mpdk/subflows,0: $out"
nsf=$(check "$out" 'r["total"]')
log "/mpdk/subflows,0: $nsf subflows"
if [ $MPTCP = 1 ]; then
	[ "${nsf:-0}" -ge 3 ] || fail "/mpdk/subflows: $nsf subflows, want >= 3 (MPTCP connections)"
	check "$out" '[f for f in r.values() if isinstance(f, dict) and f["bytes_in"] > 100000 and f["local"] == "'"$MP"':5201"]' >/dev/null ||
		fail "/mpdk/subflows: no subflow on $MP:5201 with data: $out"
fi
out=$(tel /mpdk/stats,0,tcp_) || fail "/mpdk/stats,0,tcp_: $out"
check "$out" 'r["tcp_rx_segs"] > 100 and r["tcp_established"] >= 3' >/dev/null ||
	fail "/mpdk/stats: want tcp_rx_segs > 100, tcp_established >= 3: $out"
out=$(tel /mpdk/drops,0) || fail "/mpdk/drops,0: $out"
log "/mpdk/drops,0 non-zero: $(check "$out" '{k: v for k, v in r.items() if v}')"

# --- dpdk-dumpcap while the test runs
rc=0
timeout 20 "$DUMPCAP" --file-prefix "$TAG" -i 0 -f "tcp port 5201" -c 200 -w "$WORK/perf.pcapng" \
	>"$WORK/dumpcap.log" 2>&1 || rc=$?
log "dpdk-dumpcap -c 200: exit $rc: $(grep -E '^Packets received' "$WORK/dumpcap.log")"
if [ $rc -ne 0 ]; then
	fail "dpdk-dumpcap exited with status $rc"
	cat "$WORK/dumpcap.log"
else
	n=$(tshark -n -r "$WORK/perf.pcapng" 2>/dev/null | wc -l)
	t=$(tshark -n -r "$WORK/perf.pcapng" -Y "tcp.port == 5201 && ip.addr == $MP" 2>/dev/null | wc -l)
	m=$(tshark -n -r "$WORK/perf.pcapng" -Y "tcp.option_kind == 30" 2>/dev/null | wc -l)
	log "perf.pcapng: $n frames, $t TCP on port 5201, $m with MPTCP options"
	# dpdk-dumpcap stops after the burst that reached the count
	[ "$n" -ge 200 ] && [ "$t" -eq "$n" ] || fail "perf.pcapng: want >= 200 frames, all TCP port 5201"
	if [ $MPTCP = 1 ]; then
		[ "$m" -ge 100 ] || fail "perf.pcapng: $m frames with MPTCP options, want most"
	fi
fi

# --- the test completes
wait "$IPERF"
rc=$?
[ $rc -eq 0 ] || { fail "iperf3 -c exited with status $rc"; cat "$WORK/iperf3.log"; }
grep -E 'sender|receiver' "$WORK/iperf3.log" | tail -2
for _ in $(seq 100); do kill -0 "$MPDK_PID" 2>/dev/null || break; sleep 0.1; done
kill -INT "$MPDK_PID" 2>/dev/null
wait "$MPDK_PID"
rc=$?
MPDK_PID=""
[ $rc -eq 0 ] || { fail "mpdk-perf -s -1 exited with status $rc"; tail -20 "$WORK/echo.log"; }
finish
