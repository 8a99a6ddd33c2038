#!/usr/bin/python3
"""IPFIX's cost to the probe: nfcore's own CPU time (user + system, all its threads) exporting every flow over UDP to
nfdump's collector, against writing the CSV to /dev/null, both at -j 1, in one sitting.

usage: python3 bench/ipfix_bench.py NFCORE CAPTURE [--runs N] [--mtu BYTES]

nfcapd (nfdump 1.7, -B 8388608 for a socket buffer that keeps up) runs on a free port of 127.0.0.1 for the whole
sitting; its own CPU time is not counted. Each of N rounds runs `nfcore -r CAPTURE -j 1 -o /dev/null` and `nfcore -r
CAPTURE -j 1 --ipfix udp://127.0.0.1:P` (with --ipfix-mtu BYTES when given), alternating so that machine noise spreads
evenly; medians are reported. Every record must be sent, and nfcapd's count of the flows it received (and of its
sequence errors) is reported. Target: at most 15 % more CPU time than the CSV alone.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from kafka_bench import cpu_seconds

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ipfix"))
import nfcapd  # noqa: E402 (the round trip test's collector)

TARGET = 1.15


def ipfix_run(nfcore: str, capture: str, port: int, mtu: list[str], domain: int) -> tuple[float, int]:
    """nfcore's CPU seconds, and the records it sent. Each run is an observation domain of its own: nfcapd tells
    exporters apart by address and domain, and a run starting its sequence numbers again would count as errors."""
    seconds, stderr = cpu_seconds([nfcore, "-r", capture, "-j", "1", "-v", "--ipfix", f"udp://127.0.0.1:{port}",
                                   "--observation-domain", str(domain), *mtu], capture)
    sent = re.search(r"nfcore: IPFIX: (\d+) records sent\n", stderr)
    if not sent:
        sys.exit(f"not every record was sent: {stderr.strip()[-2000:]}")
    return seconds, int(sent.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nfcore")
    parser.add_argument("capture")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mtu", type=int)
    args = parser.parse_args()
    mtu = ["--ipfix-mtu", str(args.mtu)] if args.mtu else []
    csv, ipfix, sent = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        flows = os.path.join(tmp, "flows")
        os.mkdir(flows)
        collector, port, log = nfcapd.start(flows)
        try:
            for run in range(args.runs):
                csv.append(cpu_seconds([args.nfcore, "-r", args.capture, "-j", "1", "-o", "/dev/null"],
                                       args.capture)[0])
                seconds, records = ipfix_run(args.nfcore, args.capture, port, mtu, run + 1)
                ipfix.append(seconds)
                sent += records
        finally:
            nfcapd.stop(collector)
        with open(log) as f:
            stats = re.findall(r"Flows: (\d+),.*Sequence Errors: (\d+)", f.read())
    received = sum(int(flows) for flows, _ in stats)
    sequence_errors = sum(int(errors) for _, errors in stats)
    c, i = statistics.median(csv), statistics.median(ipfix)
    ratio = i / c
    print(f"nfcore -o /dev/null: {c:.3f} s CPU (median of {args.runs}: {' '.join(f'{x:.2f}' for x in csv)})")
    print(f"nfcore --ipfix udp:// to nfcapd{' ' + ' '.join(mtu) if mtu else ''}: {i:.3f} s CPU (median of "
          f"{args.runs}: {' '.join(f'{x:.2f}' for x in ipfix)})")
    print(f"nfcapd received {received} of the {sent} records sent, {sequence_errors} sequence errors")
    print(f"IPFIX's cost: {ratio:.3f}x ({(ratio - 1) * 100:+.1f} %); target at most {TARGET:.2f}x: "
          f"{'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
