#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The mpdk demo from a fresh Debian 12 machine: install what is missing,
# build, and run two mpdk stacks joined by two emulated links (ARP and pings
# over both paths, with delay and loss), ending with a report and a verdict.
# Extra arguments go to mpdk-demo (try: ./scripts/demo.sh --help).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
BUILD=${MPDK_BUILD_DIR:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=debugoptimized
fi
meson compile -C "$BUILD" mpdk-demo
echo
exec "$BUILD/apps/mpdk-demo/mpdk-demo" "$@"
