# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the interop tests: Linux in a network namespace of its
# own, mpdk-echo at the other end of a link, and a teardown that always
# runs. Sourced by the test scripts; every name is unique to the test's PID.

set -u

SKIP=77
TAG="mpdk-t-$$"              # netns name and DPDK file prefix
NS="$TAG"
WORK=$(mktemp -d "/tmp/$TAG.XXXXXX")
MPDK_PID=""
CLEANUPS=()
FAILS=0

log() { echo "[$(date +%T)] $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

teardown() {
	local rc=$?
	set +e
	if [ -n "$MPDK_PID" ] && kill -0 "$MPDK_PID" 2>/dev/null; then
		kill -INT "$MPDK_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$MPDK_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$MPDK_PID" 2>/dev/null
		wait "$MPDK_PID" 2>/dev/null
	fi
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[$i]}" >/dev/null 2>&1; done
	ip netns del "$NS" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/$TAG" "$WORK" 2>/dev/null
	exit $rc
}
trap teardown EXIT
trap 'exit 130' INT TERM

# Skip (exit 77) unless we are root with working network namespaces.
require_netns() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (network namespaces, veth, tap)"
		exit $SKIP
	fi
	local c
	for c in ip ping ethtool; do
		command -v $c >/dev/null || { echo "SKIP: $c not installed"; exit $SKIP; }
	done
	if ! ip netns add "$NS" 2>"$WORK/netns.err"; then
		echo "SKIP: ip netns unavailable: $(cat "$WORK/netns.err")"
		exit $SKIP
	fi
	ip -n "$NS" link set lo up
}

in_ns() { ip netns exec "$NS" "$@"; }

# Start mpdk-echo in the background (stdout+stderr to $WORK/echo.log) and
# wait for its start-up line. Arguments: EAL options, "--", stack options.
start_echo() {
	"$ECHO" "$@" >"$WORK/echo.log" 2>&1 &
	MPDK_PID=$!
	local i
	for i in $(seq 200); do
		if grep -q '^mpdk-echo: up:' "$WORK/echo.log"; then
			log "$(grep '^mpdk-echo: up:' "$WORK/echo.log")"
			return 0
		fi
		if ! kill -0 "$MPDK_PID" 2>/dev/null; then
			wait "$MPDK_PID"
			echo "mpdk-echo exited early with status $?:"
			cat "$WORK/echo.log"
			MPDK_PID=""
			return 1
		fi
		sleep 0.1
	done
	echo "mpdk-echo did not start in 20 s:"
	cat "$WORK/echo.log"
	return 1
}

# The MAC mpdk-echo reported for DPDK port $1.
echo_mac() {
	sed -n "s/.* port $1 [^ ]* mac \\([0-9a-f:]*\\) .*/\\1/p" "$WORK/echo.log" | head -1
}

# Stop mpdk-echo with SIGINT; check it exits 0. Its log stays in $WORK.
stop_echo() {
	kill -INT "$MPDK_PID"
	local rc=0
	wait "$MPDK_PID" || rc=$?
	MPDK_PID=""
	if [ $rc -ne 0 ]; then
		fail "mpdk-echo exited with status $rc after SIGINT"
	fi
	return 0
}

# A counter from mpdk-echo's --stats output (0 when absent).
echo_counter() {
	local v
	v=$(awk -v n="$1" '$1 == n { print $2 }' "$WORK/echo.log")
	echo "${v:-0}"
}

# Ping each address from the netns on device $1 and check the reply count
# and that Linux learned mpdk's MAC $2 for it.
ping_all() {
	local dev=$1 mac=$2
	shift 2
	local a out got neigh
	for a in "$@"; do
		out=$(in_ns ping -c 3 -i 0.2 -W 2 -I "$dev" "$a" 2>&1)
		got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
		if [ "${got:-0}" -eq 3 ]; then
			log "ping $a: 3/3 replies, $(echo "$out" | grep -o 'rtt.*' || true)"
		else
			fail "ping $a: ${got:-0}/3 replies"
			echo "$out"
		fi
		neigh=$(in_ns ip neigh show "$a" dev "$dev")
		if echo "$neigh" | grep -qi "lladdr $mac "; then
			log "ip neigh: $neigh"
		else
			fail "ip neigh for $a: '$neigh', want lladdr $mac"
		fi
	done
}

finish() {
	if [ $FAILS -eq 0 ]; then
		log "PASS"
		exit 0
	fi
	echo "--- mpdk-echo log"
	cat "$WORK/echo.log" 2>/dev/null
	log "$FAILS failure(s)"
	exit 1
}
