#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The draft's Figure 5 measured from mpdk's captures (docs/security.md):
# test_secure_simlink's test_ec_capture_modes writes one pcap per key mode,
# secure_figure5.py reads the option bytes and delays off the wire and
# checks them against Tables 2 and 3 (and, for key mode app, the G forms
# of "Application-supplied keys").
# usage: secure_figure5.sh PATH/TO/test_secure_simlink PATH/TO/secure_figure5.py
set -u
BIN=${1:?usage}; PY=${2:?usage}
DIR=$(mktemp -d /tmp/mpdk-fig5.XXXXXX) || exit 1
trap 'rm -rf "$DIR"' EXIT
MPDK_SECURE_ONLY=test_ec_capture_modes MPDK_SECURE_PCAP_DIR="$DIR" "$BIN" || exit 1
args=()
for m in rfc8684 ec-compressed-secp256r1 ec-draft-secp256r1 ec-compressed-secp224r1 ec-draft-secp224r1 app; do
	args+=("$m=$DIR/$m-B.pcap")
done
python3 "$PY" --check 10 "${args[@]}"
