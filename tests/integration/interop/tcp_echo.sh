#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, TCP echo (issue 3, "Done means": a Linux client sends 10 MB of
# random bytes to mpdk-echo and receives them back identical; item 8: the
# --pcap frames dissect in tshark as valid TCP with no analysis errors).
# Linux (kernel TCP, RFC 9293 with SACK, timestamps and window scaling,
# RFC 2018/7323) in a network namespace, mpdk-echo at the other end of a
# veth pair through net_af_packet. A second client stops reading for 2 s
# with a small receive buffer, so both windows close: mpdk holds the echo,
# its own window closes (flow control), it probes Linux's zero window
# (RFC 9293 §3.8.6.1) and resumes when Linux reads. Checks: each echo is
# byte-identical (compared byte for byte and by sha256), the server closes
# cleanly after the client's FIN (the client reads EOF, mpdk counts 2
# closed, 0 errored), at least one zero-window probe was sent,
# no TCP segment had a bad checksum (tcp_rx_bad_cksum), and the pcap holds
# valid TCP: checksums right, no analysis errors other than retransmissions
# and flow-control marks (see check_tcp_pcap in lib.sh).
#
# usage: tcp_echo.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: tcp_echo.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-10000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.79.0
PORT=7
T0=$(date +%s)

setup_veth "$NET" || exit 1
write_tcp_peer
# ECHO_EXTRA: more mpdk-echo options, e.g. --copy
# shellcheck disable=SC2086
start_echo_af_packet "$NET" -p "$PORT" --stats --pcap "$WORK/echo.pcap" --duration 170 ${ECHO_EXTRA:-} || exit 1

log "1. Linux client: $BYTES random bytes to $NET.2:$PORT and back"
out=$(timeout 120 ip netns exec "$NS" "$PYTHON" "$WORK/tcp_peer.py" echo-clients "$NET.2" "$PORT" 1 \
	"$BYTES" 90 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux client: exit status $rc"
echo "$out" | grep -q '^summary 1/1 ' || fail "Linux client: echo not identical"

STALLED=$((BYTES / 2))
log "2. Linux client that does not read for 2 s: $STALLED bytes"
out=$(timeout 120 ip netns exec "$NS" "$PYTHON" "$WORK/tcp_peer.py" echo-clients "$NET.2" "$PORT" 1 \
	"$STALLED" 90 2 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "stalled Linux client: exit status $rc"
echo "$out" | grep -q '^summary 1/1 ' || fail "stalled Linux client: echo not identical"

stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
total=$((BYTES + STALLED))
grep -q '^mpdk-echo: tcp: 2 accepted, 2 closed, 0 errored .* 0 open; '"$total"' bytes echoed' "$WORK/echo.log" ||
	fail "mpdk-echo summary: want 2 accepted, 2 closed, 0 errored, $total bytes echoed"
probes=$(echo_counter tcp_persist_probe)
log "counters: tcp_persist_probe $probes (zero-window probes while the client did not read)"
[ "$probes" -ge 1 ] || fail "no zero-window probe: the stalled client did not close its window"
for c in tcp_rx_bad_cksum tcp_rx_malformed tcp_conn_reset tcp_timeout; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "counter $c = $v, want 0"
done
log "counters: tcp_rx_segs $(echo_counter tcp_rx_segs) tcp_tx_segs $(echo_counter tcp_tx_segs)" \
	"tcp_retransmits $(echo_counter tcp_retransmits) tcp_rto $(echo_counter tcp_rto)" \
	"tcp_fast_retransmit $(echo_counter tcp_fast_retransmit) tcp_rx_ooo $(echo_counter tcp_rx_ooo)"

check_tcp_pcap "$WORK/echo.pcap" "$NET.2"
log "took $(($(date +%s) - T0)) s"
finish
