#!/bin/sh
# Installs what is missing, then builds and runs every test twice: a release build, and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. The conformance suites run when ../shared exists.
# Then the fuzz build (clang-14, libFuzzer): each target replays its seeds and regression inputs, then fuzzes for a
# short smoke test (ctest -L fuzz; docs/FUZZING.md).
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
echo "== fuzz build"
CC=clang-14 cmake -S . -B build-test-fuzz -DNFC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-test-fuzz -j"$jobs" --target fuzz_all >/dev/null
(cd build-test-fuzz && ctest --output-on-failure -j"$jobs" -L fuzz)
