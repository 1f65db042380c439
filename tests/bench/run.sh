#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Throughput side by side: mpdk against Linux's own TCP and MPTCP, on the
# same kind of link (a veth pair), in one run, the cases alternated
# (a b c d, a b c d, ...), the median of the rounds reported with its ratio
# to the Linux case of the same protocol. A benchmark driver, not a test
# (meson test does not run it). docs/performance.md explains the figures.
#
# usage: tests/bench/run.sh [--build DIR] [--seconds N] [--rounds N]
#   --build DIR    meson build directory with apps/mpdk-perf (default: build)
#   --seconds N    length of each iperf3 run, 1..60 (default 5)
#   --rounds N     rounds of all cases, 1..9 (default 2)
#   MPDK_LCORE=K   lcore of mpdk-perf (default 1)
#
# Cases (iperf3 3.x is the client in all four; its JSON's receiver figure,
# sum_received.bits_per_second, is the one reported):
#   (a) linux-tcp    iperf3 -s in netns A, iperf3 -c in netns B, veth A-B
#   (b) mpdk-tcp     mpdk-perf -s --tcp on a veth end (net_af_packet),
#                    iperf3 -c in netns P at the other end
#   (c) mpdk-mptcp   mpdk-perf -s (MPTCP), mptcpize run iperf3 -c from P
#   (d) linux-mptcp  mptcpize run iperf3 -s in A, mptcpize run iperf3 -c in B
# Both veth pairs get the same settings: IPv6 off, offloads (tx, rx, tso,
# gso, gro) off on both ends, as mpdk's af_packet link needs.
# Root only. Everything it creates (netns, veth, processes, DPDK runtime
# directory, temporary files) is removed on exit, whatever the exit.
set -u

BUILD=build
SECS=5
ROUNDS=2
usage() { sed -n 's/^# \{0,1\}//; 9,13p' "$0"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=${2:?--build needs a directory}; shift 2 ;;
	--seconds) SECS=${2:?--seconds needs a number}; shift 2 ;;
	--rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case "$SECS" in '' | *[!0-9]*) echo "run.sh: --seconds wants 1..60" >&2; exit 2 ;; esac
case "$ROUNDS" in '' | *[!0-9]*) echo "run.sh: --rounds wants 1..9" >&2; exit 2 ;; esac
{ [ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ]; } || { echo "run.sh: --seconds wants 1..60" >&2; exit 2; }
{ [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ]; } || { echo "run.sh: --rounds wants 1..9" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: must run as root (network namespaces, veth pairs, net_af_packet)" >&2
	exit 1
fi
PERF="$BUILD/apps/mpdk-perf/mpdk-perf"
{ [ -f "$PERF" ] && [ -x "$PERF" ]; } || { echo "run.sh: no $PERF (build first: ninja -C $BUILD)" >&2; exit 1; }
for c in ip iperf3 ethtool python3 ping timeout nstat; do
	command -v "$c" >/dev/null || { echo "run.sh: $c is not installed" >&2; exit 1; }
done
HAVE_MPTCP=1
command -v mptcpize >/dev/null || HAVE_MPTCP=0
[ -r /proc/sys/net/mptcp/enabled ] || HAVE_MPTCP=0

TAG="mpdk-bench-$$"
NSA="$TAG-a"; NSB="$TAG-b"; NSP="$TAG-p"
VA="mpb$$a"; VB="mpb$$b"; VM="mpb$$m"; VP="mpb$$p"   # veth names: <= 15 chars
WORK=$(mktemp -d "/tmp/$TAG.XXXXXX")
LCORE=${MPDK_LCORE:-1}
PIDFILE="$WORK/pids"     # background processes (started in subshells too)
: >"$PIDFILE"

cleanup() {
	local rc=$? p
	set +e
	while read -r p; do
		if kill -0 "$p" 2>/dev/null; then
			kill -INT "$p" 2>/dev/null
			for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$p" 2>/dev/null
		fi
	done <"$PIDFILE"
	wait 2>/dev/null
	ip link del "$VA" >/dev/null 2>&1
	ip link del "$VM" >/dev/null 2>&1
	for p in "$NSA" "$NSB" "$NSP"; do ip netns del "$p" >/dev/null 2>&1; done
	rm -rf "/var/run/dpdk/$TAG" "$WORK" 2>/dev/null
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%T)] $*" >&2; }

# veth_pair DEV1 NS1-or-"" ADDR1-or-"" DEV2 NS2 ADDR2
veth_pair() {
	local d1=$1 n1=$2 a1=$3 d2=$4 n2=$5 a2=$6 d n a f x
	ip link add "$d1" type veth peer name "$d2" || return 1
	[ -n "$n1" ] && { ip link set "$d1" netns "$n1" || return 1; }
	ip link set "$d2" netns "$n2" || return 1
	for x in "$d1|$n1|$a1" "$d2|$n2|$a2"; do
		IFS='|' read -r d n a <<<"$x"
		local pre=()
		[ -n "$n" ] && pre=(ip netns exec "$n")
		"${pre[@]}" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" >/dev/null 2>&1
		[ -n "$a" ] && "${pre[@]}" ip addr add "$a" dev "$d"
		"${pre[@]}" ip link set "$d" up
		for f in tx rx tso gso gro; do "${pre[@]}" ethtool -K "$d" "$f" off >/dev/null 2>&1; done
	done
}

for n in "$NSA" "$NSB" "$NSP"; do
	ip netns add "$n" || { echo "run.sh: ip netns add failed" >&2; exit 1; }
	ip -n "$n" link set lo up
	[ $HAVE_MPTCP -eq 1 ] && ip netns exec "$n" sysctl -qw net.mptcp.enabled=1 >/dev/null 2>&1
done
# Linux <-> Linux: 10.91.0.1 (A, server) - 10.91.0.2 (B, client)
veth_pair "$VA" "$NSA" 10.91.0.1/24 "$VB" "$NSB" 10.91.0.2/24 || exit 1
# mpdk <-> Linux: $VM in the root netns, no address (net_af_packet), mpdk
# is 10.92.0.2; $VP in P is 10.92.0.1
veth_pair "$VM" "" "" "$VP" "$NSP" 10.92.0.1/24 || exit 1

EAL=(-l "$LCORE" --no-huge --no-pci -m 512 --file-prefix "$TAG"
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$VM")
TMO=$((SECS + 30))

# The receiver's bits/s from iperf3 -J output $1 (empty on failure).
rate() {
	python3 - "$1" <<'PY' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d: sys.exit(1)
print("%.0f" % d["end"]["sum_received"]["bits_per_second"])
PY
}

# An MPTCP MIB counter of netns $1.
mib() { ip netns exec "$1" nstat -az "$2" 2>/dev/null | awk -v n="$2" '$1 == n { print $2 }'; }

# Check that a run of iperf3 under mptcpize in client netns $1 really was
# MPTCP: MP_CAPABLE SYN/ACKs received grew by at least 2 (control + stream).
MPC0=0
mptcp_mark() { MPC0=$(mib "$1" MPTcpExtMPCapableSYNACKRX); MPC0=${MPC0:-0}; }
mptcp_check() {
	local now; now=$(mib "$1" MPTcpExtMPCapableSYNACKRX)
	[ $(( ${now:-0} - MPC0 )) -ge 2 ] || { log "  WARNING: not MPTCP (MP_CAPABLE SYN/ACKs: $(( ${now:-0} - MPC0 )))"; return 1; }
}

declare -A CMD
CMD[linux-tcp]="ip netns exec $NSA iperf3 -s -1
ip netns exec $NSB iperf3 -c 10.91.0.1 -t $SECS -J"
CMD[linux-mptcp]="ip netns exec $NSA mptcpize run iperf3 -s -1
ip netns exec $NSB mptcpize run iperf3 -c 10.91.0.1 -t $SECS -J"
CMD[mpdk-tcp]="$PERF ${EAL[*]} -- --addr 0:10.92.0.2/24 -s -1 --timeout 10 --tcp
ip netns exec $NSP iperf3 -c 10.92.0.2 -t $SECS -J"
CMD[mpdk-mptcp]="$PERF ${EAL[*]} -- --addr 0:10.92.0.2/24 -s -1 --timeout 10
ip netns exec $NSP mptcpize run iperf3 -c 10.92.0.2 -t $SECS -J"

# linux_run NAME WRAP...: iperf3 -s -1 in A, iperf3 -c in B; prints bits/s.
linux_run() {
	local name=$1 out="$WORK/$1.$RND.json"
	shift
	timeout "$TMO" ip netns exec "$NSA" "$@" iperf3 -s -1 >"$WORK/$name.$RND.srv" 2>&1 &
	local spid=$!
	echo "$spid" >>"$PIDFILE"
	for _ in $(seq 50); do
		ip netns exec "$NSA" ss -ltn 2>/dev/null | grep -q ':5201 ' && break
		sleep 0.1
	done
	[ "$name" = linux-mptcp ] && mptcp_mark "$NSB"
	timeout "$TMO" ip netns exec "$NSB" "$@" iperf3 -c 10.91.0.1 -t "$SECS" -J >"$out" 2>&1
	wait "$spid" 2>/dev/null
	[ "$name" = linux-mptcp ] && { mptcp_check "$NSB" || return 1; }
	rate "$out"
}

# mpdk_run NAME MPDK-ARGS WRAP...: mpdk-perf -s -1 on the veth end, iperf3
# -c from P; prints bits/s.
mpdk_run() {
	local name=$1 margs=$2 out="$WORK/$1.$RND.json"
	shift 2
	# shellcheck disable=SC2086
	timeout "$TMO" "$PERF" "${EAL[@]}" -- --addr 0:10.92.0.2/24 -s -1 --timeout 10 $margs \
		>"$WORK/$name.$RND.mpdk" 2>&1 &
	local mpid=$!
	echo "$mpid" >>"$PIDFILE"
	for _ in $(seq 100); do
		ip netns exec "$NSP" ping -c 1 -W 1 10.92.0.2 >/dev/null 2>&1 && break
		kill -0 "$mpid" 2>/dev/null || break
		sleep 0.1
	done
	[ "$name" = mpdk-mptcp ] && mptcp_mark "$NSP"
	timeout "$TMO" ip netns exec "$NSP" "$@" iperf3 -c 10.92.0.2 -t "$SECS" -J >"$out" 2>&1
	for _ in $(seq 100); do kill -0 "$mpid" 2>/dev/null || break; sleep 0.1; done
	kill -INT "$mpid" 2>/dev/null
	wait "$mpid" 2>/dev/null
	[ "$name" = mpdk-mptcp ] && { mptcp_check "$NSP" || return 1; }
	rate "$out"
}

CASES=(linux-tcp mpdk-tcp)
if [ $HAVE_MPTCP -eq 1 ]; then
	CASES+=(mpdk-mptcp linux-mptcp)
else
	log "no mptcpize or kernel MPTCP: MPTCP cases (c), (d) left out"
fi
declare -A RES
START=$(date -u '+%Y-%m-%d %H:%M UTC')
for RND in $(seq "$ROUNDS"); do
	for c in "${CASES[@]}"; do
		case "$c" in
		linux-tcp) r=$(linux_run linux-tcp) ;;
		linux-mptcp) r=$(linux_run linux-mptcp mptcpize run) ;;
		mpdk-tcp) r=$(mpdk_run mpdk-tcp --tcp) ;;
		mpdk-mptcp) r=$(mpdk_run mpdk-mptcp "" mptcpize run) ;;
		esac
		if [ -n "$r" ]; then
			log "round $RND $c: $(awk -v b="$r" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s"
			RES[$c]="${RES[$c]:-} $r"
		else
			log "round $RND $c: FAILED (logs: $WORK/$c.$RND.*)"
			sed 's/^/    /' "$WORK/$c.$RND."* 2>/dev/null | tail -20 >&2
		fi
	done
done

echo
echo "mpdk throughput vs Linux over veth, $START, ${SECS} s per run, $ROUNDS round(s),"
echo "cases alternated; mpdk-perf on lcore $LCORE; $(nproc) CPUs, $(uname -r)"
echo
python3 - "${CASES[@]}" <<PY
import statistics, sys
res = {$(for c in "${CASES[@]}"; do printf '"%s": [%s], ' "$c" "$(printf '%s' "${RES[$c]:-}" | sed 's/^ //; s/ /,/g')"; done)}
label = {"linux-tcp": "(a) Linux TCP, veth",
         "mpdk-tcp": "(b) mpdk TCP, af_packet",
         "mpdk-mptcp": "(c) mpdk MPTCP, af_packet",
         "linux-mptcp": "(d) Linux MPTCP, veth"}
base = {"linux-tcp": "linux-tcp", "mpdk-tcp": "linux-tcp",
        "mpdk-mptcp": "linux-mptcp", "linux-mptcp": "linux-mptcp"}
med = {c: statistics.median(v) / 1e9 for c, v in res.items() if v}
print("| case | Gbit/s (median) | runs (Gbit/s) | ratio to Linux, same protocol |")
print("|------|----------------:|---------------|------------------------------:|")
for c in sys.argv[1:]:
    runs = ", ".join("%.2f" % (x / 1e9) for x in res[c]) or "failed"
    m = "%.2f" % med[c] if c in med else "-"
    b = base[c]
    r = "%.2f" % (med[c] / med[b]) if c in med and b in med else "-"
    print("| %s | %s | %s | %s |" % (label[c], m, runs, r))
PY
echo
echo "Links: veth A-B 10.91.0.1-.2/24 (Linux-Linux); veth root-P, mpdk 10.92.0.2 on the"
echo "root end through net_af_packet, Linux 10.92.0.1 in P; on all four ends IPv6 off and"
echo "ethtool -K tx rx tso gso gro off. MPTCP cases checked with Linux's MIB (nstat"
echo "MPTcpExtMPCapableSYNACKRX in the client's netns). Each run is bounded by timeout $TMO."
echo "Commands (one run each; server first, then client; names are this run's):"
for c in "${CASES[@]}"; do
	echo "  $c:"
	printf '    %s\n' "${CMD[$c]%%$'\n'*}" "${CMD[$c]#*$'\n'}"
done
[ "${#RES[@]}" -eq "${#CASES[@]}" ]
