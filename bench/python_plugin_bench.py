#!/usr/bin/python3
"""A Python plugin's cost: NFStreamer(CAPTURE, udps=[ack_count()]).to_pandas(), with nfstream 6's ack_count written as
an NFPlugin, next to Debian's ndpiReader on the same capture, in one sitting.

usage: PYTHONPATH=BUILD/python /usr/bin/python3 bench/python_plugin_bench.py NFCORE CAPTURE [--runs N]

Each of N rounds runs `ndpiReader -i CAPTURE -q` and the Python call, each in a fresh process with the capture in the
page cache (python_bench.py's helpers), alternating so that machine noise spreads evenly; medians are reported. The
Python figure times the call alone (the interpreter's start and imports excluded), ndpiReader's its whole run. The
packet count comes from NFCORE's --verbose summary. Target: at most 2.8x ndpiReader's time (nfstream 6.5.4 ran the
same plugin at 0.12x ndpiReader's packets/s, so this is 3x nfstream).
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from python_bench import timed_command, warm

TARGET = 2.8


def child(capture: str) -> None:
    """Runs the call once and prints its seconds."""
    from nfcore import NFPlugin, NFStreamer

    class ack_count(NFPlugin):
        def on_init(self, packet, flow):
            flow.udps.ack_count = 1 if packet.ack else 0

        def on_update(self, packet, flow):
            flow.udps.ack_count += packet.ack

    start = time.perf_counter()
    df = NFStreamer(capture, udps=[ack_count()]).to_pandas()
    elapsed = time.perf_counter() - start
    if df is None or df.empty or "udps.ack_count" not in df.columns:
        sys.exit("to_pandas returned no flow or no udps.ack_count")
    print(f"{elapsed:.6f}")


def timed_python(capture: str) -> float:
    warm(capture)
    run = subprocess.run([sys.executable, __file__, "--child", capture], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"NFStreamer(udps=[ack_count()]).to_pandas() failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    return float(run.stdout.split()[-1])


def packet_count(nfcore_command: str, capture: str) -> int:
    run = subprocess.run([nfcore_command, "-r", capture, "-o", "/dev/null", "--verbose"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    if m := re.search(r"nfcore: (\d+) packets", run.stderr):
        return int(m.group(1))
    sys.exit(f"no packet count: {nfcore_command} printed no --verbose summary ({run.stderr.strip()[-500:]})")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("nfcore")
    ap.add_argument("capture")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ndpi = shutil.which("ndpiReader")
    if not ndpi:
        sys.exit("ndpiReader not found (Debian's libndpi-bin)")

    packets = packet_count(args.nfcore, args.capture)
    ndpi_times, python_times = [], []
    for _ in range(args.runs):
        ndpi_times.append(timed_command([ndpi, "-i", args.capture, "-q"], args.capture)[0])
        python_times.append(timed_python(args.capture))
    ndpi_s, python_s = statistics.median(ndpi_times), statistics.median(python_times)
    ratio = python_s / ndpi_s
    print(f"{Path(args.capture).name}: {packets} packets, median of {args.runs} alternating runs")
    print(f"{'measurement':<44} {'time s':>8} {'kpkt/s':>8}")
    rows = (("ndpiReader -i CAPTURE -q", ndpi_s), ("NFStreamer(udps=[ack_count()]).to_pandas()", python_s))
    for name, seconds in rows:
        print(f"{name:<44} {seconds:8.3f} {packets / seconds / 1e3:8.1f}")
    print(f"ratio: {ratio:.2f}x ndpiReader's time (target <= {TARGET}x): {'met' if ratio <= TARGET else 'NOT met'}")
    print("samples (s): ndpiReader " + ", ".join(f"{t:.3f}" for t in ndpi_times)
          + "; to_pandas " + ", ".join(f"{t:.3f}" for t in python_times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
