#!/usr/bin/env python3
"""Plugins against the core's own columns, flow by flow, on nfstream's 220 conformance captures:

- udps.ack_count (examples/ack_count.so) == bidirectional_ack_packets;
- udps.maximum_iat_ms (examples/iat.so, examples/maximum_iat_ms.so) == bidirectional_max_piat_ms, and -1 where
  bidirectional_packets is 1;
- udps.splt_* (BUILD/plugins/splt.so:sequence_length=10,accounting_mode=0) == splt_* (--splt-analysis 10), each of
  the three SPLT columns.
A capture fails when nfcore writes no flow for it (each of them has flows) or a flow lacks a column to compare, so
that an empty output cannot pass; a missing plugin fails the test.

usage: crosscheck.py NFCORE BUILD_DIR [--jobs N]
The captures are those of ../../../shared/conformance/nfstream (or $NFC_SHARED_DIR/conformance/nfstream); exits 77
(skipped) when they are absent.
"""
import argparse
import csv
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

SKIP = 77


def shared_pcaps():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get('NFC_SHARED_DIR') or os.path.join(here, '..', '..', '..', 'shared')
    return os.path.join(shared, 'conformance', 'nfstream', 'pcaps')


SPLT_COLUMNS = ('splt_direction', 'splt_ps', 'splt_piat_ms')


def checks(build):
    """(name, nfcore options, row -> list of (column, expected, actual) to compare)"""
    examples = os.path.join(build, 'examples')
    splt = os.path.join(build, 'plugins', 'splt.so')
    return [
        ('ack_count', ['--statistical-analysis', '--plugin', os.path.join(examples, 'ack_count.so')],
         lambda r: [('udps.ack_count', r['bidirectional_ack_packets'], r['udps.ack_count'])]),
        ('maximum_iat_ms', ['--statistical-analysis', '--plugin', os.path.join(examples, 'iat.so'),
                            '--plugin', os.path.join(examples, 'maximum_iat_ms.so')],
         lambda r: [('udps.maximum_iat_ms',
                     '-1' if r['bidirectional_packets'] == '1' else r['bidirectional_max_piat_ms'],
                     r['udps.maximum_iat_ms'])]),
        ('splt', ['--splt-analysis', '10', '--plugin', splt + ':sequence_length=10,accounting_mode=0'],
         lambda r: [(c, r.get(c), r.get('udps.' + c)) for c in SPLT_COLUMNS]),
    ]


def missing_plugins(options):
    """The plugin files that options name and that do not exist."""
    return [o.split(':')[0] for prev, o in zip(options, options[1:])
            if prev == '--plugin' and not os.path.exists(o.split(':')[0])]


def check_capture(nfcore, capture, options, compare):
    args = [nfcore, '-r', capture] + options
    run = subprocess.run(args, capture_output=True, text=True)
    # Exit status 1 means a damaged capture was read (its flows are still written); a sanitizer report fails.
    if run.returncode not in (0, 1) or 'Sanitizer' in run.stderr or 'runtime error' in run.stderr:
        return 0, [f'exit status {run.returncode}: {run.stderr.strip()[-2000:]}']
    problems, flows = [], 0
    for row in csv.DictReader(io.StringIO(run.stdout)):
        flows += 1
        for column, expected, actual in compare(row):
            if (expected is None or expected != actual) and len(problems) < 3:
                problems.append(f'flow {row["id"]} {column}: expected {expected!r}, got {actual!r}')
    if not flows:
        problems.append('no flows: an empty output would agree')
    return flows, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('nfcore')
    ap.add_argument('build')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    pcaps = shared_pcaps()
    if not os.path.isdir(pcaps):
        print(f'skipped: conformance captures not found at {pcaps} (set NFC_SHARED_DIR to the shared folder)')
        return SKIP
    captures = sorted(os.path.join(pcaps, n) for n in os.listdir(pcaps))
    failed = not captures
    if failed:
        print(f'no capture in {pcaps}')
    with ThreadPoolExecutor(args.jobs) as pool:
        for name, options, compare in checks(args.build):
            missing = missing_plugins(options)
            if missing:
                print(f'{name}: FAIL, plugin not built: {", ".join(missing)}')
                failed = True
                continue
            results = pool.map(lambda c: check_capture(args.nfcore, c, options, compare), captures)
            flows, bad = 0, 0
            for capture, (n, problems) in zip(captures, results):
                flows += n
                if problems:
                    bad += 1
                    print(f'{name}: {os.path.basename(capture)}: ' + '; '.join(problems))
            print(f'{name}: {len(captures) - bad} of {len(captures)} captures agree ({flows} flows)')
            failed |= bad > 0
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
