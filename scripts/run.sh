#!/bin/sh
# Installs what is missing, builds nfcore and meters the project's sample capture (written by the build).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-onnxruntime.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFC_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/nfcore -r build/sample.pcap --verbose "$@"
