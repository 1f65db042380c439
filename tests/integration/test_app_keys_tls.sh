#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Key mode app (application-supplied keys, docs/security.md) end to end:
# runs the tls-keys example (TLS 1.3 over MPTCP between two stacks over
# simlinks; keys from SSL_export_keying_material "EXPORTER-MPTCP", seed
# tls-authentication-draft.txt section 2) and checks its counters, not only
# its verdict:
#   run 1 (A joins as soon as its keys are set, B sets its keys 200 ms
#   later): B refused >= 1 join before its keys (mptcp_app_join_nokeys),
#   accepted >= 1 after (mptcp_join_ack_rx), both stacks established in
#   app mode, the data arrived intact over 2 subflows;
#   run 2 (--no-early-join): no join was refused, so run 1's refusal is the
#   early join's, and the joins still succeed.
# Usage: test_app_keys_tls.sh PATH-TO-tls-keys
set -uo pipefail
bin=$1
fail=0
ctr() { # ctr OUTPUT STACK NAME -> value of counter NAME of stack A or B
	awk -v s="Counters of stack $2:" -v n="$3" '
		$0 == s { on = 1; next }
		/^Counters of stack/ { on = 0 }
		on && $1 == n { print $2; found = 1; exit }
		END { if (!found) print 0 }' <<<"$1"
}
check() { # check DESCRIPTION CONDITION...
	local d=$1
	shift
	if "$@"; then echo "ok: $d"; else echo "FAILED: $d"; fail=1; fi
}

out=$("$bin" --bytes 2000000 --stats 2>&1)
rc=$?
echo "$out" | grep -v '^ *[a-z0-9_]\+ \+[0-9]\+ ' || true
check "run 1 exits 0 (PASS)" test "$rc" -eq 0
check "run 1: both stacks used application keys" \
	test "$(ctr "$out" A mptcp_app_established)" -eq 1 -a "$(ctr "$out" B mptcp_app_established)" -eq 1
check "run 1: both ends set their keys once" \
	test "$(ctr "$out" A mptcp_app_keys_set)" -eq 1 -a "$(ctr "$out" B mptcp_app_keys_set)" -eq 1
check "run 1: B refused the join that came before its keys" \
	test "$(ctr "$out" B mptcp_app_join_nokeys)" -ge 1
check "run 1: B accepted a join after its keys (valid HMAC-A)" \
	test "$(ctr "$out" B mptcp_join_ack_rx)" -ge 1
check "run 1: A accepted B's HMAC-B" test "$(ctr "$out" A mptcp_join_synack_rx)" -ge 1
check "run 1: no join HMAC failed" \
	test "$(ctr "$out" B mptcp_join_ack_hmac_fail)" -eq 0 -a "$(ctr "$out" A mptcp_join_synack_hmac_fail)" -eq 0
check "run 1: the data arrived intact" grep -q "checked every byte: identical" <<<"$out"

out=$("$bin" --bytes 500000 --no-early-join --stats 2>&1)
rc=$?
check "run 2 (--no-early-join) exits 0 (PASS)" test "$rc" -eq 0
check "run 2: no join refused" test "$(ctr "$out" B mptcp_app_join_nokeys)" -eq 0
check "run 2: B accepted a join" test "$(ctr "$out" B mptcp_join_ack_rx)" -ge 1
exit $fail
