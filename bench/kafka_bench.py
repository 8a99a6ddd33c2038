#!/usr/bin/python3
"""Kafka's cost to the probe: nfcore's own CPU time (user + system, its threads and librdkafka's) producing every flow
to librdkafka's mock cluster, against writing the same JSON lines to /dev/null, both at -j 1 with --community-id
(the messages' key), in one sitting.

usage: python3 bench/kafka_bench.py NFCORE CAPTURE MOCK_CLUSTER [--runs N]

Each of N rounds runs `nfcore -r CAPTURE -j 1 --community-id -f jsonl -o /dev/null` and `nfcore -r CAPTURE -j 1
--community-id --kafka brokers=...,topic=flows` (a fresh 3-broker mock cluster, tests/kafka/mock_cluster.c, whose
own CPU time is not counted), alternating so that machine noise spreads evenly; medians are reported. Every message
must be delivered. Target: at most 15 % more CPU time than the JSON lines alone.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys

from python_bench import warm

TARGET = 1.15


def cpu_seconds(argv: list[str], capture: str) -> tuple[float, str]:
    """The command's user + system seconds (all its threads), and its standard error."""
    warm(capture)
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    return usage.ru_utime + usage.ru_stime, stderr


def kafka_run(nfcore: str, capture: str, mock_cluster: str) -> float:
    cluster = subprocess.Popen([mock_cluster, "flows", "6"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        brokers = cluster.stdout.readline().strip()
        seconds, stderr = cpu_seconds([nfcore, "-r", capture, "-j", "1", "--community-id", "-v", "--kafka-timeout",
                                       "300", "--kafka", f"brokers={brokers},topic=flows"], capture)
    finally:
        cluster.stdin.close()
        cluster.wait()
    m = re.search(r"nfcore: Kafka: (\d+) messages delivered, 0 dropped \(queue full\), 0 failed", stderr)
    if not m:
        sys.exit(f"not every message was delivered: {stderr.strip()[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nfcore")
    parser.add_argument("capture")
    parser.add_argument("mock_cluster")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    jsonl, kafka = [], []
    for _ in range(args.runs):
        jsonl.append(cpu_seconds([args.nfcore, "-r", args.capture, "-j", "1", "--community-id", "-f", "jsonl", "-o",
                                  "/dev/null"], args.capture)[0])
        kafka.append(kafka_run(args.nfcore, args.capture, args.mock_cluster))
    j, k = statistics.median(jsonl), statistics.median(kafka)
    ratio = k / j
    print(f"nfcore -f jsonl -o /dev/null: {j:.3f} s CPU (median of {args.runs})")
    print(f"nfcore --kafka (mock cluster): {k:.3f} s CPU (median of {args.runs})")
    # Each pair ran back to back: its ratio is what drift across the sitting disturbs least.
    pairs = [b / a for a, b in zip(jsonl, kafka)]
    print(f"pairs: {' '.join(f'{p:.3f}' for p in pairs)} (median {statistics.median(pairs):.3f})")
    print(f"Kafka's cost: {ratio:.3f}x ({(ratio - 1) * 100:+.1f} %); target at most {TARGET:.2f}x: "
          f"{'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
