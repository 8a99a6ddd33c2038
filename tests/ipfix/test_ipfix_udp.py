#!/usr/bin/python3
"""UDP export's message sizes and losses, received on a socket of the test's own on 127.0.0.1:

- by default, messages up to the route's MTU (loopback's 65536, less the IP and UDP headers), so that a datagram
  holds many records; with --ipfix-mtu 1000, none over 972 bytes; either way ipfixDump reads back every flow of the
  CSV from the datagrams written one after the other as an IPFIX file;
- a record that does not fit in a message (--ipfix-mtu 576 with SPLT) is counted as failed, exit 1, and so is one
  whose SPLT gap does not fit in its 4-byte items (25 days between two packets);
- a collector's port that is closed (ICMP port unreachable) costs every record, counted and said in one line, exit 1.

usage: test_ipfix_udp.py NFCORE
"""
import csv
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

from test_ipfix_tcp import FLOWS, PHASES, packet, phase

FLOW_ID = re.compile(r'^\t\(\d+\)\s+flowId : (\d+)$', re.M)


def write_capture(path):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for k in range(PHASES):
            f.write(phase(k))


def export(nfcore, pcap, tmp, *args):
    """Runs nfcore exporting to a socket of ours; returns (the run, the datagrams, the CSV's flow ids)."""
    flows = os.path.join(tmp, 'flows.csv')
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind(('127.0.0.1', 0))
        run = subprocess.run([nfcore, '-r', pcap, '-o', flows, '--ipfix', f'udp://127.0.0.1:{s.getsockname()[1]}',
                              *args], capture_output=True, text=True)
        s.setblocking(False)
        datagrams = []
        try:
            while True:
                datagrams.append(s.recv(65536))
        except BlockingIOError:
            pass
    with open(flows, newline='') as f:
        ids = sorted(int(r['id']) for r in csv.DictReader(f))
    return run, datagrams, ids


def read_back(datagrams, tmp):
    path = os.path.join(tmp, 'received.ipfix')
    with open(path, 'wb') as f:
        f.write(b''.join(datagrams))
    dump = subprocess.run(['ipfixDump', '-i', path], capture_output=True, text=True, check=True).stdout
    return sorted(int(x) for x in FLOW_ID.findall(dump))


def check_sizes(nfcore, pcap, tmp, problems):
    for args, largest, at_least in [([], 65507, 1473), (['--ipfix-mtu', '1000'], 972, 700)]:
        run, datagrams, ids = export(nfcore, pcap, tmp, *args)
        sizes = [len(d) for d in datagrams]
        if run.returncode != 0 or not sizes or max(sizes) > largest or max(sizes) < at_least:
            problems.append(f'{args}: exit {run.returncode} {run.stderr!r}, datagrams of {min(sizes, default=0)}'
                            f'..{max(sizes, default=0)} bytes, expected at most {largest}, at least one of {at_least}')
        elif read_back(datagrams, tmp) != ids or len(ids) != PHASES * FLOWS:
            problems.append(f'{args}: the datagrams do not hold the {len(ids)} flows of the CSV')
        else:
            print(f'{args or "default"}: {len(ids)} flows in {len(sizes)} datagrams of at most {max(sizes)} bytes')


def check_losses(nfcore, pcap, tmp, problems):
    run, _, ids = export(nfcore, pcap, tmp, '--ipfix-mtu', '576', '--splt-analysis', '20')
    want = ['a record larger than an IPFIX message of 548 bytes: ',
            f'IPFIX: 0 records sent, 0 dropped (queue full), {len(ids)} failed']
    if run.returncode != 1 or any(w not in run.stderr for w in want):
        problems.append(f'records over --ipfix-mtu: exit {run.returncode}, {run.stderr!r}')
    slow = os.path.join(tmp, 'slow.pcap')
    with open(slow, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1) + packet(1_000_000, 5000) +
                packet(1_000_000 + 25 * 86400, 5000))
    run, _, slow_ids = export(nfcore, slow, tmp, '--splt-analysis', '2', '--idle-timeout', '3000000',
                              '--active-timeout', '3000000')
    want = ["a value of splt_piat_ms beyond its items' 4 bytes",
            'IPFIX: 0 records sent, 0 dropped (queue full), 1 failed']
    if run.returncode != 1 or slow_ids != [0] or any(w not in run.stderr for w in want):
        problems.append(f'an SPLT gap of 25 days: exit {run.returncode}, {run.stderr!r}')
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        closed = s.getsockname()[1]
    run = subprocess.run([nfcore, '-r', pcap, '--ipfix', f'udp://127.0.0.1:{closed}'], capture_output=True,
                         text=True)
    want = [f'udp://127.0.0.1:{closed}: {len(ids)} records lost: the collector\'s port is unreachable',
            f'IPFIX: 0 records sent, 0 dropped (queue full), {len(ids)} failed']
    if run.returncode != 1 or any(w not in run.stderr for w in want) or len(run.stderr.splitlines()) != 1:
        problems.append(f'a closed port: exit {run.returncode}, {run.stderr!r}')


def main():
    nfcore = sys.argv[1]
    if not shutil.which('ipfixDump'):
        print('SKIP: ipfixDump not found (Debian libfixbuf-tools)')
        return 77
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, 'flows.pcap')
        write_capture(pcap)
        check_sizes(nfcore, pcap, tmp, problems)
        check_losses(nfcore, pcap, tmp, problems)
    for p in problems:
        print(p)
    print(f'UDP: {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
