#!/usr/bin/python3
"""The command's IPFIX options: refusals with one line and exit status 2 before anything is metered, and the sinks
combined (--ipfix alone writes no CSV; with -o both are written; file:- is standard output).

usage: test_ipfix_cli.py NFCORE SAMPLE_PCAP
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

REFUSED = [
    (['--ipfix', 'ftp://127.0.0.1:4739'], 'expected file:PATH, udp://HOST:PORT or tcp://HOST:PORT'),
    (['--ipfix', 'udp://127.0.0.1'], 'expected HOST:PORT'),
    (['--ipfix', 'udp://:4739'], 'no host'),
    (['--ipfix', 'udp://127.0.0.1:70000'], "'70000' is not a port"),
    (['--ipfix', 'udp://[::1]4739'], 'expected [ADDRESS]:PORT'),
    (['--ipfix', 'tcp://127.0.0.1:{closed}'], 'tcp://127.0.0.1:{closed}: Connection refused'),
    (['--ipfix', 'tcp://127.0.0.1'], 'expected HOST:PORT'),
    (['--ipfix', 'udp://127.0.0.1:4739', '--ipfix-mtu', '575'], "--ipfix-mtu: '575' is not a whole number in 576..65535"),
    (['--ipfix', 'file:{tmp}/x.ipfix', '--ipfix-mtu', '1500'], '--ipfix-mtu is for --ipfix udp://HOST:PORT'),
    (['--ipfix-mtu', '1500'], '--ipfix-mtu needs --ipfix URL'),
    (['--ipfix', 'udp://127.0.0.1:4739', '--ipfix-mtu', '576', '--splt-analysis', '100', '--statistical-analysis'],
     'udp://127.0.0.1:4739: the templates do not fit in an IPFIX message of 548 bytes'),
    (['--probe-id', 'p'], '--probe-id needs --kafka or --ipfix'),
    (['--ipfix', 'file:'], 'expected file:PATH'),
    (['--ipfix', 'file:/nonexistent/dir/flows.ipfix'], '/nonexistent/dir/flows.ipfix: No such file or directory'),
    (['--ipfix', 'file:{tmp}/x.ipfix', '--ipfix-pen', '0'], "--ipfix-pen: '0' is not a whole number in 1..4294967295"),
    (['--ipfix', 'file:{tmp}/x.ipfix', '--ipfix-pen', '4294967296'], 'is not a whole number in 1..4294967295'),
    (['--ipfix', 'file:{tmp}/x.ipfix', '--observation-domain', '-1'], 'is not a whole number in 0..4294967295'),
    (['--ipfix-pen', '32473'], '--ipfix-pen needs --ipfix URL'),
    (['--observation-domain', '7'], '--observation-domain needs --ipfix URL'),
    (['--ipfix-template-refresh', '60'], '--ipfix-template-refresh needs --ipfix URL'),
    (['--ipfix', 'file:{tmp}/x.ipfix', '--ipfix-template-refresh', 'often'], 'is not a whole number in 0..4294967295'),
]


def closed_port():
    """A TCP port of 127.0.0.1 that nothing listens on (taken free, then closed)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def fnv1a32(name):
    h = 2166136261
    for c in name.encode():
        h = (h ^ c) * 16777619 % 2**32
    return h


def observation_domain(nfcore, pcap, ipfix, *args):
    """The observation domain of the file's messages, as ipfixDump reads it."""
    subprocess.run([nfcore, '-r', pcap, '--ipfix', f'file:{ipfix}', *args], check=True)
    dump = subprocess.run(['ipfixDump', '-i', ipfix], capture_output=True, text=True).stdout
    return {int(line.rsplit(':', 1)[1]) for line in dump.splitlines() if 'observation domain id:' in line}


def check_probe_id(nfcore, pcap, tmp, problems):
    """--probe-id gives the observation domain unless --observation-domain does."""
    ipfix = os.path.join(tmp, 'probe.ipfix')
    for args, domain in [(['--probe-id', '42'], 42), (['--probe-id', 'probe-7'], fnv1a32('probe-7')),
                         (['--probe-id', 'probe-7', '--observation-domain', '7'], 7)]:
        got = observation_domain(nfcore, pcap, ipfix, *args)
        if got != {domain}:
            problems.append(f'{args}: observation domains {got}, expected {domain}')


def main():
    nfcore, pcap = sys.argv[1], sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        if shutil.which('ipfixDump'):
            check_probe_id(nfcore, pcap, tmp, problems)
        for args, message in REFUSED:
            args = [a.format(tmp=tmp, closed=closed_port()) for a in args]
            message = message.format(closed=args[1].rsplit(':', 1)[-1])
            run = subprocess.run([nfcore, '-r', pcap, *args], capture_output=True, text=True)
            lines = run.stderr.splitlines()
            if run.returncode != 2 or len(lines) != 1 or message not in lines[0] or run.stdout:
                problems.append(f'{args}: exit {run.returncode}, stderr {run.stderr!r}, stdout {run.stdout[:80]!r}')

        ipfix = os.path.join(tmp, 'alone.ipfix')
        alone = subprocess.run([nfcore, '-r', pcap, '--ipfix', f'file:{ipfix}', '--ipfix-pen', '4242',
                                '--observation-domain', '7'], capture_output=True, text=True)
        if alone.returncode != 0 or alone.stdout or os.path.getsize(ipfix) == 0:
            problems.append(f'--ipfix alone: exit {alone.returncode}, stdout {alone.stdout[:80]!r}')
        if shutil.which('ipfixDump'):
            dump = subprocess.run(['ipfixDump', '--rfc5610', '-i', ipfix], capture_output=True, text=True).stdout
            if 'observation domain id: 7' not in dump or '(4242/83)' not in dump:
                problems.append('--ipfix-pen 4242 --observation-domain 7: not in the messages')

        stdout = subprocess.run([nfcore, '-r', pcap, '--ipfix', 'file:-'], capture_output=True)
        if stdout.returncode != 0 or stdout.stdout[:2] != b'\x00\x0a' or len(stdout.stdout) != os.path.getsize(ipfix):
            problems.append(f'--ipfix file:-: exit {stdout.returncode}, {len(stdout.stdout)} bytes on standard output')

        csv_path, both = os.path.join(tmp, 'both.csv'), os.path.join(tmp, 'both.ipfix')
        run = subprocess.run([nfcore, '-r', pcap, '--ipfix', f'file:{both}', '-o', csv_path], capture_output=True,
                             text=True)
        with open(csv_path) as f:
            flows = len(f.readlines()) - 1
        if run.returncode != 0 or flows != 8 or os.path.getsize(both) != os.path.getsize(ipfix):
            problems.append(f'--ipfix with -o: exit {run.returncode}, {flows} flows in the CSV')
    for p in problems:
        print(p)
    print(f'IPFIX options: {len(REFUSED)} refusals, sinks combined: {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
