#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Key mode app with out-of-band pre-shared keys (--app-keys, docs/cli.md):
# two mpdk processes joined by two net_memif links (server -l 0, client
# -l 1, --no-huge), 10.94.P.1 (server) and 10.94.P.2 (client) on link P.
# Key mode app = flag G, seed tls-authentication-draft.txt section 2: the
# MP_CAPABLE handshake carries no keys, so joins (RFC 8684 §3.2, HMACs keyed
# with Key-A/Key-B) and ADD_ADDR (§3.4.1, HMAC) work only once both ends
# called mpdk_mptcp_set_keys() with the same two keys.
#   perf-match:    mpdk-perf -c/-s, the same --app-keys: the server's
#                  ADD_ADDR is accepted and the client joins: >= 2 subflows
#                  carry data, no HMAC failure; reports say "keys set".
#   perf-mismatch: different --app-keys: the join's HMAC fails (RFC 8684
#                  §3.2: subflow reset) and the ADD_ADDR is ignored, the
#                  test still completes on the one initial subflow.
#   perf-nokeys:   --key-mode app without --app-keys: a warning at start,
#                  the path manager waits for keys (no join, no ADD_ADDR),
#                  1 subflow, the reports say the keys were not set (-J).
#   perf-onesided: only the client has --app-keys: its join is refused by
#                  the server (mptcp_app_join_nokeys), 1 subflow.
#   echo-match:    mpdk-echo -c against mpdk-echo, same keys, server
#                  endpoint signal, client endpoint subflow: the echo comes
#                  back identical over >= 2 subflows, "keys: app, set".
# Usage: app_keys_memif.sh MPDK-PERF MPDK-ECHO
set -uo pipefail
PERF=$1
ECHO=$2
TAG="mpdk-ak-$$"
NET=10.94
# shellcheck source=memif_lib.sh
. "$(dirname "$0")/memif_lib.sh"
K1=0123456789abcdef:fedcba9876543210
K2=1111111111111111:2222222222222222

# perf RUN SERVER-KEYS CLIENT-KEYS [client options]: "-" = no --app-keys
perf() {
	local run=$1 sk=$2 ck=$3
	shift 3
	local sopt=() copt=()
	[ "$sk" != - ] && sopt=(--app-keys "$sk")
	[ "$ck" != - ] && copt=(--app-keys "$ck")
	# shellcheck disable=SC2046
	"$PERF" $(eal 0 server "$run") -- $(addrs 1) --key-mode app "${sopt[@]}" -s \
		--stats >"$WORK/$run.srv" 2>&1 &
	PIDS+=($!)
	local spid=$!
	wait_for "$WORK/$run.srv" "Server listening" || { fail=1; return; }
	# shellcheck disable=SC2046
	timeout -k 5 60 "$PERF" $(eal 1 client "$run") -- $(addrs 2) --key-mode app "${copt[@]}" \
		-c 10.94.0.1 -t 2 -i 0 --stats "$@" >"$WORK/$run.cli" 2>"$WORK/$run.err"
	CRC=$?
	# The server runs without -1 and is stopped once the client is gone:
	# both processes closing their memif ports at the same moment races in
	# the memif PMD's interrupt thread at exit (seen once: SEGV there).
	# It is back to listening (test #2) once it reported test #1.
	wait_for "$WORK/$run.srv" "Server listening on 5201 (test #2)"
	SRC=$?
	kill -INT "$spid"
	timeout -k 5 20 tail --pid="$spid" -f /dev/null
	wait "$spid"
	echo "--- $run: client exit $CRC, server back to listening: $([ $SRC = 0 ] && echo yes || echo no)"
	if grep -q '^{' "$WORK/$run.cli"; then
		echo "(-J document in $run.cli)"
	else
		grep -v '^ *[a-z0-9_]\+ \+[0-9]\+ ' "$WORK/$run.cli" | grep -v '^\[ *1\] *[0-9.]*-' || true
	fi
	grep -v '^ *[a-z0-9_]\+ \+[0-9]\+ ' "$WORK/$run.err" || true
}
# the number in "[  1] MPTCP, N subflows, keys ..." of the final report
final_subflows() { grep -E '^\[ *1\] MPTCP, [0-9]+ subflows?' "$1" | tail -1 | sed -E 's/.*MPTCP, ([0-9]+) subflow.*/\1/'; }

# ---- perf-match
perf match "$K1" "$K1"
check "perf-match: client exit 0, server done" test "$CRC" -eq 0 -a "$SRC" -eq 0
n=$(final_subflows "$WORK/match.cli")
check "perf-match: >= 2 subflows (got ${n:-none})" test "${n:-0}" -ge 2
check "perf-match: every subflow carried data" \
	test "$(grep -cE '^\[ *1\] +subflow .* [0-9.]+ [KMG]Bytes' "$WORK/match.cli")" -ge 2
check "perf-match: client report says keys set" \
	grep -q 'keys app, keys set (--app-keys)' "$WORK/match.cli"
check "perf-match: server report says keys set" \
	grep -q 'keys app, keys set (--app-keys)' "$WORK/match.srv"
check "perf-match: client joined with a valid HMAC (mptcp_join_synack_rx)" \
	test "$(ctr "$WORK/match.cli" mptcp_join_synack_rx)" -ge 1
check "perf-match: server accepted the join (mptcp_subflows_established)" \
	test "$(ctr "$WORK/match.srv" mptcp_subflows_established)" -ge 1
check "perf-match: ADD_ADDR HMAC accepted (mptcp_add_addr_rx)" \
	test "$(ctr "$WORK/match.cli" mptcp_add_addr_rx)" -ge 1
check "perf-match: no HMAC failure" test "$(ctr "$WORK/match.cli" mptcp_join_synack_hmac_fail)" -eq 0 \
	-a "$(ctr "$WORK/match.cli" mptcp_add_addr_hmac_fail)" -eq 0
check "perf-match: both used app keys (mptcp_app_established, mptcp_app_keys_set)" \
	test "$(ctr "$WORK/match.cli" mptcp_app_keys_set)" -ge 1 -a "$(ctr "$WORK/match.srv" mptcp_app_keys_set)" -ge 1 \
	-a "$(ctr "$WORK/match.cli" mptcp_app_established)" -ge 1

# ---- perf-mismatch (with -J: the JSON says the keys were set)
perf mismatch "$K1" "$K2" -J
check "perf-mismatch: client exit 0, server done (the test completes on one path)" test "$CRC" -eq 0 -a "$SRC" -eq 0
check "perf-mismatch: the join's HMAC failed (mptcp_join_synack_hmac_fail)" \
	test "$(ctr "$WORK/mismatch.err" mptcp_join_synack_hmac_fail)" -ge 1
check "perf-mismatch: the ADD_ADDR HMAC failed (mptcp_add_addr_hmac_fail)" \
	test "$(ctr "$WORK/mismatch.err" mptcp_add_addr_hmac_fail)" -ge 1
check "perf-mismatch: the server joined no subflow" \
	test "$(ctr "$WORK/mismatch.srv" mptcp_subflows_established)" -eq 0
check "perf-mismatch: -J: 1 stream, app keys set, 1 subflow, bytes moved" python3 - "$WORK/mismatch.cli" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["start"]["connected"][0]
s = d["end"]["streams"]
ok = (c["key_mode"] == "app" and c["app_keys_set"] is True and len(s) == 1
      and s[0]["app_keys_set"] is True and s[0]["key_mode_configured"] == "app"
      and s[0]["mptcp"] == "active" and len(s[0]["subflows"]) == 1
      and d["end"]["sum_sent"]["bytes"] > 0 and "error" not in d)
if not ok:
    print(json.dumps(c), json.dumps(s)[:600])
sys.exit(0 if ok else 1)
EOF

# ---- perf-nokeys
perf nokeys - - -J
check "perf-nokeys: client exit 0, server done" test "$CRC" -eq 0 -a "$SRC" -eq 0
check "perf-nokeys: warning at start (client)" grep -q 'warning: --key-mode app without --app-keys' "$WORK/nokeys.err"
check "perf-nokeys: warning at start (server)" grep -q 'warning: --key-mode app without --app-keys' "$WORK/nokeys.srv"
check "perf-nokeys: server report says no keys" grep -q 'keys app, no keys (no --app-keys): joins refused' "$WORK/nokeys.srv"
check "perf-nokeys: no keys set, no join opened, no ADD_ADDR sent (path manager waits for keys)" \
	test "$(ctr "$WORK/nokeys.err" mptcp_app_keys_set)" -eq 0 -a "$(ctr "$WORK/nokeys.err" mptcp_join_tx)" -eq 0 \
	-a "$(ctr "$WORK/nokeys.srv" mptcp_add_addr_tx)" -eq 0 -a "$(ctr "$WORK/nokeys.err" mptcp_app_established)" -ge 1
check "perf-nokeys: -J: keys not set, 1 subflow" python3 - "$WORK/nokeys.cli" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["end"]["streams"][0]
sys.exit(0 if s["app_keys_set"] is False and len(s["subflows"]) == 1 else 1)
EOF

# ---- perf-onesided: the client has keys and joins, the server has none
perf onesided - "$K1"
check "perf-onesided: client exit 0, server done" test "$CRC" -eq 0 -a "$SRC" -eq 0
check "perf-onesided: the server refused the join: no keys (mptcp_app_join_nokeys)" \
	test "$(ctr "$WORK/onesided.srv" mptcp_app_join_nokeys)" -ge 1 \
	-a "$(ctr "$WORK/onesided.srv" mptcp_subflows_established)" -eq 0
check "perf-onesided: client opened the join (mptcp_join_tx)" \
	test "$(ctr "$WORK/onesided.cli" mptcp_join_tx)" -ge 1
n=$(final_subflows "$WORK/onesided.cli")
check "perf-onesided: client report: 1 subflow, keys set (got ${n:-none})" \
	test "${n:-0}" -eq 1 -a "$(grep -c 'keys app, keys set' "$WORK/onesided.cli")" -ge 1

# ---- echo-match
# shellcheck disable=SC2046
"$ECHO" $(eal 0 server echo) -- $(addrs 1) --key-mode app --app-keys "$K1" \
	--endpoint 10.94.1.1,signal --stats >"$WORK/echo.srv" 2>&1 &
PIDS+=($!)
epid=$!
if wait_for "$WORK/echo.srv" '^mpdk-echo: up:'; then
	# shellcheck disable=SC2046
	timeout -k 5 60 "$ECHO" $(eal 1 client echo) -- $(addrs 2) --key-mode app --app-keys "$K1" \
		--endpoint 10.94.1.2,subflow -c 10.94.0.1 -n 20000000 >"$WORK/echo.cli" 2>&1
	crc=$?
	kill -INT "$epid"
	wait "$epid"
	grep -v '^ *[a-z0-9_]\+ \+[0-9]\+ ' "$WORK/echo.cli"
	grep '^mpdk-echo: keys' "$WORK/echo.srv"
	check "echo-match: client exit 0, echo identical" test "$crc" -eq 0
	check "echo-match: OK line" grep -q 'OK: 20000000 bytes echoed back identical' "$WORK/echo.cli"
	check "echo-match: keys line says set" grep -q '^mpdk-echo: keys: app, set (--app-keys)' "$WORK/echo.cli"
	check "echo-match: >= 2 subflows carried data" \
		test "$(grep -cE '^mpdk-echo: subflow [0-9]+: .*bytes out [1-9]' "$WORK/echo.cli")" -ge 2
	check "echo-match: server set keys on 1 connection" \
		grep -q '^mpdk-echo: keys: app, --app-keys: set on 1 connection' "$WORK/echo.srv"
else
	fail=1
fi
exit $fail
