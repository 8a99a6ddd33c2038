#!/usr/bin/env python3
"""`nfcore --describe` on the example plugins: every plugin and field is named with its type, iat is marked
volatile, dummy_classifier may end flows; maximum_iat_ms without iat loaded before it is a setup error (status 2)
that says what to load.

usage: test_describe.py NFCORE EXAMPLES_DIR
"""
import os
import re
import subprocess
import sys

# plugin -> [(column, type as --describe prints it)]
FIELDS = {
    'ack_count': [('udps.ack_count', 'int')],
    'count_pkts_gt_666': [('udps.count_pkts_gt_666', 'int')],
    'fourth_src_to_dst_pkt_size': [('udps.fourth_src_to_dst_pkt_size', 'int (optional)')],
    'iat': [('udps.iat', 'int, volatile (not exported)')],
    'maximum_iat_ms': [('udps.maximum_iat_ms', 'int')],
    'dummy_classifier': [('udps.label', 'string')],
}
MAY_EXPIRE = {'dummy_classifier'}

failures = []


def describe(nfcore, examples, names):
    args = [nfcore, '--describe']
    for name in names:
        args += ['--plugin', os.path.join(examples, name + '.so')]
    return subprocess.run(args, capture_output=True, text=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    nfcore, examples = sys.argv[1:]

    result = describe(nfcore, examples, list(FIELDS))
    if result.returncode != 0:
        failures.append(f'--describe: exit status {result.returncode}: {result.stderr.strip()}')
    # One block per plugin: "name version (plugin ABI x.y)" then indented lines.
    blocks = {}
    for line in result.stdout.splitlines():
        if not line.startswith(' '):
            current = blocks.setdefault(line.split(' ')[0], [])
        else:
            current.append(line.strip())
    if list(blocks) != list(FIELDS):
        failures.append(f'plugins described: expected {list(FIELDS)}, got {list(blocks)}')
    for name, fields in FIELDS.items():
        lines = blocks.get(name, [])
        described = [tuple(re.split(r'\s{2,}', line, maxsplit=1)) for line in lines if line.startswith('udps.')]
        if described != fields:
            failures.append(f'{name} fields: expected {fields}, got {described}')
        may_expire = any('may end flows early' in line for line in lines)
        if may_expire != (name in MAY_EXPIRE):
            failures.append(f'{name}: "may end flows early" is {"" if may_expire else "not "}printed')

    for order in (['maximum_iat_ms'], ['maximum_iat_ms', 'iat']):
        result = describe(nfcore, examples, order)
        if result.returncode != 2 or 'iat.so' not in result.stderr:
            failures.append(f'{" then ".join(order)}: expected status 2 and a message naming iat.so, got '
                            f'{result.returncode}: {result.stderr.strip()!r}')

    for failure in failures:
        print('FAIL', failure)
    print('describe:', 'failed' if failures else 'passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
