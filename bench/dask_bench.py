#!/usr/bin/python3
"""nfcore.dask.read_pcaps on 2 local worker processes against NFStreamer(capture).to_pandas() for each capture one
after the other, over the same captures, in one sitting.

usage: PYTHONPATH=BUILD/python /usr/bin/python3 bench/dask_bench.py [CAPTURE_FOLDER] [--runs N] [--workers W]
                                                                    [--captures-per-partition C]

CAPTURE_FOLDER defaults to ../shared/conformance/nfstream/pcaps (nfstream's 220 captures). Each of N rounds times,
alternately: the loop of to_pandas calls (n_meters=1, as each Dask task runs); read_pcaps without a client (a
LocalCluster of W processes started, used and closed: the whole cost); and read_pcaps(...).compute() on a cluster
already running (the metering and the transfers alone). Medians are reported, with the speed-ups against the loop
and the cluster's own overhead (start and close). Both give the same number of flows, or the run fails.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import distributed

import nfcore.dask
from nfcore import NFStreamer

SHARED_PCAPS = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "nfstream" / "pcaps"


def loop(captures: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    flows = 0
    for capture in captures:
        frame = NFStreamer(capture, n_meters=1).to_pandas()
        flows += 0 if frame is None else len(frame)
    return time.perf_counter() - start, flows


def own_cluster(captures: list[str], workers: int, group: int) -> tuple[float, int]:
    start = time.perf_counter()
    flows = len(nfcore.dask.read_pcaps(captures, n_workers=workers, captures_per_partition=group).compute())
    return time.perf_counter() - start, flows


def on_cluster(captures: list[str], client: distributed.Client, group: int) -> tuple[float, int]:
    start = time.perf_counter()
    frame = nfcore.dask.read_pcaps(captures, client=client, captures_per_partition=group)
    flows = len(client.compute(frame).result())
    return time.perf_counter() - start, flows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=SHARED_PCAPS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--captures-per-partition", type=int, default=1)
    args = parser.parse_args()
    captures = sorted(str(path) for path in args.folder.iterdir() if path.is_file())
    if not captures:
        sys.exit(f"no capture in {args.folder}")
    times: dict[str, list[float]] = {"loop": [], "own cluster": [], "running cluster": []}
    with nfcore.dask.local_cluster(args.workers) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        for _ in range(args.runs):
            group = args.captures_per_partition
            results = {"loop": loop(captures), "own cluster": own_cluster(captures, args.workers, group),
                       "running cluster": on_cluster(captures, client, group)}
            counts = {name: flows for name, (_, flows) in results.items()}
            if len(set(counts.values())) != 1 or not counts["loop"]:
                sys.exit(f"the flow counts differ or are 0: {counts}")
            for name, (seconds, _) in results.items():
                times[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{len(captures)} captures, {counts['loop']} flows, {args.workers} workers, "
          f"{args.captures_per_partition} captures a partition, median of {args.runs} runs")
    for name, seconds in median.items():
        print(f"  {name:16s} {seconds:7.2f} s   speed-up {median['loop'] / seconds:5.2f}x")
    print(f"  cluster start and close: {median['own cluster'] - median['running cluster']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
