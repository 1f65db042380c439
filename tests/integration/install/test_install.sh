#!/usr/bin/env bash
# Issue 2 item 1: `meson install` puts the headers, libmpdk (static and
# shared) and libmpdk.pc in place, and an appliance that knows only
# `pkg-config --cflags --libs libmpdk` builds and links against them.
set -euo pipefail
build=$1 src=$2
# A sanitizer build's library needs the sanitizer runtime linked first: the
# installed-library check belongs to the normal build.
san=$(meson introspect "$build" --buildoptions | python3 -c '
import json,sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="b_sanitize"))')
if [ "$san" != none ]; then
	echo "SKIP: sanitizer build"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" meson install -C "$build" --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json,sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pcdir=$(dirname "$(find "$tmp/root" -name libmpdk.pc | head -n1)")
[ -n "$pcdir" ] || { echo "FAIL: libmpdk.pc not installed"; exit 1; }
test -f "$tmp/root$prefix/include/mpdk/mpdk.h" || { echo "FAIL: headers not installed"; exit 1; }
[ -n "$(find "$tmp/root$prefix" -name libmpdk.a)" ] || { echo "FAIL: static library not installed"; exit 1; }
[ -n "$(find "$tmp/root$prefix" -name 'libmpdk.so*')" ] || { echo "FAIL: shared library not installed"; exit 1; }
# Point pkg-config at the staged tree: the .pc file names the final prefix,
# so a copy of it names the staging directory instead.
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/root$prefix|" "$pcdir/libmpdk.pc" > "$tmp/pc/libmpdk.pc"
export PKG_CONFIG_PATH="$tmp/pc"
cflags=$(pkg-config --cflags libmpdk)
libs=$(pkg-config --libs libmpdk)
libdir=$(pkg-config --variable=libdir libmpdk)
cc -O2 -Wall -Wextra -Werror $cflags -o "$tmp/appliance" "$src/examples/minimal-appliance/main.c" \
	$libs -Wl,-rpath,"$libdir"
"$tmp/appliance" --help >/dev/null 2>&1 || true
# A bad option must give exit code 2 through the public API.
set +e
"$tmp/appliance" --no-huge --no-pci -m 128 --file-prefix mpdk-inst-$$ --no-telemetry -- --bogus >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 2 ] || { echo "FAIL: bad option exit code $rc"; cat "$tmp/err"; exit 1; }
echo "PASS: installed library, headers and pkg-config file build an appliance"
