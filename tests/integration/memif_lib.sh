# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Two mpdk processes joined by two net_memif links (--no-huge, one lcore
# each), for the integration tests that run such a pair
# (app_keys_memif.sh, echo_engines_memif.sh). Source it after setting TAG
# (unique per run: EAL file prefixes and the work directory) and NET (the
# links' first two octets: link P is NET.P.0/24, host H is NET.P.H).
# It sets WORK, fail and PIDS, and stops the processes in PIDS at exit.
WORK=$(mktemp -d "/tmp/$TAG.XXXXXX")
# shellcheck disable=SC2034 # the sourcing test sets and reads them
fail=0
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$TAG-"* 2>/dev/null
	if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check DESCRIPTION CONDITION...
	local d=$1
	shift
	if "$@"; then echo "ok: $d"; else echo "FAILED: $d"; fail=1; fi
}
ctr() { # ctr FILE NAME -> value of counter NAME in the --stats output
	awk -v n="$2" '$1 == n && $2 ~ /^[0-9]+$/ { print $2; f = 1; exit } END { if (!f) print 0 }' "$1"
}
eal() { # eal LCORE ROLE RUN: EAL options, memif ROLE (server or client) of run RUN
	printf '%s\n' -l "$1" --no-huge --no-pci -m 512 --file-prefix "$TAG-$2-$3" \
		--log-level lib.eal:warning \
		--vdev "net_memif0,role=$2,socket=$WORK/$3-0.sock" \
		--vdev "net_memif1,role=$2,socket=$WORK/$3-1.sock"
}
addrs() { printf '%s\n' --addr "0:$NET.0.$1/24" --addr "1:$NET.1.$1/24"; } # addrs HOST
wait_for() { # wait_for FILE PATTERN
	local _
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "no '$2' in $1:"
	cat "$1"
	return 1
}
