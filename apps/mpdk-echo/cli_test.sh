#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The command-line convention, checked on the real mpdk-echo binary:
# exit status 2 and exactly one stderr line for every bad option, 0 for
# --help, 1 for start-up failures, and a clean start and stop on a
# net_null port (no NIC, no root, no hugepages), and the client mode's
# failures (timeout, no route) with exit status 1.
#
# usage: cli_test.sh PATH/TO/mpdk-echo
set -u
ECHO=${1:?usage: cli_test.sh PATH/TO/mpdk-echo}
fails=0
checks=0
tmp=$(mktemp -d)
cleanup() {
	# the EAL's runtime files of the runs below (prefix mpdk-cli-PID-X)
	rm -rf /var/run/dpdk/mpdk-cli-$$-* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/mpdk-cli-$$-* 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS 'EXACT STDERR LINE' ARGS...: run, compare status and stderr.
expect() {
	local want_rc=$1 want_err=$2
	shift 2
	checks=$((checks + 1))
	"$ECHO" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	local err
	err=$(cat "$tmp/err")
	if [ "$rc" != "$want_rc" ]; then
		fail "mpdk-echo $*: exit $rc, want $want_rc (stderr: $err)"
	elif [ "$err" != "$want_err" ]; then
		fail "mpdk-echo $*: stderr"
		echo "   got:  $err"
		echo "   want: $want_err"
	fi
}

E=mpdk-echo
SEP='(see --help)'
NOSEP='(EAL options go before "--"; see --help)'

# --help
checks=$((checks + 1))
if ! "$ECHO" --help >"$tmp/out" 2>"$tmp/err" || [ -s "$tmp/err" ] ||
	! grep -q '^Usage: mpdk-echo \[EAL options\] -- \[stack options\]' "$tmp/out" ||
	! grep -q -- '--addr PORT:IPV4/PREFIX' "$tmp/out" || ! grep -q -- '-p, --port PORT' "$tmp/out" ||
	! grep -q -- '-c, --connect HOST' "$tmp/out" || ! grep -q -- '-n, --bytes BYTES' "$tmp/out"; then
	fail "--help: status or text"
fi
expect 0 '' -- -h
expect 0 '' -- --addr 0:10.0.0.2/24 --help

# option errors
expect 2 "$E: no --addr given: nothing to serve $SEP"
expect 2 "$E: no --addr given: nothing to serve $SEP" -l 0 --
expect 2 "$E: unknown option '--foo' $SEP" -- --foo
expect 2 "$E: unknown option '--foo' $SEP" -- --foo=bar
expect 2 "$E: unknown option '--foo' $NOSEP" --foo
expect 2 "$E: unknown option '-l' $NOSEP" -l 0 --addr 0:10.0.0.2/24
expect 2 "$E: unknown option '-x' $SEP" -- -x
expect 2 "$E: unexpected argument 'extra' $SEP" -- --addr 0:10.0.0.2/24 extra
expect 2 "$E: option '--addr' requires an argument $SEP" -- --addr
expect 2 "$E: option '--gw' requires an argument $SEP" -- --addr 0:10.0.0.2/24 --gw
expect 2 "$E: option '--port' requires an argument $SEP" -- --addr 0:10.0.0.2/24 -p
expect 2 "$E: option '--stats' takes no argument $SEP" -- --stats=yes
expect 2 "$E: invalid value for --port: '0'" -- --addr 0:10.0.0.2/24 -p 0
expect 2 "$E: invalid value for --port: '65536'" -- --addr 0:10.0.0.2/24 --port 65536
expect 2 "$E: invalid value for --port: '7x'" -- --addr 0:10.0.0.2/24 --port=7x
expect 2 "$E: invalid value for --duration: '-1'" -- --addr 0:10.0.0.2/24 --duration -1
# MPTCP path manager options
expect 2 "$E: invalid value for --endpoint: '10.0.0.2,fullmesh'" -- --addr 0:10.0.0.2/24 --endpoint 10.0.0.2,fullmesh
expect 2 "$E: invalid value for --endpoint: '10.0.0.2,'" -- --addr 0:10.0.0.2/24 --endpoint 10.0.0.2,
expect 2 "$E: invalid --endpoint '10.0.0.9': not one of the addresses given with --addr" -- --addr 0:10.0.0.2/24 --endpoint 10.0.0.9,signal
expect 2 "$E: invalid value for --remove-addr-after: '100'" -- --addr 0:10.0.0.2/24 --remove-addr-after 100
expect 2 "$E: invalid --remove-addr-after: 10.0.0.9 is not one of the addresses given with --addr" -- --addr 0:10.0.0.2/24 --remove-addr-after 100:10.0.0.9
# --app-keys KEYA:KEYB (key mode app, docs/cli.md)
expect 2 "$E: --app-keys needs --key-mode app $SEP" -- --addr 0:10.0.0.2/24 --app-keys 1:2
expect 2 "$E: --app-keys needs --key-mode app $SEP" -- --addr 0:10.0.0.2/24 --key-mode rfc8684 --app-keys 0x1:0x2
for k in 1 1: :2 1:1 0:2 1:0 zz:1 1:2:3 12345678901234567:1 '1 :2' 0x:1 -1:2; do
	expect 2 "$E: invalid value for --app-keys: '$k'" -- --addr 0:10.0.0.2/24 --key-mode app --app-keys "$k"
done
expect 2 "$E: option '--app-keys' requires an argument $SEP" -- --addr 0:10.0.0.2/24 --key-mode app --app-keys
expect 2 "$E: option '--deny-join-initial' takes no argument $SEP" -- --addr 0:10.0.0.2/24 --deny-join-initial=1
expect 2 "$E: invalid --addr '0:10.0.0.300/24': bad IPv4 address" -- --addr 0:10.0.0.300/24
expect 2 "$E: invalid --addr '0:10.0.0/24': bad IPv4 address" -- --addr 0:10.0.0/24
expect 2 "$E: invalid --addr '0:10.0.0.1.1/24': bad IPv4 address" -- --addr 0:10.0.0.1.1/24
expect 2 "$E: invalid --addr '0:10.0.0.1x/24': bad IPv4 address" -- --addr 0:10.0.0.1x/24
expect 2 "$E: invalid --addr '0:010.0.0.1/24': bad IPv4 address" -- --addr 0:010.0.0.1/24
expect 2 "$E: invalid --addr '0: 10.0.0.1/24': bad IPv4 address" -- --addr '0: 10.0.0.1/24'
expect 2 "$E: invalid --addr '0:10..0.1/24': bad IPv4 address" -- --addr 0:10..0.1/24
expect 2 "$E: invalid --addr '0:10.0.0.1/33': bad prefix length (0..32)" -- --addr 0:10.0.0.1/33
expect 2 "$E: invalid --addr '0:10.0.0.1/': bad prefix length (0..32)" -- --addr 0:10.0.0.1/
expect 2 "$E: invalid --addr '0:10.0.0.1/2a': bad prefix length (0..32)" -- --addr 0:10.0.0.1/2a
expect 2 "$E: invalid --addr '0:10.0.0.1': missing /PREFIX, e.g. 0:10.0.0.2/24" -- --addr 0:10.0.0.1
expect 2 "$E: invalid --addr '10.0.0.1/24': expected PORT:IPV4/PREFIX, e.g. 0:10.0.0.2/24" -- --addr 10.0.0.1/24
expect 2 "$E: invalid --addr 'x:10.0.0.1/24': bad port number (a DPDK port id, 0..31)" -- --addr x:10.0.0.1/24
expect 2 "$E: invalid --addr ':10.0.0.1/24': bad port number (a DPDK port id, 0..31)" -- --addr :10.0.0.1/24
expect 2 "$E: invalid --addr '99:10.0.0.1/24': bad port number (a DPDK port id, 0..31)" -- --addr 99:10.0.0.1/24
expect 2 "$E: invalid --addr '0:224.0.0.1/24': not a unicast host address" -- --addr 0:224.0.0.1/24
expect 2 "$E: invalid --addr '0:10.0.0.0/24': that is the subnet's network or broadcast address" -- --addr 0:10.0.0.0/24
expect 2 "$E: invalid --addr '0:10.0.0.255/24': that is the subnet's network or broadcast address" -- --addr 0:10.0.0.255/24
expect 2 "$E: invalid --addr '1:10.0.0.2/24': duplicate address 10.0.0.2 (already on port 0)" -- --addr 0:10.0.0.2/24 --addr 1:10.0.0.2/24
expect 2 "$E: invalid --gw '10.0.0.1x': bad IPv4 address" -- --addr 0:10.0.0.2/24 --gw 10.0.0.1x
expect 2 "$E: invalid --gw '10.9.0.1': not inside any subnet given with --addr" -- --addr 0:10.0.0.2/24 --gw 10.9.0.1
expect 2 "$E: invalid --gw '10.0.0.2': that is one of our own addresses" -- --addr 0:10.0.0.2/24 --gw 10.0.0.2
expect 2 "$E: --gw given twice" -- --addr 0:10.0.0.2/24 --gw 10.0.0.1 --gw 10.0.0.1
expect 2 "$E: invalid --pcap '': empty file name" -- --addr 0:10.0.0.2/24 --pcap ''
expect 2 "$E: ambiguous option '--p' (could be --pcap, --port, --parallel)" -- --p 1
expect 2 "$E: invalid --addr '0:1.2.3.4.5/8': bad IPv4 address" -- --add 0:1.2.3.4.5/8

# client mode (-c) options and the combinations the two modes refuse
A=(--addr 0:10.0.0.2/24)
expect 2 "$E: invalid value for --connect: '10.0.0.300'" -- "${A[@]}" -c 10.0.0.300
expect 2 "$E: invalid value for --connect: 'host'" -- "${A[@]}" --connect host
expect 2 "$E: option '--connect' requires an argument $SEP" -- "${A[@]}" -c
expect 2 "$E: invalid value for --bytes: 'x'" -- "${A[@]}" -c 10.0.0.1 -n x
expect 2 "$E: invalid value for --bytes: '-1'" -- "${A[@]}" -c 10.0.0.1 --bytes=-1
expect 2 "$E: invalid value for --timeout: '0'" -- "${A[@]}" -c 10.0.0.1 --timeout 0
expect 2 "$E: invalid value for --seed: '1.5'" -- "${A[@]}" -c 10.0.0.1 --seed 1.5
expect 2 "$E: option '--sink' takes no argument $SEP" -- "${A[@]}" -c 10.0.0.1 --sink=1
expect 2 "$E: --bytes is a client option: it needs --connect HOST $SEP" -- "${A[@]}" -n 5
expect 2 "$E: --seed is a client option: it needs --connect HOST $SEP" -- "${A[@]}" --seed 5
expect 2 "$E: --sink is a client option: it needs --connect HOST $SEP" -- "${A[@]}" --sink
expect 2 "$E: --timeout is a client option: it needs --connect HOST $SEP" -- "${A[@]}" --timeout 5
expect 2 "$E: --parallel is a client option: it needs --connect HOST $SEP" -- "${A[@]}" -P 2
expect 2 "$E: invalid value for --parallel: '0'" -- "${A[@]}" -c 10.0.0.1 -P 0
expect 2 "$E: invalid value for --parallel: '65'" -- "${A[@]}" -c 10.0.0.1 --parallel 65
expect 2 "$E: option '--parallel' requires an argument $SEP" -- "${A[@]}" -c 10.0.0.1 --parallel
expect 2 "$E: --duration is a server option: not with --connect $SEP" -- "${A[@]}" -c 10.0.0.1 -d 5
expect 2 "$E: --copy is a server option: not with --connect $SEP" -- "${A[@]}" --copy -c 10.0.0.1
# a bad option is still reported as such when a combination is wrong too
expect 2 "$E: unknown option '-l' $NOSEP" -n 5 -l 0 "${A[@]}"

# start-up failures: the EAL runs (no hugepages, no PCI), exit status 1
eal() {
	local p="mpdk-cli-$$-$1"
	echo -l 0 --no-huge --no-pci -m 256 --file-prefix "$p" --log-level lib.eal:error
}
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal a) -- --addr 3:10.0.0.2/24 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -qx "$E: no DPDK port 3; ports: none (add a device with -a PCI_ADDR or --vdev, before \"--\")" "$tmp/err"; then
	fail "no such port: exit $rc, stderr: $(cat "$tmp/err")"
fi
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal b) --vdev net_null0 -- --addr 1:10.0.0.2/24 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -qx "$E: no DPDK port 1; ports: 0 (net_null0)" "$tmp/err"; then
	fail "no such port (one port): exit $rc, stderr: $(cat "$tmp/err")"
fi

# a bad EAL option is a command-line error too (the EAL prints its own text)
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal e) --bogus-eal-option -- --addr 0:10.0.0.2/24 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 2 ] || ! grep -q "^$E: invalid EAL options; the EAL options before \"--\" were: .*--bogus-eal-option" "$tmp/err"; then
	fail "bad EAL option: exit $rc, stderr: $(cat "$tmp/err")"
fi

# a clean run on net_null: start-up line, --duration, --stats, exit 0
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal c) --vdev net_null0 -- --addr 0:10.0.0.2/24 --addr 0:10.0.0.3/24 --stats --duration 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 0 ] || ! grep -q '^mpdk-echo: up: port 0 net_null0 mac ..:..:..:..:..:.. link .* addrs 10.0.0.2/24 10.0.0.3/24' "$tmp/out" ||
	! grep -q '^mpdk-echo: 1 s elapsed, stopping' "$tmp/out" || ! grep -q '^mpdk-echo: counters:' "$tmp/out" ||
	! grep -q '^mpdk-echo: tcp: 0 accepted, 0 closed, 0 errored (0 reset, 0 timed out, 0 other), 0 open; 0 bytes echoed$' "$tmp/out"; then
	fail "run on net_null: exit $rc"; cat "$tmp/out" "$tmp/err"
fi

# the client gives up at --timeout with exit status 1 (nobody answers on net_null)
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal f) --vdev net_null0 -- --addr 0:10.0.0.2/24 -c 10.0.0.1 -p 9 -n 1000 --timeout 1 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -q '^mpdk-echo: up: .*; connecting to 10.0.0.1 port 9 to echo 1000 bytes (seed 1)$' "$tmp/out" ||
	! grep -qx 'mpdk-echo: FAIL: timed out after 1 s (SYN_SENT)' "$tmp/out"; then
	fail "client timeout: exit $rc"; cat "$tmp/out" "$tmp/err"
fi
# -P 2 on two engines sharing lcore 0: connection i on engine i - 1, each
# reported and judged on its own, exit 1 when any failed
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal h) --vdev net_null0 -- --addr 0:10.0.0.2/24 -c 10.0.0.1 -p 9 -n 1000 --timeout 1 \
	-P 2 --engines 2 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -q '^mpdk-echo: up: .*; 2 engines; .*; connecting to 10.0.0.1 port 9 to echo 1000 bytes (seed 1) over 2 connections$' "$tmp/out" ||
	! grep -q '^mpdk-echo: connection 1 (engine 0, seed 1): sent 0 of 1000 bytes' "$tmp/out" ||
	! grep -q '^mpdk-echo: connection 2 (engine 1, seed 2): sent 0 of 1000 bytes' "$tmp/out" ||
	! grep -qE '^mpdk-echo: subflow 1: 10.0.0.2:[0-9]+ -> 10.0.0.1:9 ids 0/0, engine 1, ' "$tmp/out" ||
	! grep -qx 'mpdk-echo: connection 2: FAIL: timed out after 1 s (SYN_SENT)' "$tmp/out" ||
	! grep -qx 'mpdk-echo: FAIL: 2 of 2 connections failed' "$tmp/out"; then
	fail "client -P 2 --engines 2 timeout: exit $rc"; cat "$tmp/out" "$tmp/err"
fi
checks=$((checks + 1))
# shellcheck disable=SC2046
"$ECHO" $(eal g) --vdev net_null0 -- --addr 0:10.0.0.2/24 -c 10.9.0.1 --sink >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc != 1 ] || ! grep -qx 'mpdk-echo: FAIL: cannot connect to 10.9.0.1 port 7: no route to destination' "$tmp/out"; then
	fail "client without a route: exit $rc"; cat "$tmp/out" "$tmp/err"
fi

# SIGTERM stops it cleanly
checks=$((checks + 1))
# empty the files first: the background start below truncates them itself,
# maybe after the wait loop saw the previous run's "up:" line
: >"$tmp/out"
: >"$tmp/err"
# shellcheck disable=SC2046
"$ECHO" $(eal d) --vdev net_null0 -- --addr 0:10.0.0.2/24 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '^mpdk-echo: up:' "$tmp/out" && break; sleep 0.1; done
kill -TERM $pid
wait $pid
rc=$?
if [ $rc != 0 ] || ! grep -q '^mpdk-echo: Terminated, stopping' "$tmp/out"; then
	fail "SIGTERM: exit $rc"; cat "$tmp/out" "$tmp/err"
fi

echo "$((checks - fails)) of $checks checks passed"
[ $fails = 0 ]
