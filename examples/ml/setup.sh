#!/bin/sh
# Installs what the example needs (Debian's scikit-learn, onnx and numpy, nfcore's build dependencies, ONNX
# Runtime) and builds nfcore with its onnx plugin into build/. Run as root.
set -eu
cd "$(dirname "$0")/../.."
missing=""
for p in python3-sklearn python3-onnx python3-numpy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
scripts/install-deps.sh
scripts/install-onnxruntime.sh
if [ -f build/CMakeCache.txt ]; then
    cmake -S . -B build >/dev/null
else
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFC_BUILD_TESTS=OFF >/dev/null
fi
cmake --build build -j"$(nproc)" >/dev/null
[ -f build/plugins/onnx.so ] || { echo "build/plugins/onnx.so was not built" >&2; exit 1; }
echo "ready: build/nfcore and build/plugins/onnx.so"
