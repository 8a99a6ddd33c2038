#!/bin/sh
# Compares nfcore's built-in plugins with nfstream's on the shared conformance captures.
# usage: run_plugin_conformance.sh NFCORE CONFIG   (CONFIG: dhcp_mdns, slicer4 or splt10)
# Exits 77 (skipped) when the shared conformance data is not present.
set -eu
nfcore=$1
config=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${NFC_SHARED_DIR:-$here/../../../shared}
pcaps=$shared/conformance/nfstream/pcaps
expected=$shared/conformance/plugins/$config
case $config in
dhcp_mdns) plugins="--plugin dhcp.so --plugin mdns.so" ;;
slicer4) plugins="--plugin flow_slicer.so:limit=4" ;;
splt10) plugins="--plugin splt.so:sequence_length=10,accounting_mode=0" ;;
*) echo "unknown configuration '$config' (dhcp_mdns, slicer4 or splt10)" >&2; exit 2 ;;
esac
if [ ! -d "$pcaps" ] || [ ! -d "$expected" ]; then
    echo "skipped: plugin conformance data not found at $shared/conformance (set NFC_SHARED_DIR to the shared folder)"
    exit 77
fi
# shellcheck disable=SC2086 # $plugins is a list of options
exec python3 "$here/compare.py" "$nfcore" "$pcaps" "$expected" -- -j 1 $plugins
