#!/bin/sh
# Installs what is missing, builds and installs nfcore (the command, the library and the Python package for Debian's
# python3), checks that the package imports from any folder, and meters the project's sample capture (written by
# the build).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-onnxruntime.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFC_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
cmake --install build >/dev/null
(cd / && /usr/bin/python3 -c 'import nfcore') || { echo "run.sh: the installed nfcore package does not import" >&2; exit 1; }
exec build/nfcore -r build/sample.pcap --verbose "$@"
