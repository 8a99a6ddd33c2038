#!/usr/bin/python3
"""Dependencies point one way: each part of the tree may include and call only itself and the parts below it.

Checks two graphs and prints every edge that points the wrong way, one line each:
- the #include "..." graph of every .c and .h under core/ and cli/ (a name is looked up beside the including file,
  then in core/, core/include/ and sdk/, as the build does);
- with --build DIR, each part's undefined nfc_* symbols (nm on the build's object files) against the part whose
  object defines them.
A file that belongs to no part, an include found nowhere and a build without objects are errors too.

usage: check_layers.py [--root SOURCE_DIR] [--build BUILD_DIR]
Exit status 0 when every edge points down, 1 when one does not.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

import public_api

# The parts, from the bottom up: (name, its folders and files relative to the root). A part may depend on itself
# and on the parts listed before it; the public headers (core/include, the SDK) are open to every part.
LAYERS = [
    ('util', ['core/util/']),
    ('schema', ['core/schema/']),
    ('source', ['core/source/']),
    ('decode', ['core/decode/']),
    ('flow', ['core/flow/']),
    ('workers', ['core/workers/']),
    ('dpi', ['core/dpi/']),
    ('plugin', ['core/plugin/']),
    ('export', ['core/export/']),
    ('anonymize', ['core/anonymize/']),
    ('ipfix', ['core/export/ipfix/']),
    ('kafka', ['core/export/kafka/']),
    ('wiring', ['core/engine.c', 'core/config.c']),
    ('cli', ['cli/']),
]
PUBLIC = ['core/include/', 'sdk/']
# Parts held to the public API: besides themselves, they may use only the parts named here, and of the others
# only what the public headers declare.
PUBLIC_API_ONLY = {'cli': ['util', 'ipfix', 'kafka'], 'ipfix': ['util', 'export'], 'kafka': ['util', 'export']}
# Where a quoted include is looked up after the including file's own folder.
INCLUDE_PATH = ['core', 'core/include', 'sdk']
SCANNED = ['core', 'cli']
# The build's object files for each source folder: <build>/<objects>/<path of the source relative to the folder>.o
OBJECTS = [('core', 'core/CMakeFiles/nfcore_engine.dir'), ('core', 'core/CMakeFiles/nfcore_ipfix.dir'),
           ('core', 'core/CMakeFiles/nfcore_kafka.dir'),
           ('cli', 'cli/CMakeFiles/nfcore.dir')]

RANK = {name: i for i, (name, _) in enumerate(LAYERS)}


def part_of(path):
    """The part that a path relative to the root belongs to (the one whose place is the longest match: a part's
    folder may hold another's): a layer's name, 'public', or None."""
    if any(path.startswith(p) for p in PUBLIC):
        return 'public'
    matches = [(len(p), name) for name, places in LAYERS for p in places
               if path == p or p.endswith('/') and path.startswith(p)]
    return max(matches)[1] if matches else None


def refusal(user, used, public=False):
    """Why `user` may not depend on `used`, or None when it may."""
    if used in (user, 'public'):
        return None
    if user in PUBLIC_API_ONLY:
        if used in PUBLIC_API_ONLY[user] or public:
            return None
        return f'{user} may use only {", ".join(["the public API"] + PUBLIC_API_ONLY[user][:-1])} and ' \
               f'{PUBLIC_API_ONLY[user][-1]}'
    if RANK[used] < RANK[user]:
        return None
    return f'{user} may not depend on {used}'


def sources(root):
    found = []
    for top in SCANNED:
        for folder, _, files in os.walk(os.path.join(root, top)):
            found += [os.path.relpath(os.path.join(folder, f), root) for f in files if f.endswith(('.c', '.h'))]
    return sorted(found)


def resolve(root, path, name):
    for base in [os.path.dirname(path)] + INCLUDE_PATH:
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def include_violations(root, files):
    violations = []
    for path in files:
        user = part_of(path)
        if user is None:
            violations.append(f'{path}: belongs to no part (add its folder to LAYERS in {sys.argv[0]})')
            continue
        with open(os.path.join(root, path), errors='replace') as f:
            names = re.findall(r'^\s*#\s*include\s+"([^"]+)"', f.read(), re.MULTILINE)
        for name in names:
            target = resolve(root, path, name)
            if target is None:
                violations.append(f'{path}: includes {name}, found nowhere')
                continue
            used = part_of(target)
            why = 'not a part' if used is None else refusal(user, used)
            if why:
                violations.append(f'{path}: includes {name} ({why})')
    return violations


def symbols(obj):
    """(defined global names, undefined names) of one object file."""
    out = subprocess.run(['nm', '-P', obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == 'U':
            undefined.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, undefined


def symbol_violations(root, build):
    objects = {}
    for top, folder in OBJECTS:
        base = os.path.join(build, folder)
        for obj in glob.glob(os.path.join(base, '**', '*.o'), recursive=True):
            objects[os.path.join(top, os.path.relpath(obj, base)[:-len('.o')])] = symbols(obj)
    if not objects:
        return [f'{build}: no object files under {", ".join(f for _, f in OBJECTS)} (build the project first)']
    definer = {name: part_of(source) for source, (defined, _) in objects.items() for name in defined}
    public = public_api.declared_functions(root)
    violations = []
    for source, (_, undefined) in sorted(objects.items()):
        user = part_of(source)
        if user is None:
            violations.append(f'{source}: belongs to no part (add its folder to LAYERS in {sys.argv[0]})')
            continue
        for name in sorted(undefined):
            used = definer.get(name)
            if not name.startswith('nfc_') or used is None:
                continue
            why = refusal(user, used, public=name in public)
            if why:
                violations.append(f'{source}: calls {name}, defined in {used} ({why})')
    return violations


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description='Dependencies between the parts of the tree point one way.')
    ap.add_argument('--root', default=os.path.normpath(os.path.join(here, '..', '..')))
    ap.add_argument('--build')
    args = ap.parse_args()
    files = sources(args.root)
    if not files:
        print(f'{args.root}: no .c or .h file under {", ".join(SCANNED)}')
        return 1
    violations = include_violations(args.root, files)
    if args.build:
        violations += symbol_violations(args.root, args.build)
    for line in violations:
        print(line)
    checked = f'{len(files)} files' + (' and their objects' if args.build else '')
    print(f'architecture: {checked}, {len(violations)} dependencies against the direction'
          if violations else f'architecture: {checked}, every dependency points down')
    return 1 if violations else 0


if __name__ == '__main__':
    sys.exit(main())
