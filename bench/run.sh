#!/bin/sh
# The benchmark: builds nfcore (Release), takes a large capture — ../shared/bench's big.pcap when ../shared exists,
# else one from the project's own generator — and runs bench.py on it next to Debian's ndpiReader, after
# python_bench.py (the Python package against the command and ndpiReader), python_plugin_bench.py (a Python
# plugin against ndpiReader), where librdkafka is installed, kafka_bench.py (--kafka to librdkafka's mock cluster
# against JSON lines to /dev/null) and, where nfdump is, ipfix_bench.py (--ipfix udp:// to nfcapd against the CSV to
# /dev/null).
# usage: bench/run.sh [RUNS]        (the capture is kept in build-bench/ for the next run)
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
runs=${1:-3}
scripts/install-deps.sh
if ! command -v ndpiReader >/dev/null; then
    apt-get install -y -qq --no-install-recommends libndpi-bin
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNFC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
capture=build-bench/big.pcap
if [ ! -s "$capture" ]; then
    if [ -x ../shared/bench/make_bench_pcap.sh ] || [ -f ../shared/bench/make_bench_pcap.sh ]; then
        command -v editcap >/dev/null || apt-get install -y -qq --no-install-recommends wireshark-common
        bash ../shared/bench/make_bench_pcap.sh "$capture"
    else
        build-bench/tools/make_traffic_pcap --flows 300000 --concurrency 3000 --packets 20 "$capture"
    fi
fi
PYTHONPATH=build-bench/python /usr/bin/python3 bench/python_bench.py build-bench/nfcore "$capture" --runs "$runs"
PYTHONPATH=build-bench/python /usr/bin/python3 bench/python_plugin_bench.py build-bench/nfcore "$capture" --runs "$runs"
if pkg-config --exists rdkafka; then
    # The tests' mock cluster, built here: the benchmark's build has no tests.
    cc -O2 -o build-bench/kafka_mock_cluster tests/kafka/mock_cluster.c $(pkg-config --cflags --libs rdkafka)
    python3 bench/kafka_bench.py build-bench/nfcore "$capture" build-bench/kafka_mock_cluster --runs "$runs"
fi
if command -v nfcapd >/dev/null && build-bench/nfcore --help | grep -q -- --ipfix; then
    python3 bench/ipfix_bench.py build-bench/nfcore "$capture" --runs "$runs"
fi
exec python3 bench/bench.py build-bench/nfcore "$capture" --runs "$runs"
