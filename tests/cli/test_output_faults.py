#!/usr/bin/env python3
"""The command's output when the output fails: a full disk, a reader that goes away.

- full:  `-o /dev/full` and a standard output on /dev/full: status 1 and one line on standard error naming the file
         and "No space left on device".
- pipe:  standard output a pipe whose reader takes the header and closes it (`nfcore -r x | head -1`): status 0,
         nothing on standard error, and the run stopped early (-v's summary counts fewer flows than the capture has).
- tmpfs: a 64 KiB tmpfs that fills midway, through -o and through standard output: status 1, one line, and the file
         holds only whole rows: exactly the first rows of the full output, ending in a newline (needs root and
         mount; else skipped).

The capture (40000 short flows, about 11 MB of CSV) is written by the build's make_traffic_pcap.

Usage: test_output_faults.py NFCORE MAKE_TRAFFIC_PCAP full|pipe|tmpfs
Exits 77 (skipped) when the tmpfs cannot be mounted.
"""
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
FLOWS = 40000
TMPFS_BYTES = 64 * 1024
NO_SPACE = 'write failed: No space left on device'


def make_capture(tool, directory):
    path = os.path.join(directory, 'traffic.pcap')
    subprocess.run([tool, '--flows', str(FLOWS), '--concurrency', '200', '--packets', '2', path], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def check_failure(run, name):
    assert run.returncode == 1, f'{name}: status {run.returncode}: {run.stderr!r}'
    assert run.stderr == f'nfcore: {name}: {NO_SPACE}\n', f'{name}: {run.stderr!r}'


def test_full(nfcore, pcap, directory):
    check_failure(subprocess.run([nfcore, '-r', pcap, '-o', '/dev/full'], capture_output=True, text=True),
                  '/dev/full')
    with open('/dev/full', 'w') as full:
        run = subprocess.run([nfcore, '-r', pcap], stdout=full, stderr=subprocess.PIPE, text=True)
    check_failure(run, 'standard output')


def test_pipe(nfcore, pcap, directory):
    proc = subprocess.Popen([nfcore, '-r', pcap, '-v', '-j', '1'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    header = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    rc = proc.wait(60)
    assert header.startswith('id,expiration_id,src_ip,'), header
    assert rc == 0, f'status {rc}: {err!r}'
    lines = err.splitlines()
    assert len(lines) == 3 and all(line.startswith('nfcore: ') for line in lines), err
    flows = int(re.search(r'(\d+) flows in', lines[0]).group(1))
    assert flows < FLOWS, f'{flows} flows metered: the run did not stop when its reader went away'


def mount_tmpfs(mountpoint):
    if os.geteuid() != 0:
        return 'not root'
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={TMPFS_BYTES}', 'tmpfs', mountpoint],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else f'mount -t tmpfs failed: {r.stderr.strip()}'


def check_complete_rows(path, full_output):
    with open(path, 'rb') as f:
        written = f.read()
    assert written.endswith(b'\n'), f'{path} ends in a partial row: {written[-80:]!r}'
    assert full_output.startswith(written), f'{path} is not the first rows of the full output'
    rows = written.count(b'\n') - 1
    assert 10 < rows < FLOWS, f'{path}: {rows} rows'
    return rows


def test_tmpfs(nfcore, pcap, directory):
    mountpoint = os.path.join(directory, 'small')
    os.mkdir(mountpoint)
    why = mount_tmpfs(mountpoint)
    if why:
        print(f'skipped: a {TMPFS_BYTES // 1024} KiB tmpfs cannot be mounted here ({why})')
        sys.exit(SKIP)
    try:
        full_output = subprocess.run([nfcore, '-r', pcap], capture_output=True, check=True).stdout
        assert len(full_output) > 4 * TMPFS_BYTES, len(full_output)
        path = os.path.join(mountpoint, 'flows.csv')
        check_failure(subprocess.run([nfcore, '-r', pcap, '-o', path], capture_output=True, text=True), path)
        check_complete_rows(path, full_output)
        os.unlink(path)
        with open(path, 'w') as out:
            run = subprocess.run([nfcore, '-r', pcap], stdout=out, stderr=subprocess.PIPE, text=True)
        check_failure(run, 'standard output')
        check_complete_rows(path, full_output)
    finally:
        subprocess.run(['umount', mountpoint], check=True)


PARTS = {'full': test_full, 'pipe': test_pipe, 'tmpfs': test_tmpfs}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in PARTS:
        sys.exit('usage: test_output_faults.py NFCORE MAKE_TRAFFIC_PCAP full|pipe|tmpfs')
    nfcore, tool, part = sys.argv[1:]
    with tempfile.TemporaryDirectory() as directory:
        PARTS[part](nfcore, make_capture(tool, directory), directory)
    print(f'output faults ({part}): ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
