#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, key mode app (application-supplied keys, flag G; seed
# tls-authentication-draft.txt section 2, docs/security.md "Application-
# supplied keys" item 9: app is strict) against Linux's kernel MPTCP, with
# --app-keys given (they cannot be used: there is no G on the other side).
#   MODE server: a Linux MPTCP client (python IPPROTO_MPTCP) -> mpdk-echo
#     --key-mode app. Linux's SYN has an RFC 8684 MP_CAPABLE (no G): mpdk
#     answers as plain TCP (mptcp_app_not_offered = 1, no MPTCP
#     established), Linux falls back (RFC 8684 §3.1: SYN/ACK without
#     MP_CAPABLE), the echo comes back identical; mpdk-echo reports the
#     keys set on 0 connections, 1 plain TCP.
#   MODE client: mpdk-echo -c --key-mode app -> a Linux MPTCP server. The
#     SYN's MP_CAPABLE has G and not H: Linux's parser ignores it (it needs
#     the HMAC-SHA256 bit H, RFC 8684 §3.1), so its SYN/ACK has no MPTCP
#     option and mpdk continues as plain TCP (mptcp_app_not_offered = 1);
#     the echo comes back identical, the report says "keys: none (plain
#     TCP ...)", Linux's MPTCP socket counts a passive fallback.
#
# usage: secure_app.sh PATH/TO/mpdk-echo server|client [BYTES]   (root; 77 = skipped)
ECHO=${1:?usage: secure_app.sh PATH/TO/mpdk-echo server|client [BYTES]}
MODE=${2:?usage: secure_app.sh PATH/TO/mpdk-echo server|client [BYTES]}
BYTES=${3:-5000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.101.0
PORT=7
KEYS=0123456789abcdef:fedcba9876543210
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
setup_veth "$NET" || exit 1
. "$(dirname "$0")/mptcp_peer.inc"
write_mptcp_peer
nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
EAL=(-l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG"
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK")
in_ns nstat -n >/dev/null 2>&1

case "$MODE" in
server)
	start_echo "${EAL[@]}" -- --addr "0:$NET.2/24" -p "$PORT" --stats --key-mode app \
		--app-keys "$KEYS" --pcap "$WORK/echo.pcap" --duration 170 || exit 1
	log "Linux MPTCP client: $BYTES bytes to $NET.2:$PORT (mpdk-echo --key-mode app) and back"
	out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/mptcp_peer.py" client mptcp "$NET.2" \
		"$PORT" "$BYTES" 60 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "Linux MPTCP client: exit status $rc"
	grep -q "sent $BYTES received $BYTES identical True" <<<"$out" || fail "Linux: echo not identical"
	stop_echo
	grep -E '^mpdk-echo: (tcp|keys):' "$WORK/echo.log"
	grep -q '^mpdk-echo: keys: app, --app-keys: set on 0 connection(s), not possible on 1 (plain TCP)' \
		"$WORK/echo.log" || fail "mpdk-echo: no 'keys: app ... set on 0, not possible on 1' line"
	v=$(nstat_ns MPTcpExtMPCapableFallbackSYNACK)
	[ "${v:-0}" -ge 1 ] || fail "Linux: MPTcpExtMPCapableFallbackSYNACK = ${v:-0}, want >= 1"
	;;
client)
	in_ns "$PYTHON" "$WORK/mptcp_peer.py" server mptcp "$PORT" "$WORK/ready" 120 \
		>"$WORK/server.log" 2>&1 &
	SRV=$!
	CLEANUPS+=("kill $SRV")
	for _ in $(seq 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	log "mpdk-echo -c --key-mode app: $BYTES bytes to $NET.1:$PORT (Linux MPTCP server)"
	timeout 150 "$ECHO" "${EAL[@]}" -- --addr "0:$NET.2/24" --stats --key-mode app \
		--app-keys "$KEYS" --pcap "$WORK/echo.pcap" -c "$NET.1" -p "$PORT" -n "$BYTES" \
		--timeout 120 >"$WORK/echo.log" 2>&1
	rc=$?
	grep -E '^mpdk-echo' "$WORK/echo.log"
	[ $rc -eq 0 ] || { fail "mpdk-echo client: exit status $rc"; tail -20 "$WORK/echo.log"; }
	wait $SRV 2>/dev/null
	cat "$WORK/server.log"
	grep -q "^mpdk-echo: OK: $BYTES bytes echoed back identical" "$WORK/echo.log" ||
		fail "mpdk-echo: echo not identical"
	grep -q '^mpdk-echo: mptcp: fell back to TCP (RFC 8684 3.7), 1 subflow(s) used' "$WORK/echo.log" ||
		fail "mpdk-echo: no 'mptcp: fell back to TCP ... 1 subflow(s)' line"
	grep -q '^mpdk-echo: keys: none (plain TCP: the peer did not take flag G), app configured, --app-keys unused' \
		"$WORK/echo.log" || fail "mpdk-echo: no 'keys: none (plain TCP ...)' line"
	v=$(echo_counter mptcp_fallback_synack)
	[ "$v" -eq 1 ] || fail "mpdk: mptcp_fallback_synack = $v, want 1"
	v=$(nstat_ns MPTcpExtMPCapableSYNRX)
	[ "${v:-0}" -eq 0 ] || fail "Linux: MPTcpExtMPCapableSYNRX = $v, want 0 (the G-only SYN is ignored)"
	;;
*)
	echo "unknown mode $MODE"
	exit 2
	;;
esac
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
v=$(echo_counter mptcp_app_not_offered)
[ "$v" -eq 1 ] || fail "mpdk: mptcp_app_not_offered = $v, want 1"
for c in mptcp_established mptcp_app_established mptcp_app_keys_set; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk: $c = $v, want 0"
done
if command -v tshark >/dev/null 2>&1; then
	# every frame after the handshake is plain TCP: no MPTCP option at all
	n=$(tshark -r "$WORK/echo.pcap" -Y 'tcp.flags.syn == 0 && tcp.option_kind == 30' 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] || fail "pcap: $n non-SYN segments with an MPTCP option, want 0"
fi
log "took $(($(date +%s) - T0)) s"
finish
