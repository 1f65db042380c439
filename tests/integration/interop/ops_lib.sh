# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the operations tests (ops_*.sh); they use lib.sh's:
# dpdk-telemetry.py queries and checks of their JSON, and 2 MB hugepages
# for a primary process that dpdk-dumpcap (a secondary) can attach to.
# Not a test by itself.

TEL=$(command -v dpdk-telemetry.py 2>/dev/null || true)
DUMPCAP=$(command -v dpdk-dumpcap 2>/dev/null || true)

# tel CMD: one telemetry command against the process with file prefix
# $TAG; prints the reply as one line of JSON, e.g. {"/mpdk/stacks": {...}}.
# dpdk-telemetry.py (DPDK's client) reads commands from stdin and prints a
# banner and each reply as indented JSON; the reply is re-read here.
tel() {
	local out
	out=$(echo "$1" | timeout 20 "$TEL" -f "$TAG" 2>&1)
	printf '%s' "$out" | "$PYTHON" -c '
import json, sys
s = sys.stdin.read()
i = s.find("{\"")
if i < 0:
    sys.exit("no JSON reply in: " + s[-400:])
obj, _ = json.JSONDecoder().raw_decode(s[i:])
print(json.dumps(obj))'
}

# check REPLY EXPR: evaluate the python expression EXPR over "r" (the
# reply's value) and print the result; status 1 when it is False, None or
# an empty list.
check() {
	printf '%s' "$1" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
r = list(d.values())[0]
v = eval(sys.argv[1])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))
sys.exit(1 if v is False or v is None or v == [] else 0)' "$2"
}

# ops_reexec_private_mounts "$0" "$@" (before lib.sh): run the test in a
# mount namespace of its own, so that the hugetlbfs it mounts is not
# copied into namespaces other processes create meanwhile (each
# "ip netns exec" does): there it would keep the hugepages allocated after
# our umount until that process exits.
ops_reexec_private_mounts() {
	if [ -z "${MPDK_OPS_MNTNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
		unshare -m --propagation private true 2>/dev/null; then
		export MPDK_OPS_MNTNS=1
		exec unshare -m --propagation private bash "$@"
	fi
}

# ops_hugepages PAGES: PAGES free 2 MB hugepages (raising vm.nr_hugepages
# when needed) and a hugetlbfs mounted at $HUGE_DIR, both undone on exit.
# Skips the test (77) when the kernel cannot provide them.
ops_hugepages() {
	local pages=$1 nr=/proc/sys/vm/nr_hugepages before free
	[ -w $nr ] || { echo "SKIP: cannot set $nr"; exit $SKIP; }
	before=$(cat $nr)
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "$free" -lt "$pages" ]; then
		CLEANUPS+=("echo $before > $nr")
		echo $((before + pages - free)) >$nr 2>/dev/null
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
		[ "$free" -ge "$pages" ] ||
			{ echo "SKIP: only $free free 2 MB hugepages (want $pages)"; exit $SKIP; }
	fi
	log "hugepages: $free free of $(cat $nr) (was $before)"
	HUGE_DIR="$WORK/huge"
	mkdir -p "$HUGE_DIR"
	mount -t hugetlbfs -o pagesize=2M nodev "$HUGE_DIR" ||
		{ echo "SKIP: cannot mount hugetlbfs"; exit $SKIP; }
	CLEANUPS+=("umount $HUGE_DIR")
}

# kill_tree PID: PID and every descendant (a background "ip netns exec ...
# timeout ... python3" is three processes; killing the first leaves the rest).
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}
