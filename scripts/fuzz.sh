#!/bin/sh
# A fuzzing campaign: builds the libFuzzer targets (build-fuzz, Debian's clang-14) and fuzzes each for SECONDS
# (default 600), one target after another, at the lowest CPU priority. Each target's corpus is kept in
# build-fuzz/campaign/<target>/corpus (not committed) and grows from run to run; findings are copied to
# build-fuzz/campaign/findings/<target>/. Prints each target's figures (executions per second, libFuzzer's cov and
# ft, findings) as a JSON line. FUZZ_EXTRA_SEEDS=DIR adds the small capture files under DIR to the pipeline's seeds.
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]   (targets: the names after fuzz_ in build-fuzz/fuzz/)
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-600}
[ $# -gt 0 ] && shift
dir=build-fuzz
CC=clang-14 cmake -S . -B "$dir" -DNFC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j2 --target fuzz_all >/dev/null
targets=$*
[ -n "$targets" ] || targets=$(cd "$dir/fuzz" && ls fuzz_* | sed 's/^fuzz_//')
campaign=$dir/campaign
extra=""
if [ -n "${FUZZ_EXTRA_SEEDS:-}" ]; then
    extra=$campaign/extra-seeds
    mkdir -p "$extra"
    find "$FUZZ_EXTRA_SEEDS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -size -64k |
        while read -r f; do cp "$f" "$extra/$(sha1sum "$f" | cut -c1-40)"; done
fi
status=0
for t in $targets; do
    echo "== fuzz_$t: $seconds s" >&2
    nice -n 19 python3 fuzz/run_fuzzer.py --target "$dir/fuzz/fuzz_$t" --seeds "$dir/fuzz/seeds/$t" \
        --regressions "fuzz/regressions/$t" --known fuzz/known_issues.txt campaign --seconds "$seconds" \
        --work "$campaign/$t" --findings "$campaign/findings/$t" ${extra:+$([ "$t" = pipeline ] && echo --extra "$extra")} ||
        status=1
done
exit $status
