#!/bin/sh
# Installs what is missing, then builds and runs every test twice: a release build, and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. The conformance suites run when ../shared exists.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-onnxruntime.sh
jobs=$(nproc)
for variant in release asan; do
    dir=build-test-$variant
    sanitize=OFF
    [ "$variant" = asan ] && sanitize=ON
    echo "== $variant build"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFC_SANITIZE=$sanitize >/dev/null
    cmake --build "$dir" -j"$jobs" >/dev/null
    (cd "$dir" && ctest --output-on-failure -j"$jobs")
done
