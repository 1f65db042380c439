#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Operations (issue 6 item 5): DPDK telemetry against a running mpdk-echo.
# Linux in a network namespace pings mpdk-echo (net_af_packet on a veth
# pair) and holds a TCP connection to its echo port open, while
# dpdk-telemetry.py (DPDK's own client, on the process's telemetry socket
# /var/run/dpdk/PREFIX/dpdk_telemetry.v2) checks:
#  - /mpdk/stacks lists the stack, with its ethdev port;
#  - /mpdk/stats: icmp_echo_requests equals the pings sent (and replies);
#  - /mpdk/drops: a JSON object of drop counters only (no totals);
#  - /mpdk/conns: the listener and the ESTABLISHED connection with the
#    Linux client's 4-tuple, an RTT estimate, a cwnd and the bytes echoed;
#  - /mpdk/subflows: empty for the plain TCP client; with a second client
#    on an MPTCP socket (Linux's kernel MPTCP, when present), its initial
#    subflow with the 4-tuple, ESTABLISHED, and the bytes received;
#  - bad parameters give null, not a crash; mpdk-echo still stops cleanly.
#
# usage: ops_telemetry.sh PATH/TO/mpdk-echo   (root; exit 77 = skipped)
ECHO=${1:?usage: ops_telemetry.sh PATH/TO/mpdk-echo}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ops_lib.sh"
require_netns
require_python
[ -n "$TEL" ] || { echo "SKIP: dpdk-telemetry.py not installed"; exit $SKIP; }
NET=10.81.0
PORT=7
PINGS=5

setup_veth "$NET" || exit 1
start_echo_af_packet "$NET" -p "$PORT" --stats --duration 150 || exit 1
MAC=$(echo_mac 0)

# --- /mpdk/stacks
out=$(tel /mpdk/stacks) || { fail "/mpdk/stacks: $out"; finish; }
log "/mpdk/stacks: $out"
check "$out" '"0" in r and r["0"]["engines"] >= 1 and r["0"]["ethdev_ports"] == "0"' >/dev/null ||
	fail "/mpdk/stacks: want stack 0 with ethdev port 0"
# the command list carries our commands
out=$(tel /)
for c in stacks stats drops conns subflows; do
	echo "$out" | grep -q "\"/mpdk/$c\"" || fail "/ does not list /mpdk/$c"
done
out=$(tel /help,/mpdk/conns)
echo "$out" | grep -q 'TCP connections and listeners' || fail "/help,/mpdk/conns: $out"

# --- pings, then /mpdk/stats
sent=$(in_ns ping -c "$PINGS" -i 0.2 -W 2 "$NET.2" 2>&1 | sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p')
log "ping: transmitted/received: $sent"
[ "$sent" = "$PINGS $PINGS" ] || fail "ping: want $PINGS/$PINGS, got '$sent'"
out=$(tel /mpdk/stats,0) || fail "/mpdk/stats,0: $out"
req=$(check "$out" 'r["icmp_echo_requests"]')
rep=$(check "$out" 'r["icmp_echo_replies_sent"]')
n=$(check "$out" 'len(r)')
log "/mpdk/stats,0: $n counters; icmp_echo_requests $req icmp_echo_replies_sent $rep"
[ "$req" = "$PINGS" ] || fail "/mpdk/stats: icmp_echo_requests $req, want $PINGS (the pings sent)"
[ "$rep" = "$PINGS" ] || fail "/mpdk/stats: icmp_echo_replies_sent $rep, want $PINGS"
[ "${n:-0}" -ge 100 ] || fail "/mpdk/stats: only $n counters"
# by name, with a prefix filter
out=$(tel /mpdk/stats,mpdk-echo,icmp_echo) || fail "/mpdk/stats,mpdk-echo,icmp_echo: $out"
check "$out" 'set(r) == {"icmp_echo_requests", "icmp_echo_replies_sent", "icmp_echo_replies_rx", "icmp_echo_requests_sent"}' >/dev/null ||
	fail "/mpdk/stats by name with prefix icmp_echo: $out"

# --- /mpdk/drops
out=$(tel /mpdk/drops,0) || fail "/mpdk/drops,0: $out"
n=$(check "$out" 'len(r)') || fail "/mpdk/drops: not an object: $out"
log "/mpdk/drops,0: $n drop counters, non-zero: $(check "$out" '{k: v for k, v in r.items() if v}')"
check "$out" 'isinstance(r, dict) and len(r) >= 20 and "ip_rx_bad_cksum" in r and "tcp_rx_bad_cksum" in r' >/dev/null ||
	fail "/mpdk/drops: want a JSON object with the checksum drop counters"
check "$out" '"icmp_echo_requests" not in r and "ip_rx_packets" not in r and "port_rx_frames" not in r' >/dev/null ||
	fail "/mpdk/drops lists counters that are not drops"

# --- /mpdk/conns while a Linux client holds a connection open
cat >"$WORK/hold.py" <<'PY'
# hold.py HOST PORT READYFILE SECONDS [mptcp]: connect (with IPPROTO_MPTCP
# when asked), echo 1000 bytes, print the local address, hold it open.
import socket, sys, time
host, port, ready, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
proto = 262 if len(sys.argv) > 5 else 0   # IPPROTO_MPTCP
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
s.settimeout(10)
s.connect((host, port))
msg = b"telemetry!" * 100
s.sendall(msg)
got = b""
while len(got) < len(msg):
    b = s.recv(65536)
    if not b:
        break
    got += b
assert got == msg, "echo differs"
print("local %s:%d" % s.getsockname(), flush=True)
open(ready, "w").close()
time.sleep(hold)
s.close()
PY
in_ns timeout 60 "$PYTHON" "$WORK/hold.py" "$NET.2" "$PORT" "$WORK/ready" 30 >"$WORK/hold.log" 2>&1 &
HOLD=$!
CLEANUPS+=("kill_tree $HOLD")
for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
[ -e "$WORK/ready" ] || fail "Linux client did not connect: $(cat "$WORK/hold.log")"
cli=$(sed -n 's/^local //p' "$WORK/hold.log")
log "Linux client $cli connected to $NET.2:$PORT"
out=$(tel /mpdk/conns,0) || fail "/mpdk/conns,0: $out"
log "/mpdk/conns,0: $out"
check "$out" '[c for c in r.values() if isinstance(c, dict) and c["state"] == "LISTEN" and c["local"].endswith(":'"$PORT"'")]' >/dev/null ||
	fail "/mpdk/conns: no listener on port $PORT"
est=$(check "$out" '[c for c in r.values() if isinstance(c, dict) and c["state"] == "ESTABLISHED" and c["local"] == "'"$NET.2:$PORT"'" and c["remote"] == "'"$cli"'"]') ||
	fail "/mpdk/conns: no ESTABLISHED connection $NET.2:$PORT <-> $cli"
check "$out" 'all(c["srtt_us"] > 0 and c["cwnd"] > 0 and c["bytes_in"] == 1000 and c["bytes_out"] == 1000 for c in r.values() if isinstance(c, dict) and c["state"] == "ESTABLISHED")' >/dev/null ||
	fail "/mpdk/conns: want srtt_us > 0, cwnd > 0 and 1000 bytes each way: $est"
check "$out" 'r["total"] == 2 and "stale" not in r' >/dev/null ||
	fail "/mpdk/conns: want total 2 (listener + connection), fresh snapshot"
out=$(tel /mpdk/conns,0,1) || fail "/mpdk/conns,0,1: $out"
check "$out" 'len([c for c in r.values() if isinstance(c, dict)]) == 1' >/dev/null ||
	fail "/mpdk/conns,0,1 (from the second row): want one row: $out"
out=$(tel /mpdk/subflows,0) || fail "/mpdk/subflows,0: $out"
log "/mpdk/subflows,0 (plain TCP client): $out"
check "$out" 'r["total"] == 0' >/dev/null || fail "/mpdk/subflows: want no subflows for plain TCP"

# --- /mpdk/subflows with an MPTCP client (Linux's kernel MPTCP), when the
# kernel has it
if in_ns sysctl -qw net.mptcp.enabled=1 2>/dev/null; then
	in_ns timeout 60 "$PYTHON" "$WORK/hold.py" "$NET.2" "$PORT" "$WORK/ready2" 30 mptcp \
		>"$WORK/hold2.log" 2>&1 &
	HOLD2=$!
	CLEANUPS+=("kill_tree $HOLD2")
	for _ in $(seq 100); do [ -e "$WORK/ready2" ] && break; sleep 0.1; done
	[ -e "$WORK/ready2" ] || fail "Linux MPTCP client did not connect: $(cat "$WORK/hold2.log")"
	cli2=$(sed -n 's/^local //p' "$WORK/hold2.log")
	log "Linux MPTCP client $cli2 connected to $NET.2:$PORT"
	out=$(tel /mpdk/subflows,0) || fail "/mpdk/subflows,0: $out"
	log "/mpdk/subflows,0: $out"
	check "$out" 'r["total"] == 1 and [f for f in r.values() if isinstance(f, dict) and f["conn_state"] == "ESTABLISHED" and f["state"] == "ESTABLISHED" and f["initial"] == 1 and f["local"] == "'"$NET.2:$PORT"'" and f["remote"] == "'"$cli2"'" and f["bytes_in"] == 1000]' >/dev/null ||
		fail "/mpdk/subflows: want the MPTCP connection's initial subflow $NET.2:$PORT <-> $cli2, ESTABLISHED, 1000 bytes in"
	out=$(tel /mpdk/conns,0) || fail "/mpdk/conns,0: $out"
	check "$out" 'r["total"] == 3 and [c for c in r.values() if isinstance(c, dict) and c["remote"] == "'"$cli2"'" and c["mptcp"] == 1]' >/dev/null ||
		fail "/mpdk/conns: want the MPTCP subflow among 3 rows, marked mptcp 1: $out"
	kill_tree "$HOLD2"
	wait "$HOLD2" 2>/dev/null
else
	log "kernel without MPTCP: /mpdk/subflows with an MPTCP peer not checked"
fi

# --- errors: unknown stack, bad start -> null reply
for c in /mpdk/stats,7 /mpdk/conns,nosuchstack /mpdk/conns,0,x; do
	out=$(tel "$c")
	check "$out" 'r is None' >/dev/null 2>&1 || fail "$c: want null, got $out"
done

kill_tree "$HOLD"
wait "$HOLD" 2>/dev/null
stop_echo
grep -Eq '^mpdk-echo: tcp: [12] accepted' "$WORK/echo.log" || fail "mpdk-echo did not count the connections"
finish
