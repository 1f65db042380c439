# shellcheck shell=bash
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
	rm -rf "/var/run/dpdk/$TAG" 2>/dev/null
	# KEEP_WORK=1 keeps the logs and pcaps for a look afterwards
	if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK" 2>/dev/null; fi
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

# ---------------------------------------------------------------- TCP tests

# A veth pair for net_af_packet: $V_MPDK in the root namespace (driven by
# mpdk, no IP address) and $V_LNX in $NS with address $1.1/24. Offloads are
# off on both ends: mpdk's af_packet port neither computes nor accepts
# partial checksums, and GSO/GRO would hand it frames larger than the MTU
# (truncated by the af_packet ring). Returns non-zero if an offload stays on.
setup_veth() {
	local net=$1 dev f
	V_MPDK="mpv$$m"
	V_LNX="mpv$$l"
	ip link add "$V_MPDK" type veth peer name "$V_LNX" || return 1
	CLEANUPS+=("ip link del $V_MPDK")
	ip link set "$V_LNX" netns "$NS" || return 1
	sysctl -qw "net.ipv6.conf.$V_MPDK.disable_ipv6=1" 2>/dev/null || true
	in_ns sysctl -qw "net.ipv6.conf.$V_LNX.disable_ipv6=1" 2>/dev/null || true
	ip -n "$NS" addr add "$net.1/24" dev "$V_LNX"
	ip -n "$NS" link set "$V_LNX" up
	ip link set "$V_MPDK" up
	for f in tx rx tso gso gro; do
		ethtool -K "$V_MPDK" "$f" off >/dev/null 2>&1
		in_ns ethtool -K "$V_LNX" "$f" off >/dev/null 2>&1
	done
	for dev in "$V_MPDK" "$V_LNX"; do
		local k
		if [ "$dev" = "$V_MPDK" ]; then k=$(ethtool -k "$dev"); else k=$(in_ns ethtool -k "$dev"); fi
		for f in tx-checksumming tcp-segmentation-offload generic-segmentation-offload \
			generic-receive-offload; do
			if echo "$k" | grep -q "^$f: on"; then
				echo "setup_veth: $f still on for $dev"
				return 1
			fi
		done
	done
}

# Start mpdk-echo as the TCP echo server on a fresh veth pair ($1 = the /24,
# mpdk gets $1.2) with net_af_packet; extra stack/app options follow.
start_echo_af_packet() {
	local net=$1
	shift
	start_echo -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
		--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" -- \
		--addr "0:$net.2/24" "$@"
}

PYTHON=$(command -v python3 2>/dev/null || true)
require_python() {
	[ -n "$PYTHON" ] || { echo "SKIP: python3 not installed"; exit $SKIP; }
}

# Linux's side of the TCP tests, run with "in_ns $PYTHON $WORK/tcp_peer.py":
#   echo-clients HOST PORT CONNS BYTES TIMEOUT [STALL]: CONNS connections at
#     once (all established before any sends), each sends BYTES random
#     bytes, half-closes, reads the echo to EOF and compares (byte for byte
#     and sha256); one line per failure, then "summary ..."; exit 0 when all
#     came back identical. STALL > 0: a 64 KB receive buffer and no reading
#     for the first STALL seconds (both sides' windows close).
#   sink-server PORT READYFILE TIMEOUT [SEED]: accept one connection, read
#     to EOF, close; print "received N bytes sha256 HEX" (and whether that is
#     the sha256 of mpdk-echo's byte stream for --seed SEED).
#   echo-server PORT READYFILE TIMEOUT [FLIP]: accept one connection, echo
#     it to EOF (flipping a bit of byte FLIP when given), close.
write_tcp_peer() {
	cat >"$WORK/tcp_peer.py" <<'PY'
import hashlib, os, socket, sys, threading, time

def echo_client(idx, host, port, nbytes, timeout, barrier, results, stall):
    r = {"idx": idx, "ok": False, "err": None, "sent": 0, "rcvd": 0}
    results[idx] = r
    data = os.urandom(nbytes)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        if stall > 0:
            # a small receive buffer, so that Linux's window closes while
            # this client does not read
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.connect((host, port))
    except Exception as e:
        r["err"] = "connect: %r" % (e,)
        barrier.abort()
        return
    try:
        barrier.wait(timeout)
    except threading.BrokenBarrierError:
        r["err"] = r["err"] or "not all connections established"
        s.close()
        return
    t0 = time.monotonic()
    send_err = []
    def sender():
        try:
            s.sendall(data)
            r["sent"] = nbytes
            s.shutdown(socket.SHUT_WR)
        except Exception as e:
            send_err.append("send: %r" % (e,))
    th = threading.Thread(target=sender, daemon=True)
    th.start()
    if stall > 0:
        time.sleep(stall)
    got = bytearray()
    try:
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            got += b
            if len(got) > nbytes:
                break
    except Exception as e:
        r["err"] = "recv after %d bytes: %r" % (len(got), e)
    th.join(timeout)
    s.close()
    r["rcvd"] = len(got)
    r["secs"] = time.monotonic() - t0
    if send_err and not r["err"]:
        r["err"] = send_err[0]
    if r["err"]:
        return
    if bytes(got) != data:
        n = min(len(got), nbytes)
        i = next((k for k in range(n) if got[k] != data[k]), n)
        r["err"] = "echo differs: %d of %d bytes came back, first difference at byte %d" % (
            len(got), nbytes, i)
        return
    if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
        r["err"] = "sha256 differs"
        return
    r["ok"] = True

def echo_clients(host, port, conns, nbytes, timeout, stall):
    barrier = threading.Barrier(conns)
    results = [None] * conns
    t0 = time.monotonic()
    ths = [threading.Thread(target=echo_client, args=(i, host, port, nbytes, timeout, barrier,
                                                      results, stall), daemon=True)
           for i in range(conns)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(max(0.1, timeout - (time.monotonic() - t0)))
    secs = time.monotonic() - t0
    ok = 0
    for i, r in enumerate(results):
        if r is None or ths[i].is_alive():
            print("conn %d: still running after %.0f s" % (i, timeout))
        elif r["ok"]:
            ok += 1
        else:
            print("conn %d: %s" % (i, r["err"]))
    total = sum(r["rcvd"] for r in results if r)
    print("summary %d/%d connections echoed %d bytes each identical; %d bytes back in %.2f s "
          "(%.1f Mbit/s each way)" % (ok, conns, nbytes, total, secs, total * 8 / secs / 1e6))
    sys.stdout.flush()
    os._exit(0 if ok == conns else 1)

def stream(seed, n):
    """mpdk-echo's client bytes for --seed (docs/cli.md): splitmix64 words, little end first."""
    import struct
    M = (1 << 64) - 1
    out = bytearray((n + 7) // 8 * 8)
    for i in range((n + 7) // 8):
        z = (seed + (i + 1) * 0x9e3779b97f4a7c15) & M
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
        struct.pack_into("<Q", out, 8 * i, z ^ (z >> 31))
    return bytes(out[:n])

def sink_server(port, ready, timeout, seed=None):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(timeout)
    open(ready, "w").close()
    s, peer = ls.accept()
    s.settimeout(timeout)
    h = hashlib.sha256()
    n = 0
    t0 = time.monotonic()
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    secs = time.monotonic() - t0
    s.close()
    print("received %d bytes sha256 %s from %s:%d in %.2f s" % (n, h.hexdigest(), peer[0],
                                                                peer[1], secs))
    if seed is not None:
        want = hashlib.sha256(stream(seed, n)).hexdigest()
        print("the stream of seed %d has sha256 %s: %s" % (
            seed, want, "same" if want == h.hexdigest() else "DIFFERENT"))

def echo_server(port, ready, timeout, corrupt):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(timeout)
    open(ready, "w").close()
    s, peer = ls.accept()
    s.settimeout(timeout)
    n = 0
    while True:
        try:
            b = s.recv(1 << 16)
        except ConnectionResetError:
            print("connection reset by the client after %d bytes" % n)
            return
        if not b:
            break
        if n <= corrupt < n + len(b):
            b = bytearray(b)
            b[corrupt - n] ^= 0x01
            b = bytes(b)
        n += len(b)
        try:
            s.sendall(b)
        except ConnectionResetError:
            print("connection reset by the client after %d bytes" % n)
            return
    s.close()
    print("echoed %d bytes to %s:%d%s" % (n, peer[0], peer[1],
                                           " (byte %d flipped)" % corrupt if corrupt >= 0 else ""))

if __name__ == "__main__":
    a = sys.argv
    if a[1] == "echo-clients":
        echo_clients(a[2], int(a[3]), int(a[4]), int(a[5]), float(a[6]),
                     float(a[7]) if len(a) > 7 else 0)
    elif a[1] == "echo-server":
        echo_server(int(a[2]), a[3], float(a[4]), int(a[5]) if len(a) > 5 else -1)
    elif a[1] == "sink-server":
        sink_server(int(a[2]), a[3], float(a[4]), int(a[5]) if len(a) > 5 else None)
    else:
        sys.exit("unknown command " + a[1])
PY
}

# The TCP analysis of a pcap written by mpdk ($1; $2 = mpdk's IPv4
# address). tshark marks what a capture shows about TCP's behaviour; this
# fails on what must not appear in a capture taken at mpdk itself:
#  - a bad IPv4 or TCP checksum (af_packet has no offload: the captured
#    checksums are the ones on the wire);
#  - a malformed frame, or no TCP at all;
#  - tcp.analysis.lost_segment on mpdk's own segments: every segment mpdk
#    sent is in the file, so a gap means it skipped sequence space;
#  - tcp.analysis.ack_lost_segment in either direction: an ACK for data
#    that never appears in the file (sent by neither side).
# Allowed, and counted in the log: retransmissions (fast, RTO, spurious),
# duplicate ACKs and out-of-order marks (both follow losses, e.g. frames
# the af_packet ring dropped, which are also Linux's lost_segment marks),
# window updates, full and zero windows and their probes (flow control:
# the echo server stops reading while its send buffer is full), keepalives.
check_tcp_pcap() {
	local f=$1 me=$2 ok=1
	command -v tshark >/dev/null || { log "tshark not installed: pcap not checked"; return 0; }
	[ -s "$f" ] || { fail "pcap $f missing or empty"; return 0; }
	local ts="timeout 120 tshark -n -r $f"
	local frames tcp
	frames=$($ts 2>/dev/null | wc -l)
	tcp=$($ts -Y tcp 2>/dev/null | wc -l)
	log "pcap: $frames frames, $tcp TCP"
	[ "$tcp" -gt 0 ] || { fail "pcap: no TCP frames"; ok=0; }
	local bad badf
	# A TCP checksum field of 0xffff where 0x0000 is computed is the other
	# representation of zero in one's complement: valid on the wire
	# (RFC 1624 §3) and accepted by mpdk (test_cksum), but tshark marks it
	# Bad. Linux's incremental checksum updates emit it now and then.
	badf=$($ts -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y '(tcp.checksum.status == "Bad" && !(tcp.checksum == 0xffff && tcp.checksum_calculated == 0x0000)) || ip.checksum.status == "Bad"' 2>/dev/null)
	if [ -n "$badf" ]; then
		fail "pcap: $(echo "$badf" | wc -l) frames with a bad IPv4 or TCP checksum:"
		echo "$badf" | head -5
		ok=0
	fi
	bad=$($ts -Y '_ws.malformed' 2>/dev/null | wc -l)
	[ "$bad" -eq 0 ] || { fail "pcap: $bad malformed frames"; ok=0; }
	local flags
	flags=$($ts -T fields -e tcp.analysis.retransmission -e tcp.analysis.fast_retransmission \
		-e tcp.analysis.spurious_retransmission -e tcp.analysis.duplicate_ack \
		-e tcp.analysis.out_of_order -e tcp.analysis.lost_segment \
		-e tcp.analysis.window_update -e tcp.analysis.window_full -e tcp.analysis.zero_window \
		-Y tcp.analysis.flags 2>/dev/null | awk -F'\t' '
		{ for (i = 1; i <= NF; i++) if ($i != "") n[i]++ }
		END { split("retransmission fast_retransmission spurious_retransmission duplicate_ack out_of_order lost_segment window_update window_full zero_window", nm, " ");
		      for (i = 1; i <= 9; i++) printf "%s %d, ", nm[i], n[i] }')
	log "pcap: tcp.analysis: ${flags%, }"
	bad=$($ts -Y "tcp.analysis.lost_segment && ip.src == $me" 2>/dev/null | wc -l)
	[ "$bad" -eq 0 ] || { fail "pcap: $bad segments from mpdk after a gap in its own sequence space (tcp.analysis.lost_segment)"; ok=0; }
	bad=$($ts -Y 'tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
	[ "$bad" -eq 0 ] || { fail "pcap: $bad ACKs of segments not in the capture (tcp.analysis.ack_lost_segment)"; ok=0; }
	local unexpected
	unexpected=$($ts -Y 'tcp.analysis.flags && !tcp.analysis.retransmission && !tcp.analysis.fast_retransmission && !tcp.analysis.spurious_retransmission && !tcp.analysis.duplicate_ack && !tcp.analysis.out_of_order && !tcp.analysis.window_update && !tcp.analysis.window_full && !tcp.analysis.zero_window && !tcp.analysis.zero_window_probe && !tcp.analysis.zero_window_probe_ack && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack && !(tcp.analysis.lost_segment && ip.src != '"$me"')' 2>/dev/null)
	if [ -n "$unexpected" ]; then
		fail "pcap: $(echo "$unexpected" | wc -l) frames with other TCP analysis flags:"
		echo "$unexpected" | head -20
		ok=0
	fi
	[ $ok = 1 ] && log "pcap: frames dissect as TCP; no bad checksums, no TCP analysis errors"
	return 0
}
