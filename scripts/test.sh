#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole mpdk test suite from a fresh Debian 12 machine (as root):
#   1. install what is missing (scripts/install-deps.sh)
#   2. normal build, then every suite: unit, integration, interop
#      (interop needs root for network namespaces; it is skipped otherwise)
#   3. ASan+UBSan build, then the unit and integration suites
# Ends with one line "N passed, N failed" and a non-zero status on any
# failure (a build that fails counts as one failed test).
#
# Environment: MPDK_BUILD_DIR (default build), MPDK_ASAN_BUILD_DIR (default
# build-asan), MPDK_SKIP_ASAN=1 to skip step 3 (not for CI).
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

BUILD=${MPDK_BUILD_DIR:-build}
ASAN_BUILD=${MPDK_ASAN_BUILD_DIR:-build-asan}
JOBS=$(nproc)
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
SKIPPED_NAMES=()
T0=$(date +%s)

banner() { printf '\n=== %s (%ds)\n' "$*" $(($(date +%s) - T0)); }

# configure DIR [meson options...]: set up or reconfigure a build dir.
configure() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; return 1; }
}

build() {
	local dir=$1 label=$2
	shift 2
	banner "$label: configure and build ($dir)"
	if configure "$dir" -Dtests=true -Dapps=true "$@" && meson compile -C "$dir"; then
		return 0
	fi
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$label build")
	return 1
}

# run_tests DIR LABEL [meson test options...]: run, then count results from
# meson's JSON log (one object per test).
run_tests() {
	local dir=$1 label=$2
	shift 2
	banner "$label: meson test $*"
	meson test -C "$dir" --print-errorlogs "$@"
	local log="$dir/meson-logs/testlog.json"
	if [ ! -s "$log" ]; then
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$label: meson test produced no log")
		return
	fi
	local counts
	counts=$(python3 - "$log" "$label" <<'PY'
import json, sys
ok, bad, skip = 0, [], []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    name = "%s %s" % (sys.argv[2], t.get("name", "?"))
    r = t.get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r == "SKIP":
        skip.append(name)
    else:
        bad.append("%s (%s)" % (name, r))
print(ok)
print(len(bad))
print(len(skip))
for n in bad:
    print("F " + n)
for n in skip:
    print("S " + n)
PY
	)
	local ok bad skip
	{ read -r ok; read -r bad; read -r skip; } <<<"$counts"
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + bad))
	SKIPPED=$((SKIPPED + skip))
	while IFS= read -r l; do
		case $l in
		F\ *) FAILED_NAMES+=("${l#F }") ;;
		S\ *) SKIPPED_NAMES+=("${l#S }") ;;
		esac
	done <<<"$counts"
}

# 1. normal build, all suites
if build "$BUILD" "normal"; then
	run_tests "$BUILD" "normal" --num-processes "$JOBS"
fi

# 2. AddressSanitizer + UndefinedBehaviorSanitizer, unit and integration.
# Leak checking stays on, with no suppressions: DPDK's own start-up
# allocations stay reachable and are not reported. (Memory from rte_malloc
# and mempools lives in DPDK's heap, which LeakSanitizer does not track.)
if [ "${MPDK_SKIP_ASAN:-0}" != 1 ]; then
	if build "$ASAN_BUILD" "asan" -Db_sanitize=address,undefined -Db_lundef=false; then
		ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1" \
		UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1" \
			run_tests "$ASAN_BUILD" "asan" --suite unit --suite integration \
			--num-processes "$JOBS" --timeout-multiplier 3
	fi
fi

banner "summary"
for n in "${SKIPPED_NAMES[@]}"; do echo "skipped: $n"; done
for n in "${FAILED_NAMES[@]}"; do echo "FAILED: $n"; done
[ "$SKIPPED" -gt 0 ] && echo "($SKIPPED skipped)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
