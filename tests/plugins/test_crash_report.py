#!/usr/bin/env python3
"""A plugin that crashes, and what the command says of its plugins.

crash: the test plugin crash.so dies on demand; nfcore then writes one line on standard error naming the plugin,
       its path and the hook ("nfcore: plugin 'crash' (PATH) crashed in on_update: SIGSEGV") and dies of that same
       signal: every signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) in on_update, SIGSEGV in every hook (setup,
       on_init, on_update, on_expire, teardown), on a meter thread (-j 2), and a plugin that overflows its stack
       (SIGSEGV, reported from the alternate signal stack of the reading thread and of a meter thread). Release
       builds only: the sanitizers own SIGSEGV.
times: --verbose reports each plugin's hook calls and time; on sample.pcap (32 packets, 8 flows), on_init and
       on_expire run once per flow and on_update for every other packet, with -j 1 and -j 2.

Usage: test_crash_report.py NFCORE CRASH_SO SAMPLE_PCAP [crash|times]: both by default.
"""
import re
import resource
import signal
import subprocess
import sys

SIGNALS = {'segv': signal.SIGSEGV, 'bus': signal.SIGBUS, 'fpe': signal.SIGFPE, 'ill': signal.SIGILL,
           'abrt': signal.SIGABRT, 'stack': signal.SIGSEGV}
HOOKS = ['setup', 'on_init', 'on_update', 'on_expire', 'teardown']
PACKETS, FLOWS = 32, 8


def limits():
    """No core dump; an 8 MiB stack, so that the plugin that overflows its stack faults soon, on every thread."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, resource.getrlimit(resource.RLIMIT_STACK)[1]))


def nfcore(binary, sample, plugin, *args):
    return subprocess.run([binary, '-r', sample, '-o', '/dev/null', '--plugin', plugin, *args], capture_output=True,
                          text=True, preexec_fn=limits, timeout=60)


def check_crash(binary, crash_so, sample, hook, name, meters):
    r = nfcore(binary, sample, f'{crash_so}:hook={hook},signal={name}', '-j', str(meters))
    sig = SIGNALS[name]
    what = f'{hook}, {name}, -j {meters}'
    assert r.returncode == -sig, f'{what}: status {r.returncode}, not death by {sig.name}: {r.stderr!r}'
    expected = f"nfcore: plugin 'crash' ({crash_so}) crashed in {hook}: {sig.name}\n"
    assert r.stderr == expected, f'{what}: {r.stderr!r}'


def test_crash(binary, crash_so, sample):
    for name in SIGNALS:
        check_crash(binary, crash_so, sample, 'on_update', name, 1)
    for hook in HOOKS:
        check_crash(binary, crash_so, sample, hook, 'segv', 1)
    for name in ('segv', 'abrt', 'stack'):
        check_crash(binary, crash_so, sample, 'on_update', name, 2)


def test_times(binary, crash_so, sample):
    for meters in (1, 2):
        r = nfcore(binary, sample, f'{crash_so}:at=1000000', '-v', '-j', str(meters))
        assert r.returncode == 0, r
        assert f'nfcore: {PACKETS} packets (0 ignored' in r.stderr and f'{FLOWS} flows in' in r.stderr, r.stderr
        lines = [line for line in r.stderr.splitlines() if line.startswith('nfcore: plugin crash: ')]
        assert len(lines) == 1, r.stderr
        calls = {hook: int(n) for hook, n in re.findall(r', (\w+) (\d+) calls [\d.]+ ms \(\d+ ns each\)', lines[0])}
        expected = {'on_init': FLOWS, 'on_update': PACKETS - FLOWS, 'on_expire': FLOWS}
        assert calls == expected, f'-j {meters}: {calls}, expected {expected}: {lines[0]}'
        r = nfcore(binary, sample, f'{crash_so}:at=1000000', '-j', str(meters))
        assert (r.returncode, r.stderr) == (0, ''), r


PARTS = {'crash': test_crash, 'times': test_times}


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] and sys.argv[4] not in PARTS:
        sys.exit('usage: test_crash_report.py NFCORE CRASH_SO SAMPLE_PCAP [crash|times]')
    parts = sys.argv[4:] or list(PARTS)
    for part in parts:
        PARTS[part](*sys.argv[1:4])
    print(f'plugin crash report ({", ".join(parts)}): ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
