#!/usr/bin/env python3
"""Runs nfcore on every capture of a conformance folder and compares each flow, column by column, with the
expected CSV (nfstream's own output). Floats agree to 1e-9 relative; every other value must be equal.

usage: compare.py NFCORE CAPTURE_DIR EXPECTED_DIR [--suffix .csv] [--jobs N] [--] [nfcore options...]
Prints one line per capture that differs, the per-column agreement when it is not total, and a summary line
'conformance: N passed, M failed'. Exit status 0 only when every capture matches.
"""
import argparse
import csv
import io
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def read_rows(text):
    if not text.strip():
        return [], []
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    return header, list(reader)


def same_value(expected, actual):
    if expected == actual:
        return True
    try:
        e, a = float(expected), float(actual)
    except ValueError:
        return False
    if '.' not in expected and 'e' not in expected:
        return False
    return abs(e - a) <= 1e-9 * max(abs(e), abs(a), 1e-300)


def compare_capture(nfcore, capture, expected_path, options):
    run = subprocess.run([nfcore, '-r', capture] + options, capture_output=True, text=True)
    problems = []
    # Exit status 1 means a damaged capture was read (its flows are still written); a sanitizer report fails.
    if run.returncode not in (0, 1) or 'Sanitizer' in run.stderr or 'runtime error' in run.stderr:
        return [f'exit status {run.returncode}: {run.stderr.strip()[-2000:]}'], Counter(), Counter()
    with open(expected_path, newline='') as f:
        exp_header, exp_rows = read_rows(f.read())
    act_header, act_rows = read_rows(run.stdout)
    if exp_rows and exp_header != act_header:
        missing = [c for c in exp_header if c not in act_header]
        extra = [c for c in act_header if c not in exp_header]
        return [f'columns differ: missing {missing}, extra {extra}'], Counter(), Counter()
    if len(exp_rows) != len(act_rows):
        problems.append(f'{len(act_rows)} flows, expected {len(exp_rows)}')
    agree, total = Counter(), Counter()
    for exp, act in zip(exp_rows, act_rows):
        for name, e, a in zip(exp_header, exp, act):
            total[name] += 1
            if same_value(e, a):
                agree[name] += 1
            elif len(problems) < 4:
                problems.append(f'flow {exp[0]} {name}: expected {e!r}, got {a!r}')
    return problems, agree, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('nfcore')
    ap.add_argument('captures')
    ap.add_argument('expected')
    ap.add_argument('--suffix', default='.csv')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('options', nargs=argparse.REMAINDER)
    args = ap.parse_args()
    options = [o for o in args.options if o != '--']

    names = sorted(n for n in os.listdir(args.captures)
                   if os.path.exists(os.path.join(args.expected, n + args.suffix)))
    if not names:
        print(f'no capture in {args.captures} has an expected output in {args.expected}')
        return 1

    def job(name):
        return name, compare_capture(args.nfcore, os.path.join(args.captures, name),
                                     os.path.join(args.expected, name + args.suffix), options)

    agree_all, total_all = Counter(), Counter()
    failed = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, (problems, agree, total) in pool.map(job, names):
            agree_all.update(agree)
            total_all.update(total)
            if problems:
                failed += 1
                print(f'{name}: ' + '; '.join(problems))
    if not total_all:
        print('no flow was compared: nfcore wrote none, or the expected outputs hold none')
        failed = len(names)
    elif failed:
        print('per-column agreement (flows compared pairwise):')
        for column in total_all:
            if agree_all[column] != total_all[column]:
                print(f'  {column}: {agree_all[column]}/{total_all[column]}')
    print(f'conformance {os.path.basename(os.path.normpath(args.captures.rstrip("/pcaps")))}: '
          f'{len(names) - failed}/{len(names)} captures match')
    print(f'{len(names) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
