#!/bin/sh
# Runs test_onnx.py SUITE with a Python that has python3-onnx and numpy (Debian's: scripts/install-onnxruntime.sh
# installs them). Exits 77 (skipped) when ONNX Runtime is not provisioned, so that the plugin was not built.
# usage: run_onnx_tests.sh NFCORE BUILD_DIR ORT_DIR SUITE
set -eu
nfcore=$1
build=$2
ort_dir=$3
suite=$4
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$build/plugins/onnx.so" ] || [ ! -f "$ort_dir/lib/libonnxruntime.so.1" ]; then
    echo "skipped: ONNX Runtime not provisioned in $ort_dir (run scripts/install-onnxruntime.sh, then cmake again)"
    exit 77
fi
for python in /usr/bin/python3 python3; do
    if "$python" -c 'import onnx, numpy' 2>/dev/null; then
        exec "$python" "$here/test_onnx.py" "$nfcore" "$build" "$ort_dir" "$suite"
    fi
done
echo "skipped: no python3 with the onnx and numpy modules (apt-get install python3-onnx python3-numpy)"
exit 77
