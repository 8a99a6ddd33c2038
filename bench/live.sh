#!/bin/sh
# The live benchmarks (as root): the load sweep (bench/live_load.py: a veth pair in a network namespace of its own,
# tcpreplay at rising rates, nfcore with libpcap's 2 MiB buffer and with its default, and Debian's ndpiReader) and
# the soak (bench/soak.py: traffic on lo, written to a CSV file, then produced to librdkafka's mock cluster where
# librdkafka is installed). Installs what they use, builds nfcore (Release) in build-bench/.
# usage: bench/live.sh [SOAK_SECONDS] [REPEATS]      (600 and 3 by default)
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
soak=${1:-600}
repeats=${2:-3}
scripts/install-deps.sh
missing=""
command -v tcpreplay >/dev/null || missing="$missing tcpreplay"
command -v ndpiReader >/dev/null || missing="$missing libndpi-bin"
command -v ip >/dev/null || missing="$missing iproute2"
if [ -n "$missing" ]; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNFC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target nfcore make_traffic_pcap >/dev/null
/usr/bin/python3 bench/live_load.py build-bench/nfcore build-bench/tools/make_traffic_pcap --repeats "$repeats" \
    --config 'nfcore-2MiB=--socket-buffer-size 2097152' --config 'nfcore='
/usr/bin/python3 bench/soak.py build-bench/nfcore --duration "$soak"
if pkg-config --exists rdkafka; then
    # The tests' mock cluster, built here: the benchmark's build has no tests.
    cc -O2 -o build-bench/kafka_mock_cluster tests/kafka/mock_cluster.c $(pkg-config --cflags --libs rdkafka)
    /usr/bin/python3 bench/soak.py build-bench/nfcore --duration "$soak" --kafka build-bench/kafka_mock_cluster
fi
