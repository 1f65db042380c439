#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop: mpdk-perf against STOCK iperf3 (issue 4, item 8). Linux in a
# network namespace, mpdk-perf at the other end of a veth pair through
# net_af_packet. Every run must finish with a result on both sides: exit
# status 0, non-zero bytes in the summaries, results exchanged (each side
# prints the other's numbers), and -J output that parses with python3.
#
# usage: perf_iperf3.sh PATH/TO/mpdk-perf server|client|mptcpize|multipath
#   server    iperf3 -c against mpdk-perf -s: plain, -R, -P 2, -J both
#             sides, and a second client refused while a test runs
#   client    mpdk-perf -c against iperf3 -s: plain, -R, -P 2, -J, -n
#   mptcpize  through "mptcpize run iperf3" (MPTCP sockets on Linux): every
#             connection must be MPTCP on both sides, as Linux's MIB
#             (nstat: MP_CAPABLE negotiated, no fallback) and mpdk-perf's
#             JSON ("mptcp": "active" per stream) say; and mpdk-perf --tcp
#             against the MPTCP listener stays plain TCP ("off").
#   multipath two veth paths, "mptcpize run iperf3" with Linux's path
#             manager: mpdk-perf -c joins the address Linux announces
#             (signal endpoint), and Linux joins the address mpdk-perf -s
#             announces (every --addr is an endpoint by default); with
#             --scheduler roundrobin both subflows must carry data, as
#             mpdk-perf's per-subflow breakdown and Linux's MIB
#             (MPJoin*, no HMAC failure) show.
# Plain iperf3 (no MPTCP) makes mpdk's connections fall back: the -J runs
# check that mpdk-perf reports it ("fallback" as the client, "tcp" as the
# server).
# Root only (exit 77 = skipped); one busy-polling mpdk process at a time.
PERF=${1:?usage: perf_iperf3.sh PATH/TO/mpdk-perf server|client|mptcpize|multipath}
MODE=${2:?usage: perf_iperf3.sh PATH/TO/mpdk-perf server|client|mptcpize|multipath}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 not installed"; exit $SKIP; }
if [ "$MODE" = mptcpize ] || [ "$MODE" = multipath ]; then
	command -v mptcpize >/dev/null || { echo "SKIP: mptcpize not installed"; exit $SKIP; }
	in_ns sysctl -qw net.mptcp.enabled=1 2>/dev/null ||
		{ echo "SKIP: no kernel MPTCP (net.mptcp.enabled)"; exit $SKIP; }
fi
declare -F setup_veth >/dev/null || { echo "FAIL: lib.sh has no setup_veth"; exit 1; }
NET=10.83.0
DUR=${PERF_DURATION:-3}
T0=$(date +%s)
setup_veth "$NET" || exit 1
LNX=$NET.1
MP=$NET.2
RUN=0

# ------------------------------------------------------------------ checks

cat >"$WORK/check.py" <<'PY'
# check.py text FILE SIDE...: iperf3-style text summary lines for each SIDE
#   (sender/receiver) exist, every one with non-zero bytes; prints them.
# check.py json FILE STREAMS [SENT_BYTES]: one JSON document (iperf3's or
#   mpdk-perf's shape), no "error", STREAMS connected, non-empty
#   intervals, sum_sent/sum_received with bytes > 0 (sum_sent exactly
#   SENT_BYTES when given); prints one line of numbers.
# check.py jside FILE STREAMS sent|received: the same for iperf3 -s -J,
#   which fills in only its own side.
# check.py mptcp FILE WANT: every stream's "mptcp" in mpdk-perf's JSON is WANT.
# check.py subflows FILE MIN: every stream in mpdk-perf's JSON has at
#   least MIN subflows in the summary with bytes > 0; prints them.
import json, re, sys

UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}

def text(path, sides):
    lines = open(path, errors="replace").read().splitlines()
    ok = True
    for side in sides:
        got = [l for l in lines if re.match(r"^\[(SUM| *\d+)\].*\s%s$" % side, l)]
        if not got:
            print("no '%s' summary line" % side)
            ok = False
        for l in got:
            m = re.search(r"sec\s+([\d.]+) ([KMGT]?)Bytes", l)
            if not m or float(m.group(1)) * UNITS[m.group(2)] <= 0:
                print("zero bytes: " + l)
                ok = False
            else:
                print("  " + l.strip())
    return ok

def jdoc(path, streams, sent=None, sides=("sum_sent", "sum_received")):
    d = json.load(open(path))
    ok = True
    if "error" in d:
        print("error: %s" % d["error"])
        ok = False
    if len(d["start"]["connected"]) != streams:
        print("%d connected streams, want %d" % (len(d["start"]["connected"]), streams))
        ok = False
    if not d.get("intervals") and d["start"].get("test_start", {}).get("duration", 0) > 0:
        print("no intervals")
        ok = False
    e = d["end"]
    for k in sides:
        if k not in e or e[k]["bytes"] <= 0:
            print("%s missing or zero" % k)
            ok = False
    if sent is not None and e.get("sum_sent", {}).get("bytes") != sent:
        print("sum_sent %s bytes, want exactly %d" % (e.get("sum_sent", {}).get("bytes"), sent))
        ok = False
    if ok:
        s, r = e["sum_sent"], e["sum_received"]
        print("  %s: sent %d bytes in %.2f s (%.1f Mbit/s, %s retransmits), received %d bytes "
              "(%.1f Mbit/s)" % (d["start"].get("version", "?"), s["bytes"], s["seconds"],
                                 s["bits_per_second"] / 1e6, s.get("retransmits", "-"),
                                 r["bytes"], r["bits_per_second"] / 1e6))
    return ok

def mptcp(path, want):
    d = json.load(open(path))
    got = [c.get("mptcp") for c in d["start"]["connected"]]
    got += [s.get("mptcp") for s in d["end"].get("streams", [])]
    if not got or any(g != want for g in got):
        print("mptcp states %s, want all %r" % (got, want))
        return False
    return True

def subflows(path, least):
    d = json.load(open(path))
    ok = bool(d["end"].get("streams"))
    for st in d["end"].get("streams", []):
        sfs = st.get("subflows", [])
        busy = [f for f in sfs if f["bytes"] > 0]
        for f in sfs:
            print("  subflow %s:%d > %s:%d: %d bytes (%.1f%%), rtt %d us, %d retransmits%s" % (
                f["local_host"], f["local_port"], f["remote_host"], f["remote_port"], f["bytes"],
                f["share"], f["rtt"], f["retransmits"], " (initial)" if f["initial"] else ""))
        if len(busy) < least:
            print("%d subflows carried data, want %d" % (len(busy), least))
            ok = False
    return ok

if __name__ == "__main__":
    a = sys.argv
    try:
        if a[1] == "text":
            ok = text(a[2], a[3:])
        elif a[1] == "json":
            ok = jdoc(a[2], int(a[3]), int(a[4]) if len(a) > 4 else None)
        elif a[1] == "jside":
            ok = jdoc(a[2], int(a[3]), None, ("sum_" + a[4],))
        elif a[1] == "subflows":
            ok = subflows(a[2], int(a[3]))
        else:
            ok = mptcp(a[2], a[3])
    except Exception as ex:
        print("%s: %r" % (a[2], ex))
        ok = False
    sys.exit(0 if ok else 1)
PY
check() {
	local what=$1
	shift
	if ! "$PYTHON" "$WORK/check.py" "$@"; then
		fail "$what: $*"
		return 1
	fi
}

# ------------------------------------------------------------------ runners

EAL=(-l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG"
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK")
ADDRS=(--addr "0:$MP/24")
if [ "$MODE" = multipath ]; then
	# a second path: veth pair 2, $NET2.0/24
	NET2=10.84.0
	V_MPDK2="mpv$$m2"
	V_LNX2="mpv$$l2"
	ip link add "$V_MPDK2" type veth peer name "$V_LNX2" || exit 1
	CLEANUPS+=("ip link del $V_MPDK2")
	ip link set "$V_LNX2" netns "$NS" || exit 1
	sysctl -qw "net.ipv6.conf.$V_MPDK2.disable_ipv6=1" 2>/dev/null
	in_ns sysctl -qw "net.ipv6.conf.$V_LNX2.disable_ipv6=1" 2>/dev/null
	ip -n "$NS" addr add "$NET2.1/24" dev "$V_LNX2"
	ip -n "$NS" link set "$V_LNX2" up
	ip link set "$V_MPDK2" up
	for f in tx rx tso gso gro; do
		ethtool -K "$V_MPDK2" "$f" off >/dev/null 2>&1
		in_ns ethtool -K "$V_LNX2" "$f" off >/dev/null 2>&1
	done
	EAL+=(--vdev "net_af_packet1,iface=$V_MPDK2")
	ADDRS+=(--addr "1:$NET2.2/24")
	in_ns ip mptcp limits set subflow 4 add_addr_accepted 4
fi

# Wait until mpdk answers ping from the namespace (its stack is polling and
# the listener exists by then).
wait_mpdk_up() {
	local i
	for i in $(seq 100); do
		in_ns ping -c 1 -W 1 "$MP" >/dev/null 2>&1 && return 0
		kill -0 "$MPDK_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

wait_port() {
	local i
	for i in $(seq 50); do
		in_ns ss -ltn 2>/dev/null | grep -q ":$1 " && return 0
		sleep 0.1
	done
	return 1
}

# srv_run NAME "MPDK-PERF ARGS" IPERF3-WRAPPER... -- IPERF3 ARGS
# mpdk-perf -s -1 on $MP; iperf3 -c $MP in the namespace. Output in
# $WORK/NAME.{mpdk,lnx}; sets SRV_RC and LNX_RC.
srv_run() {
	local name=$1 margs=$2
	shift 2
	local wrap=()
	while [ "$1" != "--" ]; do wrap+=("$1"); shift; done
	shift
	RUN=$((RUN + 1))
	log "[$name] mpdk-perf -s -1 $margs  <-  ${wrap[*]} iperf3 -c $MP $*"
	# shellcheck disable=SC2086
	"$PERF" "${EAL[@]}" -- "${ADDRS[@]}" -s -1 --timeout 10 $margs \
		>"$WORK/$name.mpdk" 2>"$WORK/$name.mpdk.err" &
	MPDK_PID=$!
	if ! wait_mpdk_up; then
		fail "[$name] mpdk-perf did not come up"
		cat "$WORK/$name.mpdk" "$WORK/$name.mpdk.err"
		return 1
	fi
	timeout $((DUR + 40)) ip netns exec "$NS" "${wrap[@]}" iperf3 -c "$MP" "$@" \
		>"$WORK/$name.lnx" 2>&1
	LNX_RC=$?
	local i
	for i in $(seq 100); do kill -0 "$MPDK_PID" 2>/dev/null || break; sleep 0.1; done
	kill -INT "$MPDK_PID" 2>/dev/null
	wait "$MPDK_PID"
	SRV_RC=$?
	MPDK_PID=""
	[ "$LNX_RC" -eq 0 ] || fail "[$name] iperf3 -c exited with $LNX_RC"
	[ "$SRV_RC" -eq 0 ] || fail "[$name] mpdk-perf -s -1 exited with $SRV_RC"
	if [ "$LNX_RC" -ne 0 ] || [ "$SRV_RC" -ne 0 ]; then
		echo "--- iperf3"; cat "$WORK/$name.lnx"
		echo "--- mpdk-perf"; cat "$WORK/$name.mpdk" "$WORK/$name.mpdk.err"
		return 1
	fi
}

# cli_run NAME "MPDK-PERF ARGS" IPERF3-WRAPPER... -- IPERF3 -s ARGS
cli_run() {
	local name=$1 margs=$2
	shift 2
	local wrap=()
	while [ "$1" != "--" ]; do wrap+=("$1"); shift; done
	shift
	RUN=$((RUN + 1))
	log "[$name] mpdk-perf -c $LNX $margs  ->  ${wrap[*]} iperf3 -s -1 $*"
	timeout $((DUR + 40)) ip netns exec "$NS" "${wrap[@]}" iperf3 -s -1 "$@" \
		>"$WORK/$name.lnx" 2>&1 &
	local ipid=$!
	if ! wait_port 5201; then
		fail "[$name] iperf3 -s did not listen"
		kill "$ipid" 2>/dev/null
		return 1
	fi
	# shellcheck disable=SC2086
	timeout $((DUR + 40)) "$PERF" "${EAL[@]}" -- "${ADDRS[@]}" -c "$LNX" --timeout 10 $margs \
		>"$WORK/$name.mpdk" 2>"$WORK/$name.mpdk.err" &
	MPDK_PID=$!
	wait "$MPDK_PID"
	CLI_RC=$?
	MPDK_PID=""
	wait "$ipid"
	LNX_RC=$?
	[ "$CLI_RC" -eq 0 ] || fail "[$name] mpdk-perf -c exited with $CLI_RC"
	[ "$LNX_RC" -eq 0 ] || fail "[$name] iperf3 -s -1 exited with $LNX_RC"
	if [ "$LNX_RC" -ne 0 ] || [ "$CLI_RC" -ne 0 ]; then
		echo "--- iperf3"; cat "$WORK/$name.lnx"
		echo "--- mpdk-perf"; cat "$WORK/$name.mpdk" "$WORK/$name.mpdk.err"
		return 1
	fi
}

# Linux's MPTCP counters in the namespace (nstat keeps history: use -a).
mib() {
	in_ns nstat -az "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'
}

# ------------------------------------------------------------------ server

if [ "$MODE" = server ]; then
	if srv_run plain "" -- -t "$DUR"; then
		check "[plain] iperf3 client summary" text "$WORK/plain.lnx" sender receiver
		grep -q '^iperf Done.' "$WORK/plain.lnx" || fail "[plain] iperf3 did not print 'iperf Done.'"
		check "[plain] mpdk-perf summary" text "$WORK/plain.mpdk" sender receiver
	fi
	if srv_run reverse "-J" -- -t "$DUR" -R -J; then
		check "[reverse] iperf3 -J" json "$WORK/reverse.lnx" 1
		check "[reverse] mpdk-perf -J" json "$WORK/reverse.mpdk" 1
		check "[reverse] mpdk-perf: plain TCP peer" mptcp "$WORK/reverse.mpdk" tcp
	fi
	if srv_run parallel "-J" -- -t "$DUR" -P 2; then
		check "[parallel] iperf3 summary" text "$WORK/parallel.lnx" sender receiver
		grep -q '^\[SUM\].*receiver$' "$WORK/parallel.lnx" || fail "[parallel] no [SUM] line"
		check "[parallel] mpdk-perf -J" json "$WORK/parallel.mpdk" 2
	fi
	# One test at a time: a second client is told the server is busy.
	RUN=$((RUN + 1))
	log "[busy] a second iperf3 client while a test runs"
	"$PERF" "${EAL[@]}" -- --addr "0:$MP/24" -s -1 --timeout 10 >"$WORK/busy.mpdk" 2>&1 &
	MPDK_PID=$!
	if wait_mpdk_up; then
		timeout $((DUR + 40)) ip netns exec "$NS" iperf3 -c "$MP" -t "$DUR" >"$WORK/busy1.lnx" 2>&1 &
		p1=$!
		sleep 1
		timeout 20 ip netns exec "$NS" iperf3 -c "$MP" -t 1 >"$WORK/busy2.lnx" 2>&1
		rc2=$?
		wait $p1
		rc1=$?
		wait "$MPDK_PID"
		rcs=$?
		MPDK_PID=""
		[ $rc1 -eq 0 ] && [ $rcs -eq 0 ] || fail "[busy] first test: iperf3 $rc1, mpdk-perf $rcs"
		if [ $rc2 -ne 0 ] && grep -qi 'busy' "$WORK/busy2.lnx"; then
			log "[busy] second client: $(grep -i busy "$WORK/busy2.lnx" | head -1)"
		else
			fail "[busy] second client: exit $rc2, want 'server is busy'"
			cat "$WORK/busy2.lnx"
		fi
	else
		fail "[busy] mpdk-perf did not come up"
	fi
fi

# ------------------------------------------------------------------ client

if [ "$MODE" = client ]; then
	if cli_run plain "-t $DUR" -- ; then
		check "[plain] mpdk-perf summary" text "$WORK/plain.mpdk" sender receiver
		grep -q '^mpdk-perf Done.' "$WORK/plain.mpdk" || fail "[plain] no 'mpdk-perf Done.'"
		check "[plain] iperf3 server summary" text "$WORK/plain.lnx" receiver
	fi
	if cli_run reverse "-t $DUR -R -J" -- -J; then
		check "[reverse] mpdk-perf -J" json "$WORK/reverse.mpdk" 1
		check "[reverse] iperf3 -s -J" jside "$WORK/reverse.lnx" 1 sent
		check "[reverse] mpdk-perf fell back to TCP" mptcp "$WORK/reverse.mpdk" fallback
	fi
	if cli_run parallel "-t $DUR -P 2" -- ; then
		check "[parallel] mpdk-perf summary" text "$WORK/parallel.mpdk" sender receiver
		grep -q '^\[SUM\].*receiver$' "$WORK/parallel.mpdk" || fail "[parallel] no [SUM] line"
		check "[parallel] iperf3 server summary" text "$WORK/parallel.lnx" receiver
	fi
	# -n: exactly that many bytes sent (and --tcp: no MPTCP offered)
	if cli_run bytes "-n 20M -J --tcp" -- -J; then
		check "[bytes] mpdk-perf -J" json "$WORK/bytes.mpdk" 1 20971520
		check "[bytes] iperf3 -s -J" jside "$WORK/bytes.lnx" 1 received
		check "[bytes] mpdk-perf --tcp" mptcp "$WORK/bytes.mpdk" off
	fi
fi

# ------------------------------------------------------------------ mptcpize

if [ "$MODE" = mptcpize ]; then
	syn0=$(mib MPTcpExtMPCapableSYNTX)
	fb0=$(mib MPTcpExtMPCapableFallbackSYNACK)
	ack0=$(mib MPTcpExtMPCapableSYNACKRX)
	if srv_run mptcp-srv "-J" mptcpize run -- -t "$DUR" -P 2; then
		check "[mptcp-srv] iperf3 summary" text "$WORK/mptcp-srv.lnx" sender receiver
		check "[mptcp-srv] mpdk-perf -J" json "$WORK/mptcp-srv.mpdk" 2
		syn=$(($(mib MPTcpExtMPCapableSYNTX) - syn0))
		fb=$(($(mib MPTcpExtMPCapableFallbackSYNACK) - fb0))
		ack=$(($(mib MPTcpExtMPCapableSYNACKRX) - ack0))
		log "[mptcp-srv] Linux: MP_CAPABLE SYNs sent $syn, SYN/ACKs with MP_CAPABLE $ack, fallbacks $fb"
		[ "$syn" -ge 3 ] || fail "[mptcp-srv] Linux sent $syn MP_CAPABLE SYNs, want >= 3 (mptcpize not effective?)"
		[ "$fb" -eq 0 ] && [ "$ack" -ge 3 ] ||
			fail "[mptcp-srv] want MPTCP on all 3 connections: $ack MP_CAPABLE SYN/ACKs, $fb fallbacks"
		check "[mptcp-srv] streams are MPTCP" mptcp "$WORK/mptcp-srv.mpdk" active
	fi
	synrx0=$(mib MPTcpExtMPCapableSYNRX)
	ackrx0=$(mib MPTcpExtMPCapableACKRX)
	if cli_run mptcp-cli "-t $DUR -R -J" mptcpize run -- ; then
		check "[mptcp-cli] mpdk-perf -J" json "$WORK/mptcp-cli.mpdk" 1
		check "[mptcp-cli] iperf3 server summary" text "$WORK/mptcp-cli.lnx" sender
		synrx=$(($(mib MPTcpExtMPCapableSYNRX) - synrx0))
		ackrx=$(($(mib MPTcpExtMPCapableACKRX) - ackrx0))
		log "[mptcp-cli] Linux (MPTCP listener): MP_CAPABLE SYNs received $synrx, third ACKs $ackrx"
		[ "$synrx" -ge 2 ] && [ "$ackrx" -ge 2 ] ||
			fail "[mptcp-cli] want MPTCP on both connections: $synrx MP_CAPABLE SYNs, $ackrx third ACKs"
		check "[mptcp-cli] streams are MPTCP" mptcp "$WORK/mptcp-cli.mpdk" active
	fi
	synrx0=$(mib MPTcpExtMPCapableSYNRX)
	if cli_run mptcp-cli-tcp "-t $DUR -J --tcp" mptcpize run -- ; then
		check "[mptcp-cli-tcp] mpdk-perf -J" json "$WORK/mptcp-cli-tcp.mpdk" 1
		synrx=$(($(mib MPTcpExtMPCapableSYNRX) - synrx0))
		[ "$synrx" -eq 0 ] || fail "[mptcp-cli-tcp] mpdk-perf --tcp sent $synrx MP_CAPABLE SYNs"
		check "[mptcp-cli-tcp] streams are TCP" mptcp "$WORK/mptcp-cli-tcp.mpdk" off
	fi
fi

# ------------------------------------------------------------------ multipath

if [ "$MODE" = multipath ]; then
	# Linux server announces its second address; mpdk-perf joins it.
	in_ns ip mptcp endpoint add "$NET2.1" dev "$V_LNX2" signal
	j0=$(mib MPTcpExtMPJoinAckRx)
	a0=$(mib MPTcpExtAddAddrTx)
	h0=$(mib MPTcpExtMPJoinAckHMacFailure)
	if cli_run mp-cli "-t $DUR -J --scheduler roundrobin" mptcpize run -- ; then
		check "[mp-cli] mpdk-perf -J" json "$WORK/mp-cli.mpdk" 1
		check "[mp-cli] MPTCP" mptcp "$WORK/mp-cli.mpdk" active
		check "[mp-cli] both subflows carried data" subflows "$WORK/mp-cli.mpdk" 2
		j=$(($(mib MPTcpExtMPJoinAckRx) - j0))
		a=$(($(mib MPTcpExtAddAddrTx) - a0))
		h=$(($(mib MPTcpExtMPJoinAckHMacFailure) - h0))
		log "[mp-cli] Linux: ADD_ADDR sent $a, MP_JOIN third ACKs received $j, HMAC failures $h"
		[ "$a" -ge 1 ] && [ "$j" -ge 1 ] && [ "$h" -eq 0 ] ||
			fail "[mp-cli] want ADD_ADDR sent, a join completed, no HMAC failure"
	fi
	in_ns ip mptcp endpoint flush
	# mpdk-perf -s announces its second --addr; Linux joins it.
	s0=$(mib MPTcpExtMPJoinSynAckRx)
	r0=$(mib MPTcpExtAddAddr)
	h0=$(mib MPTcpExtMPJoinSynAckHMacFailure)
	if srv_run mp-srv "-J --scheduler roundrobin" mptcpize run -- -t "$DUR" -R; then
		check "[mp-srv] mpdk-perf -J" json "$WORK/mp-srv.mpdk" 1
		check "[mp-srv] MPTCP" mptcp "$WORK/mp-srv.mpdk" active
		check "[mp-srv] both subflows carried data" subflows "$WORK/mp-srv.mpdk" 2
		jn=$(($(mib MPTcpExtMPJoinSynAckRx) - s0))
		r=$(($(mib MPTcpExtAddAddr) - r0))
		h=$(($(mib MPTcpExtMPJoinSynAckHMacFailure) - h0))
		log "[mp-srv] Linux: ADD_ADDR received $r, MP_JOIN SYN/ACKs received $jn, HMAC failures $h"
		[ "$r" -ge 1 ] && [ "$jn" -ge 1 ] && [ "$h" -eq 0 ] ||
			fail "[mp-srv] want ADD_ADDR received, a join completed, no HMAC failure"
	fi
fi

log "$RUN runs in $(($(date +%s) - T0)) s"
if [ $FAILS -eq 0 ]; then
	log "PASS"
	exit 0
fi
log "$FAILS failure(s)"
exit 1
