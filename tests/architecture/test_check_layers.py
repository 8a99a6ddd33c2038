#!/usr/bin/python3
"""check_layers.py on a small tree this test writes: the flow part includes and calls the plugin part, and the CLI
calls an internal function of the flow part. It must report exactly those edges and fail; without them (edges that
point down, the CLI on the public API) it must pass.

usage: test_check_layers.py
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    'core/include/nfcore/nfcore.h': 'int nfc_engine_open(void);\n',
    'core/util/util.h': 'int nfc_util_max(int a, int b);\n',
    'core/util/util.c': '#include "util/util.h"\nint nfc_util_max(int a, int b) { return a > b ? a : b; }\n',
    'core/flow/flow.h': 'int nfc_flow_size(void);\n',
    'core/flow/flow.c': '#include "flow/flow.h"\n#include "util/util.h"\n#include "plugin/host.h"\n'
                        'int nfc_flow_size(void) { return nfc_util_max(nfc_plugins_size(), 1); }\n',
    'core/plugin/host.h': 'int nfc_plugins_size(void);\n',
    'core/plugin/host.c': '#include "plugin/host.h"\n#include "flow/flow.h"\n'
                          'int nfc_plugins_size(void) { return 8; }\n',
    'core/engine.c': '#include <nfcore/nfcore.h>\n#include "flow/flow.h"\n'
                     'int nfc_engine_open(void) { return nfc_flow_size(); }\n',
    'cli/main.c': '#include <nfcore/nfcore.h>\n#include "util/util.h"\n#include "flow/flow.h"\n'
                  'int main(void) { return nfc_util_max(nfc_engine_open(), nfc_flow_size()); }\n',
}
UPWARD = [
    'cli/main.c: includes flow/flow.h (cli may use only the public API, util, ipfix and kafka)',
    'core/flow/flow.c: includes plugin/host.h (flow may not depend on plugin)',
    'cli/main.c: calls nfc_flow_size, defined in flow (cli may use only the public API, util, ipfix and kafka)',
    'core/flow/flow.c: calls nfc_plugins_size, defined in plugin (flow may not depend on plugin)',
]
# The same tree with every upward edge taken out.
DOWNWARD = {
    'core/flow/flow.c': '#include "flow/flow.h"\n#include "util/util.h"\n'
                        'int nfc_flow_size(void) { return nfc_util_max(8, 1); }\n',
    'cli/main.c': '#include <nfcore/nfcore.h>\n#include "util/util.h"\n'
                  'int main(void) { return nfc_util_max(nfc_engine_open(), 1); }\n',
}
OBJECTS = {'core/': 'build/core/CMakeFiles/nfcore_engine.dir/', 'cli/': 'build/cli/CMakeFiles/nfcore.dir/'}


def write_tree(root, files):
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), 'w') as f:
            f.write(text)
    for path in (p for p in files if p.endswith('.c')):
        top = next(t for t in OBJECTS if path.startswith(t))
        obj = os.path.join(root, OBJECTS[top], path[len(top):] + '.o')
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        subprocess.run(['cc', '-c', '-I', os.path.join(root, 'core'), '-I', os.path.join(root, 'core', 'include'),
                        os.path.join(root, path), '-o', obj], check=True)


def check(root, expected_status, expected_lines):
    run = subprocess.run([sys.executable, os.path.join(HERE, 'check_layers.py'), '--root', root,
                          '--build', os.path.join(root, 'build')], capture_output=True, text=True)
    lines = run.stdout.splitlines()[:-1]
    if run.returncode != expected_status or lines != expected_lines:
        print(f'FAIL: expected status {expected_status} and {expected_lines}, got {run.returncode}:\n'
              f'{run.stdout}{run.stderr}')
        return False
    print(f'ok   status {run.returncode}: {run.stdout.splitlines()[-1]}')
    return True


def main():
    with tempfile.TemporaryDirectory(prefix='nfc-layers-') as tmp:
        upward = os.path.join(tmp, 'upward')
        write_tree(upward, FILES)
        downward = os.path.join(tmp, 'downward')
        write_tree(downward, {**FILES, **DOWNWARD})
        passed = check(upward, 1, UPWARD) & check(downward, 0, [])
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
