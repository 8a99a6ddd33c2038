#!/usr/bin/env python3
"""Throughput and memory of nfcore next to Debian's ndpiReader on one capture, measured in one sitting.

usage: bench.py NFCORE CAPTURE [--runs N] [--config NAME=ARGS ...] [--no-ndpireader]

Runs every configuration N times (default 3), alternating them so that machine noise spreads evenly, and prints
for each the median wall time, packets/s, ns/packet, peak RSS, the ratio to ndpiReader's median and, for -j N,
the speedup over the same configuration at -j 1; then nfcore's own figures: bytes per flow record and the most
flows held at once. The packet count comes from nfcore's
--verbose summary.
"""
import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

def default_configs():
    """Each configuration at -j 1, then again at -j 2 up to one per core."""
    configs = [('default -j 1', '-j 1'), ('statistical -j 1', '--statistical-analysis -j 1'),
               ('no-dpi -j 1', '--n-dissections 0 -j 1')]
    for n in range(2, max(2, len(os.sched_getaffinity(0))) + 1):
        configs += [(f'default -j {n}', f'-j {n}'), (f'statistical -j {n}', f'--statistical-analysis -j {n}'),
                    (f'no-dpi -j {n}', f'--n-dissections 0 -j {n}')]
    return configs


def warm(path):
    """Reads the capture through the page cache, so that no run pays for the disk and each starts alike. One small
    buffer: a child's peak RSS counts what it inherited from this process before exec."""
    buf = bytearray(1 << 20)
    with open(path, 'rb', buffering=0) as f:
        while f.readinto(buf):
            pass


def run_once(argv, capture):
    """Wall seconds, peak RSS in bytes and stderr of one run."""
    warm(capture)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f'{argv[0]} failed ({proc.returncode}): {err.strip()}')
    return elapsed, usage.ru_maxrss * 1024, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('nfcore')
    ap.add_argument('capture')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--config', action='append', default=[], metavar='NAME=ARGS')
    ap.add_argument('--no-ndpireader', action='store_true')
    args = ap.parse_args()

    configs = [tuple(c.split('=', 1)) for c in args.config] or default_configs()
    runs = {name: [nfcore_argv(args, extra)] for name, extra in configs}
    ndpi = shutil.which('ndpiReader')
    if ndpi and not args.no_ndpireader:
        runs['ndpiReader -q'] = [[ndpi, '-i', args.capture, '-q']]

    packets = None
    memory = {}
    results = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, (argv,) in runs.items():
            elapsed, rss, err = run_once(argv, args.capture)
            results[name].append((elapsed, rss))
            m = re.search(r'nfcore: (\d+) packets', err)
            if m:
                packets = int(m.group(1))
            m = re.search(r'at most (\d+) flows at once; (\d+) bytes per flow record, \+(\d+)', err)
            if m:
                memory[name] = m.groups()
    if packets is None:
        sys.exit('no packet count: nfcore printed no --verbose summary')

    base = statistics.median(t for t, _ in results['ndpiReader -q']) if 'ndpiReader -q' in results else None
    print(f'{os.path.basename(args.capture)}: {packets} packets, median of {args.runs} alternating runs')
    print(f'{"configuration":<28} {"time s":>8} {"Mpkt/s":>8} {"ns/pkt":>8} {"peak RSS MB":>12} {"vs ndpiReader":>14}'
          f' {"vs -j 1":>8}')
    medians = {name: statistics.median(s for s, _ in samples) for name, samples in results.items()}
    for name, samples in results.items():
        t = medians[name]
        rss = statistics.median(r for _, r in samples)
        ratio = f'{base / t:.2f}x' if base else '-'
        one = medians.get(re.sub(r'-j \d+$', '-j 1', name))
        speedup = f'{one / t:.2f}x' if one and name.endswith(tuple(f'-j {n}' for n in range(2, 1000))) else '-'
        print(f'{name:<28} {t:8.3f} {packets / t / 1e6:8.2f} {t / packets * 1e9:8.0f} {rss / 1e6:12.1f} {ratio:>14}'
              f' {speedup:>8}')
    for name, (peak, record, dpi) in memory.items():
        print(f'{name}: {record} bytes per flow record (+{dpi} of nDPI state while it dissects), '
              f'at most {peak} flows at once')
    return 0


def nfcore_argv(args, extra):
    return [args.nfcore, '-r', args.capture, '-o', '/dev/null', '--verbose'] + shlex.split(extra)


if __name__ == '__main__':
    sys.exit(main())
