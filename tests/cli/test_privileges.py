#!/usr/bin/env python3
"""`nfcore -Z USER`: the capture opened with the privileges it needs, the rest of the run as USER.

- An unknown user is refused before anything is opened: status 2, one line.
- Not root: -Z is refused (status 2, "cannot set its groups"); the rest is skipped (77).
- As root, with `nobody`:
  - a capture that only root may read (in a directory of mode 0700) is still metered: it is opened before the drop;
  - the -o file, created after the drop, belongs to nobody and its group, and holds the same flows as a run
    without -Z;
  - an -o file in a directory that only root may write is refused: status 2, "Permission denied".

Usage: test_privileges.py NFCORE SAMPLE_PCAP
"""
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
UNKNOWN = 'nfcore-no-such-user'


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def main(nfcore, sample):
    r = run(nfcore, '-Z', UNKNOWN, '-r', sample)
    assert (r.returncode, r.stdout, r.stderr) == (2, '', f"nfcore: -Z: unknown user '{UNKNOWN}'\n"), r
    try:
        nobody = pwd.getpwnam('nobody')
    except KeyError:
        print('skipped: no user nobody on this machine')
        return SKIP
    if os.geteuid() != 0:
        r = run(nfcore, '-Z', 'nobody', '-r', sample)
        assert r.returncode == 2 and r.stderr.startswith('nfcore: -Z nobody: cannot set its groups: '), r
        print('skipped: dropping privileges needs root (the refusal without it was checked)')
        return SKIP
    expected = run(nfcore, '-r', sample)
    assert expected.returncode == 0 and expected.stdout.count('\n') > 3, expected
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o711)   # nobody may pass through, not list or write
        private = os.path.join(top, 'private')
        os.mkdir(private, 0o700)
        capture = os.path.join(private, 'sample.pcap')
        shutil.copy(sample, capture)
        os.chmod(capture, 0o600)
        shared = os.path.join(top, 'shared')
        os.mkdir(shared)
        os.chown(shared, nobody.pw_uid, nobody.pw_gid)

        out = os.path.join(shared, 'flows.csv')
        r = run(nfcore, '-Z', 'nobody', '-r', capture, '-o', out)
        assert (r.returncode, r.stderr) == (0, ''), r
        st = os.stat(out)
        assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid), (st.st_uid, st.st_gid)
        with open(out) as f:
            assert f.read() == expected.stdout

        refused = os.path.join(private, 'flows.csv')
        r = run(nfcore, '-Z', 'nobody', '-r', capture, '-o', refused)
        assert (r.returncode, r.stderr) == (2, f'nfcore: {refused}: Permission denied\n'), r
        assert not os.path.exists(refused)
    print('-Z nobody: ok')
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: test_privileges.py NFCORE SAMPLE_PCAP')
    sys.exit(main(*sys.argv[1:]))
