#!/usr/bin/env python3
"""Two nfcore builds side by side on one capture: before and after a change, in one sitting.

usage: compare.py BEFORE AFTER CAPTURE [--runs N] [--config NAME=ARGS ...]

Runs each configuration N times (default 5) with the two binaries alternating, so that machine noise falls on
both alike, and prints the median wall time of each and their ratio (after / before).
"""
import argparse
import shlex
import statistics
import subprocess
import time

from bench import default_configs, warm


def wall_time(binary, capture, args):
    start = time.perf_counter()
    subprocess.run([binary, '-r', capture, '-o', '/dev/null'] + args, check=True)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('before')
    ap.add_argument('after')
    ap.add_argument('capture')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--config', action='append', default=[], metavar='NAME=ARGS')
    opts = ap.parse_args()
    configs = [tuple(c.split('=', 1)) for c in opts.config] or default_configs()
    warm(opts.capture)
    times = {}
    for name, args in configs:
        for _ in range(opts.runs):
            for side in ('before', 'after'):
                t = wall_time(getattr(opts, side), opts.capture, shlex.split(args))
                times.setdefault((name, side), []).append(t)
    print(f'| configuration | before (s) | after (s) | after / before |  (medians of {opts.runs})')
    print('|---|---|---|---|')
    for name, _ in configs:
        before = statistics.median(times[(name, 'before')])
        after = statistics.median(times[(name, 'after')])
        print(f'| {name} | {before:.3f} | {after:.3f} | {after / before:.3f} |')


if __name__ == '__main__':
    main()
