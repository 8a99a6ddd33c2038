#!/usr/bin/python3
"""libnfcore.so exports its public API and nothing else, under its versioned soname.

Checks that every name `nm -D --defined-only` shows is a function the public headers declare (core/include/nfcore
and sdk/nfcore), that every function the engine's header declares, its inline ones aside, is exported (hidden
visibility applied to the API too would otherwise pass), and that the soname is the one given.

usage: check_exports.py LIBRARY SONAME [--root SOURCE_DIR]
"""
import argparse
import os
import re
import subprocess
import sys

import public_api


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('library')
    ap.add_argument('soname')
    ap.add_argument('--root', default=os.path.normpath(os.path.join(here, '..', '..')))
    args = ap.parse_args()

    nm = subprocess.run(['nm', '-D', '--defined-only', args.library], capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
    declared = public_api.declared_functions(args.root)
    inline = public_api.inline_functions(args.root)
    required = public_api.declared_functions(args.root, public_api.ENGINE_HEADERS) - inline
    problems = [f'exports {name}, which no public header declares' for name in sorted(exported - declared)]
    problems += [f'exports {name}, which the headers define inline' for name in sorted(exported & inline)]
    problems += [f'does not export {name}, which core/include declares' for name in sorted(required - exported)]

    dynamic = subprocess.run(['readelf', '-d', args.library], capture_output=True, text=True, check=True).stdout
    soname = re.search(r'\(SONAME\)\s+Library soname: \[([^]]+)\]', dynamic)
    if not soname or soname.group(1) != args.soname:
        problems.append(f'soname {soname.group(1) if soname else "missing"}, expected {args.soname}')

    for problem in problems:
        print(f'{args.library}: {problem}')
    print(f'shared library: {len(exported)} symbols exported, soname {soname.group(1) if soname else "missing"}: '
          + (f'{len(problems)} problem{"s" if len(problems) > 1 else ""}' if problems else 'the public API alone'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
