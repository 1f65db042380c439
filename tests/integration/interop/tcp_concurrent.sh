#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, concurrent TCP echo (issue 3 item 7 and "Done means": 50
# concurrent Linux clients at once). 50 Linux connections (python3
# threads in a network namespace) to mpdk-echo over veth/net_af_packet, all
# ESTABLISHED before any sends; each then sends 200 KB of random bytes
# while reading the echo, half-closes, reads to EOF and compares byte for
# byte. Checks: every connection's echo is identical and ends with the
# server's FIN, mpdk counts 50 accepted / 50 closed / 0 errored and echoed
# exactly 50 x 200 KB, no listen overflow, no bad checksum, no mbuf
# shortage left a connection stuck (bounded by timeouts everywhere).
#
# usage: tcp_concurrent.sh PATH/TO/mpdk-echo [CONNS] [BYTES]   (root; 77 = skipped)
ECHO=${1:?usage: tcp_concurrent.sh PATH/TO/mpdk-echo [CONNS] [BYTES]}
CONNS=${2:-50}
BYTES=${3:-200000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.80.0
PORT=7007
T0=$(date +%s)

setup_veth "$NET" || exit 1
write_tcp_peer
# ECHO_EXTRA: more mpdk-echo options, e.g. --copy
# shellcheck disable=SC2086
start_echo_af_packet "$NET" -p "$PORT" --stats --duration 170 ${ECHO_EXTRA:-} || exit 1

log "Linux: $CONNS concurrent clients, $BYTES random bytes each, to $NET.2:$PORT and back"
out=$(timeout 120 ip netns exec "$NS" "$PYTHON" "$WORK/tcp_peer.py" echo-clients "$NET.2" "$PORT" \
	"$CONNS" "$BYTES" 90 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux clients: exit status $rc"
echo "$out" | grep -q "^summary $CONNS/$CONNS " || fail "Linux clients: not every echo came back identical"

stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
want=$((CONNS * BYTES))
grep -q "^mpdk-echo: tcp: $CONNS accepted, $CONNS closed, 0 errored .* 0 open; $want bytes echoed" "$WORK/echo.log" ||
	fail "mpdk-echo summary: want $CONNS accepted, $CONNS closed, 0 errored, $want bytes echoed"
for c in tcp_rx_bad_cksum tcp_rx_malformed tcp_conn_reset tcp_timeout tcp_listen_overflow \
	tcp_conn_alloc_fail; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "counter $c = $v, want 0"
done
log "counters: tcp_passive_open $(echo_counter tcp_passive_open) tcp_established $(echo_counter tcp_established)" \
	"tcp_rx_segs $(echo_counter tcp_rx_segs) tcp_tx_segs $(echo_counter tcp_tx_segs)" \
	"tcp_retransmits $(echo_counter tcp_retransmits) tcp_tx_nombuf $(echo_counter tcp_tx_nombuf)"
log "took $(($(date +%s) - T0)) s"
finish
