#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop, MPTCP v1 (RFC 8684 §3.7): a DSS checksum failure on the only
# subflow falls back to TCP (MP_FAIL + infinite mapping) instead of
# resetting, against Linux's kernel MPTCP with net.mptcp.checksum_enabled=1.
#
# The path is mpdk-echo (net_af_packet) <-> a "middlebox" namespace <->
# Linux. The middlebox is a small Python bridge (AF_PACKET on two veths)
# that rewrites ONE payload byte of one TCP data segment and fixes the TCP
# checksum, as a payload-rewriting middlebox would (this kernel has no tc
# pedit). A Linux Python IPPROTO_MPTCP client sends BYTES through
# mpdk-echo's echo and compares what comes back.
#   MODE rx: the byte is changed on its way from Linux to mpdk. mpdk finds
#            the checksum wrong, sends MP_FAIL on an ACK and falls back
#            (mptcp_mp_fail_fallback 1); Linux answers (MPTcpExtMPFailRx);
#            the connection is not reset and the echo comes back complete,
#            differing from what was sent in exactly the one changed byte
#            (delivered as TCP delivered it, as Linux does).
#            Linux's MP_FAIL comes on a pure ACK; it then sends what it
#            had queued on the subflow with no DSS at all, then the
#            infinite mapping (InfiniteMapTx) on every segment of the next
#            skb; mpdk, fallen back on that MP_FAIL, takes all of it as
#            plain TCP (unit test test_csum_fail_linux_order_plain_then_
#            infinite replays this order).
#            The client clamps its MSS (TCP_MAXSEG 1400), in tx mode too,
#            to get around a Linux 6.18 bug: after its fallback Linux sizes
#            segments with no MPTCP option space (options.c,
#            mptcp_established_options(): "__mptcp_check_fallback(msk) &&
#            !mptcp_check_infinite_map(skb)" -> no option, which is what
#            tcp_current_mss() sees with skb == NULL), but the skb marked
#            by mptcp_update_infinite_map() (protocol.c, mptcp_sendmsg_frag)
#            still carries a full DSS (64-bit DSN and DATA_ACK, checksum:
#            28 bytes). With the peer's MSS 1460 that is 1448 payload +
#            20 TCP + 40 option + 20 IP = a 1528-byte datagram on a 1500
#            MTU: ip_fragment() refuses it (DF), so the infinite mapping
#            never leaves Linux and the stream stalls behind it. Measured
#            without the clamp (KEEP_WORK=1, 2 MB): Linux nstat
#            IpFragFails 4332 = IcmpOutDestUnreachs = IcmpInDestUnreachs
#            (its own ICMP "fragmentation needed", counted as
#            TcpExtOutOfWindowIcmps), ss: timer:(persist) notsent 984864
#            snd_wnd 262144 bytes_acked frozen while bytes_sent grows; in
#            mpdk's pcap Linux's MP_FAIL is frame 225, its option-less
#            queued data frames 226-325 (relative seq 203309-292769), and
#            the segment at 292769 that carries the infinite mapping never
#            arrives, and Linux's ACKs for mpdk's data go out only as
#            D-SACK answers to mpdk's retransmissions (its delayed ACKs
#            ride on the dropped segment: TcpExtDelayedACKLost). With the
#            clamp the infinite-mapping segments arrive (IP length 1468 =
#            20 + 20 + 12 TS + 28 DSS + 1388) and the echo completes. The
#            check IpFragFails = 0 below catches a return of the bug.
#   MODE tx: the byte is changed on its way from mpdk to Linux. Linux finds
#            the checksum wrong (MPTcpExtDataCsumErr, MPTcpExtMPFailTx);
#            mpdk answers with MP_FAIL and an infinite mapping
#            (mptcp_mp_fail_rx_fallback, mptcp_infinite_map_tx) and the
#            connection completes, one byte different, no reset.
#            Our side is plain TCP from that answer on, Linux's only once
#            it gets our infinite mapping. Seen in captures (2026-11-25):
#            right after its MP_FAIL, Linux sends again one byte it had
#            sent already (by the look of it its data-level zero-window
#            probe, which re-sends the byte before snd_una), on a new
#            subflow sequence number. With its
#            mapping on (before its fallback), mpdk drops it as a
#            duplicate (rx_peer_maps, mptcp_rx_data_dup 1;
#            test_mp_fail_rx_peer_still_mapped); the old code delivered it
#            as new data and the echo diverged from there (one loaded run
#            in ~30). But 2 runs in 40 (idle machine) the probe leaves
#            Linux after its fallback, with no MPTCP option: a plain TCP
#            byte that duplicates one of the data stream. Linux's own
#            wire stream is then what its application wrote with one byte
#            doubled (checked against sent.bin); after a fallback TCP's
#            stream is the data stream (§3.7), so no receiver can tell,
#            and mpdk echoes exactly Linux's wire stream. A Linux 6.18 bug.
#            tx stays out of the suite: in about a third of loaded runs
#            Linux ends with a FIN after its pre-fallback bytes and never
#            sends the rest (see below; the run is skipped, 77). Last
#            measured (2026-11-25, HEAD with the window-update fix, which
#            ended a one-in-40 stall): 40 of 40 pass on the idle VM; 25
#            pass, 15 skip, 0 fail with two CPU hogs running.
#
# usage: mptcp_fail.sh PATH/TO/mpdk-echo rx|tx [BYTES]   (root; exit 77 = skipped)
ECHO=${1:?usage: mptcp_fail.sh PATH/TO/mpdk-echo rx|tx [BYTES]}
MODE=${2:?usage: mptcp_fail.sh PATH/TO/mpdk-echo rx|tx [BYTES]}
BYTES=${3:-2000000}
. "$(dirname "$0")/lib.sh"
case "$MODE" in rx | tx) ;; *) echo "unknown mode $MODE"; exit 2 ;; esac
require_netns
require_python
NET=10.99.0
PORT=7
MB="${TAG}-mb"
T0=$(date +%s)

in_ns sysctl -qw net.mptcp.enabled=1 || { echo "SKIP: no net.mptcp in this kernel"; exit $SKIP; }
in_ns sysctl -qw net.mptcp.checksum_enabled=1 || { echo "SKIP: no net.mptcp.checksum_enabled"; exit $SKIP; }
ip netns add "$MB" || exit 1
CLEANUPS+=("ip netns del $MB")
ip -n "$MB" link set lo up
V_MPDK="mfa$$m"; V_MBA="mfa$$b"; V_MBB="mfb$$b"; V_LNX="mfb$$l"
ip link add "$V_MPDK" type veth peer name "$V_MBA" || exit 1
CLEANUPS+=("ip link del $V_MPDK")
ip link add "$V_MBB" type veth peer name "$V_LNX" || exit 1
CLEANUPS+=("ip -n $MB link del $V_MBB")
ip link set "$V_MBA" netns "$MB"
ip link set "$V_MBB" netns "$MB"
ip link set "$V_LNX" netns "$NS"
sysctl -qw "net.ipv6.conf.$V_MPDK.disable_ipv6=1" 2>/dev/null || true
for d in "$V_MBA" "$V_MBB"; do
	ip netns exec "$MB" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" 2>/dev/null || true
	ip -n "$MB" link set "$d" up promisc on
done
in_ns sysctl -qw "net.ipv6.conf.$V_LNX.disable_ipv6=1" 2>/dev/null || true
ip -n "$NS" addr add "$NET.1/24" dev "$V_LNX"
ip -n "$NS" link set "$V_LNX" up
ip link set "$V_MPDK" up
for f in tx rx tso gso gro; do
	ethtool -K "$V_MPDK" "$f" off >/dev/null 2>&1
	in_ns ethtool -K "$V_LNX" "$f" off >/dev/null 2>&1
	ip netns exec "$MB" ethtool -K "$V_MBA" "$f" off >/dev/null 2>&1
	ip netns exec "$MB" ethtool -K "$V_MBB" "$f" off >/dev/null 2>&1
done
in_ns ip mptcp endpoint flush
in_ns ip mptcp limits set subflow 0 add_addr_accepted 0

# The middlebox: bridge $V_MBA (mpdk side) and $V_MBB (Linux side); the
# NTH TCP segment with at least 500 payload bytes going the chosen way
# gets payload byte 300 inverted and its TCP checksum recomputed.
cat >"$WORK/mbox.py" <<'PY'
import select, socket, struct, sys
ifa, ifb, way, nth, logf = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def sock(ifn):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((ifn, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    return s
a, b = sock(ifa), sock(ifb)
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
seen = 0
done = False
log = open(logf, "w")
while True:
    r, _, _ = select.select([a, b], [], [], 200)
    if not r:
        break
    for s in r:
        f, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        out = b if s is a else a
        fromside = "mpdk" if s is a else "linux"
        if not done and fromside == way and len(f) > 34 and f[12:14] == b"\x08\x00" and f[23] == 6:
            ihl = (f[14] & 0xf) * 4
            tot = struct.unpack("!H", f[16:18])[0]
            t0 = 14 + ihl
            thl = (f[t0 + 12] >> 4) * 4
            plen = tot - ihl - thl
            if plen >= 500:
                seen += 1
                if seen == nth:
                    f = bytearray(f)
                    p = t0 + thl + 300
                    old = f[p]
                    f[p] ^= 0xff
                    f[t0 + 16:t0 + 18] = b"\0\0"
                    ph = bytes(f[26:34]) + struct.pack("!BBH", 0, 6, tot - ihl)
                    c = csum(ph + bytes(f[t0:14 + tot]))
                    f[t0 + 16:t0 + 18] = struct.pack("!H", c)
                    seq = struct.unpack("!I", f[t0 + 4:t0 + 8])[0]
                    log.write("changed byte 300 of a %d-byte segment from %s, seq %u: 0x%02x -> 0x%02x\n"
                              % (plen, fromside, seq, old, f[p]))
                    log.flush()
                    done = True
                    f = bytes(f)
        out.send(f)
PY
WAY=linux
[ "$MODE" = tx ] && WAY=mpdk
ip netns exec "$MB" "$PYTHON" "$WORK/mbox.py" "$V_MBA" "$V_MBB" "$WAY" 40 "$WORK/mbox.log" \
	>"$WORK/mbox.out" 2>&1 &
MBOX=$!
CLEANUPS+=("kill $MBOX")

# The Linux client: BYTES of random data through the echo; the verdict
# counts the bytes that differ. The client clamps its MSS (TCP_MAXSEG)
# so that Linux's own infinite-mapping segment fits the 1500-byte MTU:
# see the header (a Linux 6.18 sizing bug, not mpdk's). Both modes need
# it: in tx mode Linux too sends an infinite mapping, after it receives
# our MP_FAIL echo, whenever it still has data to send then (about one
# run in three here: the same stall, IpFragFails > 0).
MAXSEG=1400
cat >"$WORK/client.py" <<'PY'
import os, socket, sys, threading
host, port, n, maxseg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = os.urandom(n)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, getattr(socket, "IPPROTO_MPTCP", 262))
if maxseg:
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, maxseg)
s.settimeout(60)
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
try:
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        got += b
except Exception as e:
    err.append(e)
th.join()
s.close()
if len(sys.argv) > 5:  # both streams, for the checks below (and KEEP_WORK)
    open(sys.argv[5] + "/sent.bin", "wb").write(data)
    open(sys.argv[5] + "/got.bin", "wb").write(got)
diff = [i for i in range(min(len(got), n)) if got[i] != data[i]]
print("sent %d received %d differing %d at %s%s" % (n, len(got), len(diff), diff[:5],
      " errors %r" % err if err else ""))
sys.exit(0 if not err and len(got) == n else 1)
PY

nstat_ns() { in_ns nstat -az 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
start_echo -l "${MPDK_LCORE:-1}" --no-huge --no-pci -m 512 --file-prefix "$TAG" \
	--log-level lib.eal:warning --vdev "net_af_packet0,iface=$V_MPDK" -- --addr "0:$NET.2/24" \
	-p "$PORT" --stats --pcap "$WORK/echo.pcap" --duration 170 || exit 1
in_ns nstat -n >/dev/null 2>&1
log "Linux MPTCP client (checksums on): $BYTES bytes through a middlebox that changes one byte ($MODE)"
out=$(timeout 150 ip netns exec "$NS" "$PYTHON" "$WORK/client.py" "$NET.2" "$PORT" "$BYTES" "$MAXSEG" "$WORK" 2>&1)
rc=$?
echo "$out"
cat "$WORK/mbox.log" 2>/dev/null
client_rc=$rc
grep -q "^changed byte" "$WORK/mbox.log" 2>/dev/null || fail "the middlebox changed no byte"
# tx mode, the one case the echo may differ by more than the changed
# byte without mpdk at fault (see the header): Linux's own wire stream
# (Linux -> mpdk in mpdk's capture) is what its client wrote with one
# byte doubled, and mpdk echoed exactly that stream.
LINUX_DUP=
if [ "$MODE" = tx ] && ! echo "$out" | grep -q "differing 1 at .*[0-9]\]$"; then
	LINUX_DUP=$(timeout 120 "$PYTHON" - "$WORK" <<'PY'
import subprocess, sys
w = sys.argv[1]
raw = subprocess.run(["tshark", "-n", "-r", w + "/echo.pcap", "-q", "-z", "follow,tcp,raw,0"],
                     capture_output=True, text=True).stdout
a, b, on = bytearray(), bytearray(), False
for l in raw.split("\n"):
    if l.startswith("Node 1:"):
        on = True
    elif on and l.strip() and not l.startswith("==="):
        (b if l.startswith("\t") else a).extend(bytes.fromhex(l.strip()))
sent = open(w + "/sent.bin", "rb").read()
# a: Linux's wire stream (Node 0, the client), b: mpdk's echo
d = next((k for k in range(min(len(a), len(sent))) if a[k] != sent[k]), None)
if a and b == a and d is not None and d > 0 and a[d] == a[d - 1] and \
        a[:d] + a[d + 1:] == sent[:len(a) - 1]:
    print(d)
PY
)
fi
if [ -n "$LINUX_DUP" ]; then
	log "Linux's wire stream is what its client wrote with byte $LINUX_DUP doubled (sent after its fallback, no MPTCP option); mpdk echoed exactly that stream"
else
	echo "$out" | grep -q "differing 1 at" || fail "want exactly one differing byte (the changed one)"
fi
stop_echo
grep '^mpdk-echo: tcp:' "$WORK/echo.log"
grep -q '^mpdk-echo: tcp: 1 accepted, 1 closed, 0 errored' "$WORK/echo.log" ||
	fail "mpdk-echo: the connection did not end cleanly"
# The client must get its whole echo back. One exception, tx mode only,
# seen about one run in five when the CPU is loaded: Linux, falling back
# after its own MP_FAIL, closes its subflow (FIN) right after the bytes
# it had sent, and the rest its application wrote never leaves Linux.
# That is Linux losing its own queued data, recognisable from outside:
# mpdk ACKed (TCP and DATA_ACK) and echoed every byte Linux sent, closed
# cleanly, and Linux's FIN (alone or on its last data segment) sits
# right after those bytes (tcp.nxtseq = bytes + 2: SYN and FIN). The test then
# checks mpdk's side as usual and skips (77) instead of passing.
LINUX_LOST=0
if [ "$client_rc" -ne 0 ] && [ -n "$LINUX_DUP" ]; then
	:
elif [ "$client_rc" -ne 0 ]; then
	n=$(sed -n 's/.*; \([0-9]*\) bytes echoed$/\1/p' "$WORK/echo.log" | tail -1)
	r=$(echo "$out" | sed -n 's/^sent [0-9]* received \([0-9]*\) .*/\1/p')
	finseq=$(timeout 60 tshark -n -r "$WORK/echo.pcap" -Y "ip.src == $NET.1 && tcp.flags.fin == 1" \
		-T fields -e tcp.nxtseq 2>/dev/null | head -1)
	# Bytes Linux sent twice at the data level on the subflow before it
	# fell back (its mappings' DSN - SSN dropped by that much: seen, a
	# 1-byte data-level retransmission right after its MP_FAIL), which
	# mpdk placed by their mapping and dropped as duplicates.
	shift_b=$(timeout 60 tshark -n -r "$WORK/echo.pcap" -Y "ip.src == $NET.1 && tcp.options.mptcp.datalvllen > 0" \
		-T fields -e tcp.options.mptcp.rawdataseqno -e tcp.options.mptcp.subflowseqno 2>/dev/null |
		"$PYTHON" -c '
import sys
offs = []
for l in sys.stdin:
    f = l.split("\t")
    if len(f) == 2 and f[0] and f[1].strip():
        offs.append((int(f[0].split(",")[0]) - int(f[1].split(",")[0])) % 2**64)
print(((offs[0] - offs[-1] + 2**63) % 2**64 - 2**63) if offs else 0)')
	if [ "$MODE" = tx ] && [ -n "$n" ] && [ "$n" = "$r" ] && [ "$n" -lt "$BYTES" ] &&
		[ "${shift_b:-0}" -ge 0 ] && [ "$finseq" = "$((n + 2 + ${shift_b:-0}))" ] &&
		grep -q '^mpdk-echo: tcp: 1 accepted, 1 closed, 0 errored' "$WORK/echo.log"; then
		LINUX_LOST=1
		log "Linux closed after $n of the $BYTES bytes its client wrote (its FIN ends at relative seq $finseq, $shift_b byte(s) of it sent twice at the data level); mpdk echoed all $n: Linux lost its queued data on fallback"
	else
		fail "Linux MPTCP client: exit status $client_rc (echo incomplete: mpdk echoed ${n:-?}, client got ${r:-?}, Linux's FIN ends at ${finseq:-none})"
	fi
fi
in_ns nstat -az 2>/dev/null | grep -E '^MPTcp' | awk '$2 != 0' | sed 's/^/  linux nstat: /'
grep -E '^mptcp_(mp_fail|dss_csum|fallback|infinite)' "$WORK/echo.log" | sed 's/^/  mpdk: /'
want_mpdk() { local v; v=$(echo_counter "$1"); [ "$v" -eq "$2" ] || fail "mpdk: $1 = $v, want $2"; }
want_linux_ge() { local v; v=$(nstat_ns "$1"); [ "${v:-0}" -ge "$2" ] || fail "Linux: $1 = ${v:-0}, want >= $2"; }
want_linux_eq() { local v; v=$(nstat_ns "$1"); [ "${v:-0}" -eq "$2" ] || fail "Linux: $1 = ${v:-0}, want $2"; }
want_mpdk mptcp_mp_fail_tx 0
if [ "$MODE" = rx ]; then
	want_mpdk mptcp_dss_csum_bad 1
	want_mpdk mptcp_mp_fail_fallback 1
	want_mpdk mptcp_fallback_infinite 1
	want_linux_ge MPTcpExtMPFailRx 1
	want_linux_eq MPTcpExtDataCsumErr 0
	# Linux falls back too (§3.7), one of two ways depending on timing:
	# it sends its infinite mapping (InfiniteMapTx) when it has data to
	# send after our MP_FAIL, or it first receives our data without a
	# mapping (DssFallback). Either is right; neither is not.
	im=$(nstat_ns MPTcpExtInfiniteMapTx); df=$(nstat_ns MPTcpExtDssFallback)
	[ $(( ${im:-0} + ${df:-0} )) -ge 1 ] ||
		fail "Linux did not fall back: InfiniteMapTx ${im:-0}, DssFallback ${df:-0}"
	# none of Linux's segments too big for its own MTU (its infinite
	# mapping, see the header): it reached mpdk
	want_linux_eq IpFragFails 0
else
	want_linux_eq IpFragFails 0
	want_mpdk mptcp_dss_csum_bad 0
	want_mpdk mptcp_mp_fail_rx_fallback 1
	want_mpdk mptcp_infinite_map_tx 1
	want_linux_ge MPTcpExtDataCsumErr 1
	want_linux_ge MPTcpExtMPFailTx 1
fi
log "took $(($(date +%s) - T0)) s"
if [ "$LINUX_LOST" = 1 ] && [ "$FAILS" -eq 0 ]; then
	echo "SKIP: mpdk's side checked and right; Linux dropped its own queued data (see above)"
	exit 77
fi
if [ -n "$LINUX_DUP" ] && [ "$FAILS" -eq 0 ]; then
	echo "SKIP: mpdk's side checked and right; Linux doubled a byte of its own stream after its fallback (see above)"
	exit 77
fi
finish
