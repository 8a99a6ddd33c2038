#!/bin/sh
# Compares nfcore with nfstream's own output on the shared conformance captures.
# usage: run_conformance.sh NFCORE SUITE   (SUITE: nfstream or edge)
# Exits 77 (skipped) when the shared conformance data is not present.
set -eu
nfcore=$1
suite=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${NFC_SHARED_DIR:-$here/../../../shared}
data=$shared/conformance/$suite
if [ ! -d "$data/pcaps" ]; then
    echo "skipped: conformance data not found at $data (set NFC_SHARED_DIR to the shared folder)"
    exit 77
fi
exec python3 "$here/compare.py" "$nfcore" "$data/pcaps" "$data/expected_full" -- \
    --statistical-analysis --splt-analysis 10 -j 1
