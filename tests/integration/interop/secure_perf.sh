#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, issue 5 item 6: mpdk-perf -c --key-mode ec-preferred against
# Linux's iperf3 -s under "mptcpize run" (kernel MPTCP). Linux ignores the
# EC SYN, mpdk-perf falls back to RFC 8684 (remembered), and its report
# says which key mode and curve each connection ended up with: the text
# report ("keys rfc8684 (fell back from ec-preferred...)") and the JSON
# (start.connected[].key_mode = "rfc8684", key_mode_configured =
# "ec-preferred", key_fell_back = true, curve = "none").
#
# usage: secure_perf.sh PATH/TO/mpdk-perf   (root; exit 77 = skipped)
PERF=${1:?usage: secure_perf.sh PATH/TO/mpdk-perf}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 not installed"; exit $SKIP; }
command -v mptcpize >/dev/null || { echo "SKIP: mptcpize not installed"; exit $SKIP; }
in_ns sysctl -qw net.mptcp.enabled=1 2>/dev/null ||
	{ echo "SKIP: no kernel MPTCP (net.mptcp.enabled)"; exit $SKIP; }
NET=10.101.0
T0=$(date +%s)
setup_veth "$NET" || exit 1
LNX=$NET.1
MP=$NET.2
EAL=(-l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG"
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK")
wait_port() {
	for _ in $(seq 50); do
		in_ns ss -ltn 2>/dev/null | grep -q ":$1 " && return 0
		sleep 0.1
	done
	return 1
}
run() { # NAME MPDK-PERF-ARGS...
	local name=$1
	shift
	timeout 60 ip netns exec "$NS" mptcpize run iperf3 -s -1 >"$WORK/$name.lnx" 2>&1 &
	local ipid=$!
	wait_port 5201 || { fail "[$name] iperf3 -s did not listen"; kill $ipid; return 1; }
	timeout 60 "$PERF" "${EAL[@]}" -- --addr "0:$MP/24" --key-mode ec-preferred --curve secp256r1 \
		--stats -c "$LNX" --timeout 10 -t 2 "$@" >"$WORK/$name.mpdk" 2>"$WORK/$name.err"
	local rc=$?
	wait $ipid
	[ $rc -eq 0 ] || { fail "[$name] mpdk-perf -c exited with $rc"; cat "$WORK/$name.mpdk" "$WORK/$name.err"; return 1; }
}
if run text; then
	grep -E '^\[ *[0-9]+\] MPTCP' "$WORK/text.mpdk" | head -3
	grep -qE '^\[ *[0-9]+\] MPTCP, 1 subflow.*, keys rfc8684 \(fell back from ec-preferred' "$WORK/text.mpdk" ||
		fail "[text] no 'MPTCP ..., keys rfc8684 (fell back from ec-preferred' line"
	v=$(awk '$1 == "ec_fallback_restart" { print $2 }' "$WORK/text.mpdk")
	[ "${v:-0}" -eq 1 ] || fail "[text] ec_fallback_restart = ${v:-0}, want 1"
fi
if run json -J; then
	"$PYTHON" - "$WORK/json.mpdk" <<'PY' || fail "[json] key fields"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["start"]["connected"]
ok = len(c) > 0
for e in c:
    print("  connected:", {k: e.get(k) for k in ("mptcp", "key_mode", "key_mode_configured", "curve", "ec_variant", "key_fell_back")})
    ok &= e.get("key_mode") == "rfc8684" and e.get("key_mode_configured") == "ec-preferred"
    ok &= e.get("key_fell_back") is True and e.get("curve") == "none"
sys.exit(0 if ok else 1)
PY
fi
log "took $(($(date +%s) - T0)) s"
finish
