#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, MPTCP v1 (RFC 8684 §3.3.6): a path goes down in the middle of a
# transfer and the connection carries on over the other one.
#   Linux (client, IPPROTO_MPTCP) connects to mpdk-echo over path 1 and joins
#   a second subflow from its `subflow` endpoint on path 2 (setup as in
#   mptcp_join.sh). Once a third of the echo has come back, the client
#   itself runs `ip link set <path 1 veth> down`: the initial subflow is
#   dead (frames in flight lost, no RST), both ends must reinject what was
#   outstanding on it onto path 2, and the echo of BYTES (default 20 MB)
#   completes byte-identical.
#   Checks: the client's "identical True"; the link really went down while
#   data was outstanding; mpdk's mptcp_join_ack_rx >= 1 and no DSS errors.
#
# usage: mptcp_pathdown.sh PATH/TO/mpdk-echo [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_pathdown.sh PATH/TO/mpdk-echo [BYTES]}
BYTES=${2:-20000000}
. "$(dirname "$0")/lib.sh"
require_netns
require_python
NET=10.97.0
NET2=10.98.0
PORT=7
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
setup_veth "$NET" || exit 1
V2_MPDK="mpd$$m"
V2_LNX="mpd$$l"
ip link add "$V2_MPDK" type veth peer name "$V2_LNX" || exit 1
CLEANUPS+=("ip link del $V2_MPDK")
ip link set "$V2_LNX" netns "$NS"
sysctl -qw "net.ipv6.conf.$V2_MPDK.disable_ipv6=1" 2>/dev/null || true
ip -n "$NS" addr add "$NET2.1/24" dev "$V2_LNX"
ip -n "$NS" link set "$V2_LNX" up
ip link set "$V2_MPDK" up
for f in tx rx tso gso gro; do
	ethtool -K "$V2_MPDK" "$f" off >/dev/null 2>&1
	in_ns ethtool -K "$V2_LNX" "$f" off >/dev/null 2>&1
done
in_ns ip mptcp endpoint flush
in_ns ip mptcp limits set subflow 2 add_addr_accepted 2
in_ns ip mptcp endpoint add "$NET2.1" dev "$V2_LNX" subflow
in_ns ip rule add from "$NET2.1" table 100
in_ns ip route add default via "$NET2.2" dev "$V2_LNX" table 100
# Once path 1 is down Linux has no route to mpdk's first address; the
# connection's remaining subflow is bound to $NET2.1 and uses table 100.

# The client: like mptcp_peer.py's echo client, and when a third of the
# echo is back it takes path 1 down itself (no race with a shell loop).
cat >"$WORK/pathdown_peer.py" <<'PY'
import hashlib, os, socket, subprocess, sys, threading, time
IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)
host, port, nbytes, timeout, dev = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
data = os.urandom(nbytes)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
s.settimeout(timeout)
s.connect((host, port))
err = []
def sender():
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        err.append(e)
th = threading.Thread(target=sender)
th.start()
got = bytearray()
downed_at = None
t0 = time.time()
while True:
    try:
        b = s.recv(1 << 20)
    except Exception as e:
        err.append(e)
        break
    if not b:
        break
    got += b
    if downed_at is None and len(got) >= nbytes // 3:
        downed_at = len(got)
        subprocess.run(["ip", "link", "set", dev, "down"], check=True)
        print("path 1 (%s) down after %d bytes echoed, %.1f s" % (dev, downed_at, time.time() - t0), flush=True)
th.join()
s.close()
same = bytes(got) == data
print("sent %d received %d identical %s sha256 %s %s in %.1f s%s" % (
    nbytes, len(got), same, hashlib.sha256(data).hexdigest()[:16],
    hashlib.sha256(got).hexdigest()[:16], time.time() - t0, " errors %r" % err if err else ""))
sys.exit(0 if same and not err and downed_at is not None and downed_at < nbytes else 1)
PY

start_echo -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" \
	--vdev "net_af_packet1,iface=$V2_MPDK" -- --addr "0:$NET.2/24" --addr "1:$NET2.2/24" \
	-p "$PORT" --stats --duration 170 || exit 1
log "Linux MPTCP client (subflow endpoint $NET2.1): $BYTES bytes to $NET.2:$PORT and back;" \
	"path 1 goes down a third of the way"
out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/pathdown_peer.py" "$NET.2" "$PORT" "$BYTES" 60 \
	"$V_LNX" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "Linux MPTCP client: exit status $rc (transfer not identical or path not downed mid-way)"
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
v=$(echo_counter mptcp_join_ack_rx)
[ "$v" -ge 1 ] || fail "mpdk: mptcp_join_ack_rx = $v, want >= 1"
for c in mptcp_dss_bad_map mptcp_dss_csum_bad; do
	v=$(echo_counter $c)
	[ "$v" -eq 0 ] || fail "mpdk counter $c = $v, want 0"
done
log "mpdk: mptcp_reinject_bytes $(echo_counter mptcp_reinject_bytes) mptcp_data_rtx $(echo_counter mptcp_data_rtx)" \
	"tcp_rto $(echo_counter tcp_rto) tcp_retransmits $(echo_counter tcp_retransmits)"
log "took $(($(date +%s) - T0)) s"
finish
