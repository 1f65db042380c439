#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mpdk-perf's command line, checked on the real binary: exit status 2 and
# exactly one stderr line for every bad option (before the EAL starts), 0
# for --help, and runs on a net_null port (no NIC, no root, no hugepages):
# a server stopped by SIGTERM exits 0, a client whose server never answers
# gives up after --timeout with status 1, and its -J output is still JSON.
#
# usage: perf_cli_test.sh PATH/TO/mpdk-perf
set -u
PERF=${1:?usage: perf_cli_test.sh PATH/TO/mpdk-perf}
fails=0
checks=0
tmp=$(mktemp -d)
cleanup() {
	rm -rf /var/run/dpdk/mpdk-pcli-$$-* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/mpdk-pcli-$$-* 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS 'EXACT STDERR LINE' ARGS...
expect() {
	local want_rc=$1 want_err=$2
	shift 2
	checks=$((checks + 1))
	timeout 30 "$PERF" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	local err
	err=$(cat "$tmp/err")
	if [ "$rc" != "$want_rc" ]; then
		fail "mpdk-perf $*: exit $rc, want $want_rc (stderr: $err)"
	elif [ "$err" != "$want_err" ]; then
		fail "mpdk-perf $*: stderr"
		echo "   got:  $err"
		echo "   want: $want_err"
	fi
}

P=mpdk-perf
SEP='(see --help)'
A="--addr 0:10.0.0.2/24"

# --help
checks=$((checks + 1))
if ! "$PERF" --help >"$tmp/out" 2>"$tmp/err" || [ -s "$tmp/err" ] ||
	! grep -q '^Usage: mpdk-perf \[EAL options\] -- \[stack options\]' "$tmp/out" ||
	! grep -q -- '-c, --client HOST' "$tmp/out" || ! grep -q -- '-P, --parallel STREAMS' "$tmp/out" ||
	! grep -q -- '--endpoint IPV4\[,FLAGS\]' "$tmp/out"; then
	fail "--help: status or text"
fi
expect 0 '' -- -h
expect 0 '' -- $A -s --help

# role
expect 2 "$P: one of -s or -c HOST is required $SEP" -- $A
expect 2 "$P: one of -s or -c HOST is required $SEP" -- $A -t 3
expect 2 "$P: -s and -c are exclusive: a server or a client $SEP" -- $A -s -c 10.0.0.1
expect 2 "$P: no --addr given: nothing to serve $SEP" -- -s

# --app-keys KEYA:KEYB (key mode app, docs/cli.md)
expect 2 "$P: --app-keys needs --key-mode app $SEP" -- $A -s --app-keys 1:2
expect 2 "$P: --app-keys is for iperf3 tests over MPTCP: not with --tcp $SEP" -- $A -s --key-mode app --app-keys 1:2 --tcp
expect 2 "$P: --app-keys is for iperf3 tests over MPTCP: not with --crr $SEP" -- $A -s --key-mode app --app-keys 1:2 --crr
for k in 1 1:1 0:2 zz:1 12345678901234567:1; do
	expect 2 "$P: invalid value for --app-keys: '$k'" -- $A -s --key-mode app --app-keys "$k"
done
# values
expect 2 "$P: invalid value for --client: '10.0.0.300'" -- $A -c 10.0.0.300
# --mtu: 576 (RFC 791's smallest datagram every host takes) .. 9600
for m in 100 575 9601 x 1500x ""; do
	expect 2 "$P: invalid --mtu '$m': bytes from 576 to 9600" -- $A -s --mtu "$m"
done
expect 2 "$P: invalid value for --client: 'host.example'" -- $A -c host.example
expect 2 "$P: invalid value for --port: '0'" -- $A -s -p 0
# -w (iperf3's --window): 4K..4M, K/M suffixes
for w in 0 4095 5M 4097K 1X x; do
	expect 2 "$P: invalid value for --window: '$w'" -- $A -s -w "$w"
done
expect 2 "$P: invalid value for --port: '65536'" -- $A -s -p 65536
expect 2 "$P: invalid value for --time: '0'" -- $A -c 10.0.0.1 -t 0
expect 2 "$P: invalid value for --time: '3s'" -- $A -c 10.0.0.1 -t 3s
expect 2 "$P: invalid value for --time: '86401'" -- $A -c 10.0.0.1 -t 86401
expect 2 "$P: invalid value for --bytes: '10X'" -- $A -c 10.0.0.1 -n 10X
expect 2 "$P: invalid value for --bytes: '0'" -- $A -c 10.0.0.1 -n 0
expect 2 "$P: invalid value for --bytes: '-5'" -- $A -c 10.0.0.1 -n -5
expect 2 "$P: invalid value for --parallel: '0'" -- $A -c 10.0.0.1 -P 0
expect 2 "$P: invalid value for --parallel: '129'" -- $A -c 10.0.0.1 -P 129
expect 2 "$P: invalid value for --interval: '0.05'" -- $A -c 10.0.0.1 -i 0.05
expect 2 "$P: invalid value for --interval: '61'" -- $A -c 10.0.0.1 -i 61
expect 2 "$P: invalid value for --interval: 'x'" -- $A -c 10.0.0.1 -i x
expect 2 "$P: invalid value for --congestion: 'bbr'" -- $A -c 10.0.0.1 -C bbr
expect 2 "$P: invalid value for --timeout: '0'" -- $A -c 10.0.0.1 --timeout 0
expect 2 "$P: invalid value for --scheduler: 'fastest'" -- $A -c 10.0.0.1 --scheduler fastest
expect 2 "$P: invalid value for --endpoint: '10.0.0.2,fast'" -- $A -s --endpoint 10.0.0.2,fast
expect 2 "$P: invalid value for --endpoint: '10.0.0.2,'" -- $A -s --endpoint 10.0.0.2,
expect 2 "$P: invalid value for --endpoint: '10.0.0'" -- $A -s --endpoint 10.0.0
expect 2 "$P: option '--client' requires an argument $SEP" -- $A -c
expect 2 "$P: option '--reverse' takes no argument $SEP" -- $A -c 10.0.0.1 --reverse=1
expect 2 "$P: unknown option '-u' $SEP" -- $A -c 10.0.0.1 -u
expect 2 "$P: unexpected argument 'extra' $SEP" -- $A -s extra
# combinations
expect 2 "$P: --time is a client option: it needs -c HOST $SEP" -- $A -s -t 3
expect 2 "$P: --bytes is a client option: it needs -c HOST $SEP" -- $A -s -n 1M
expect 2 "$P: --parallel is a client option: it needs -c HOST $SEP" -- $A -s -P 2
expect 2 "$P: --reverse is a client option: it needs -c HOST $SEP" -- $A -s -R
expect 2 "$P: --one-off is a server option: it needs -s $SEP" -- $A -c 10.0.0.1 -1
expect 2 "$P: only one test end condition: -t SECONDS or -n BYTES $SEP" -- $A -c 10.0.0.1 -t 3 -n 1M
# the connection modes (--crr, --conns: tests/bench/run.sh)
expect 2 "$P: invalid value for --conns: '0'" -- $A -c 10.0.0.1 --conns 0
expect 2 "$P: invalid value for --conns: '1000001'" -- $A -c 10.0.0.1 --conns 1000001
expect 2 "$P: option '--crr' takes no argument $SEP" -- $A -c 10.0.0.1 --crr=64
expect 2 "$P: --crr and --conns are exclusive $SEP" -- $A -c 10.0.0.1 --crr --conns 10
expect 2 "$P: --crr does not take -n, -R or -C $SEP" -- $A -c 10.0.0.1 --crr -R
expect 2 "$P: --conns does not take -n, -R or -C $SEP" -- $A -c 10.0.0.1 --conns 5 -n 1M
expect 2 "$P: --conns opens N connections: not with --parallel $SEP" -- $A -c 10.0.0.1 --conns 5 -P 2
expect 2 "$P: --endpoint is an MPTCP option: not with --tcp $SEP" -- $A -s --tcp --endpoint 10.0.0.2
# MPTCP controls
expect 2 "$P: invalid --endpoint '10.0.0.9': not one of the addresses given with --addr" \
	-- $A -s --endpoint 10.0.0.9,signal
expect 2 "$P: invalid value for --endpoint: '10.0.0.2'" -- $A -s --endpoint 10.0.0.2 --endpoint 10.0.0.2 \
	--endpoint 10.0.0.2 --endpoint 10.0.0.2 --endpoint 10.0.0.2 --endpoint 10.0.0.2 --endpoint 10.0.0.2 \
	--endpoint 10.0.0.2 --endpoint 10.0.0.2
expect 2 "$P: --scheduler is an MPTCP option: not with --tcp $SEP" -- $A -c 10.0.0.1 --tcp --scheduler redundant

# runs on net_null: the EAL starts (no hugepages, no PCI)
eal() {
	echo -l 0 --no-huge --no-pci -m 256 --file-prefix "mpdk-pcli-$$-$1" --log-level lib.eal:error \
		--vdev net_null0
}
# a server stopped by SIGTERM exits 0
checks=$((checks + 1))
# shellcheck disable=SC2046
"$PERF" $(eal a) -- $A -s >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '^Server listening on 5201 (test #1)' "$tmp/out" && break; sleep 0.1; done
kill -TERM $pid
wait $pid
rc=$?
if [ $rc != 0 ] || ! grep -q '^mpdk-perf: Terminated, stopping after 0 test(s)' "$tmp/out"; then
	fail "server SIGTERM: exit $rc"; cat "$tmp/out" "$tmp/err"
fi
# -w 2M and --mtu 9000 on a port that takes it (net_null: no frame
# limit): the buffers and a pool of one jumbo frame per mbuf are set up
# and the server comes up. One EAL start for both (slow under ASan on a
# loaded machine: up to 30 s), SIGTERM only once it is up or given up on.
checks=$((checks + 1))
# shellcheck disable=SC2046
"$PERF" $(eal w) -- $A -s -w 2M --mtu 9000 >"$tmp/wm.out" 2>"$tmp/wm.err" &
pid=$!
up=0
for _ in $(seq 300); do
	grep -q '^Server listening on 5201 (test #1)' "$tmp/wm.out" && { up=1; break; }
	sleep 0.1
done
kill -TERM $pid
wait $pid
rc=$?
if [ $up != 1 ] || [ $rc != 0 ]; then
	fail "server -w 2M --mtu 9000: up $up, exit $rc"; cat "$tmp/wm.out" "$tmp/wm.err"
fi
# a client whose server never answers: bounded by --timeout, exit 1
checks=$((checks + 1))
# shellcheck disable=SC2046
timeout 30 "$PERF" $(eal b) -- $A -c 10.0.0.1 -t 1 --timeout 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -q '^Connecting to host 10.0.0.1, port 5201' "$tmp/out" ||
	! grep -q '^mpdk-perf: error - timed out after 1 s waiting for the connection to the server' "$tmp/err"; then
	fail "client timeout: exit $rc"; cat "$tmp/out" "$tmp/err"
fi
# ... and with -J its stdout is one JSON document with "error"
checks=$((checks + 1))
# shellcheck disable=SC2046
timeout 30 "$PERF" $(eal c) -- $A -c 10.0.0.1 -J --timeout 1 -p 5999 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ]; then
	fail "client -J timeout: exit $rc"; cat "$tmp/out" "$tmp/err"
elif command -v python3 >/dev/null; then
	if ! python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "timed out" in d["error"], d
assert d["start"]["connecting_to"] == {"host": "10.0.0.1", "port": 5999}, d
' "$tmp/out"; then
		fail "client -J timeout: not the JSON expected"; cat "$tmp/out"
	fi
fi

echo "$((checks - fails)) of $checks checks passed"
[ $fails = 0 ]
