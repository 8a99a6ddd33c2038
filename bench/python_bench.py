#!/usr/bin/python3
"""The Python package's speed next to the nfcore command and Debian's ndpiReader, on one capture, in one sitting.

usage: PYTHONPATH=BUILD/python /usr/bin/python3 bench/python_bench.py NFCORE CAPTURE [--runs N] [--meters K ...]

Measured, each in a fresh process with the capture in the page cache, alternating so that machine noise spreads
evenly, and reported as medians of N runs:
  - NFStreamer(CAPTURE, statistical_analysis=True, n_meters=K).to_pandas() against
    `nfcore -r CAPTURE --statistical-analysis -o FILE.csv -j K` (the ratio of times; target <= 1.3x);
  - plain iteration over NFStreamer(CAPTURE)'s flows (default meters) against `ndpiReader -i CAPTURE -q`, in
    packets/s (the ratio; target >= 3.3x, that is 10x nfstream, which runs at a third of ndpiReader's speed).
The Python figures time the call alone (the interpreter's start and imports excluded); the commands' figures are
their whole run. The packet count comes from nfcore's --verbose summary.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def warm(path: str) -> None:
    """Reads the capture through the page cache so that no run pays for the disk."""
    buf = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


def timed_command(argv: list[str], capture: str) -> tuple[float, str]:
    warm(capture)
    start = time.perf_counter()
    run = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode not in (0, 1):  # 1: a damaged capture was read to its end
        sys.exit(f"{argv[0]} failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    return elapsed, run.stderr


def timed_python(mode: str, capture: str, meters: int | None) -> float:
    """Runs this file's child part in a fresh interpreter; it prints the seconds the call took."""
    warm(capture)
    argv = [sys.executable, __file__, "--child", mode, capture] + ([] if meters is None else [str(meters)])
    run = subprocess.run(argv, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"NFStreamer {mode} failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    return float(run.stdout.split()[-1])


def child(mode: str, capture: str, meters: str | None) -> None:
    from nfcore import NFStreamer

    if mode == "to_pandas":
        streamer = NFStreamer(capture, statistical_analysis=True, n_meters=int(meters))
        start = time.perf_counter()
        df = streamer.to_pandas()
        elapsed = time.perf_counter() - start
        if df is None or df.empty:
            sys.exit("to_pandas returned no flow")
    else:
        streamer = NFStreamer(capture)
        start = time.perf_counter()
        flows = sum(1 for _ in streamer)
        elapsed = time.perf_counter() - start
        if not flows:
            sys.exit("the iteration yielded no flow")
    print(f"{elapsed:.6f}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5] + [None] * (5 - len(sys.argv)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("nfcore")
    ap.add_argument("capture")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--meters", type=int, action="append",
                    help="worker counts for the to_pandas comparison (default: 1 and one per CPU)")
    args = ap.parse_args()
    meters = args.meters or sorted({1, len(os.sched_getaffinity(0))})
    ndpi = shutil.which("ndpiReader")

    times: dict[str, list[float]] = {}
    packets = None
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "flows.csv")
        for _ in range(args.runs):
            for k in meters:
                elapsed, err = timed_command([args.nfcore, "-r", args.capture, "--statistical-analysis", "-o", csv,
                                              "-j", str(k), "--verbose"], args.capture)
                times.setdefault(f"nfcore -o x.csv -j {k}", []).append(elapsed)
                if m := re.search(r"nfcore: (\d+) packets", err):
                    packets = int(m.group(1))
                times.setdefault(f"to_pandas() n_meters={k}", []).append(
                    timed_python("to_pandas", args.capture, k))
            times.setdefault("iteration (default meters)", []).append(timed_python("iterate", args.capture, None))
            if ndpi:
                times.setdefault("ndpiReader -q", []).append(timed_command([ndpi, "-i", args.capture, "-q"],
                                                                           args.capture)[0])
    if packets is None:
        sys.exit("no packet count: nfcore printed no --verbose summary")

    median = {name: statistics.median(samples) for name, samples in times.items()}
    print(f"{os.path.basename(args.capture)}: {packets} packets, median of {args.runs} alternating runs")
    print(f"{'measurement':<30} {'time s':>8} {'Mpkt/s':>8}  ratio")
    for name, t in median.items():
        ratio = ""
        if name.startswith("to_pandas"):
            k = name.rsplit("=", 1)[1]
            ratio = f"{t / median[f'nfcore -o x.csv -j {k}']:.2f}x the command's time"
        elif name.startswith("iteration") and "ndpiReader -q" in median:
            ratio = f"{median['ndpiReader -q'] / t:.2f}x ndpiReader's pkt/s"
        print(f"{name:<30} {t:8.3f} {packets / t / 1e6:8.2f}  {ratio}")
    print("targets: to_pandas() <= 1.3x the command's time; iteration >= 3.3x ndpiReader's packets/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
