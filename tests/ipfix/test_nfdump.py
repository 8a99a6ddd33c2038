#!/usr/bin/python3
"""A UDP export into nfdump's collector: nfcapd (1.7) receives it on 127.0.0.1 with no sequence error, and
`nfdump -r` reads back every flow with both directions' packets and bytes (RFC 7012's IP bytes: the CSV's with
--accounting-mode 1, plus 40 per IPv6 packet), its addresses, ports, protocol, start and end times equal to
nfcore's CSV of the same run.

On the build's sample capture, and on conformance captures when ../shared is there.

usage: test_nfdump.py NFCORE SAMPLE_PCAP [SHARED_DIR]
"""
import csv
import glob
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nfcapd
import round_trip

CONFORMANCE = ['443-chrome.pcap', 'quic_0RTT.pcap', '6in6tunnel.pcap', 'teredo.pcap', 'skype_udp.pcap',
               'mongodb.pcap', 'ipv6_in_gtp.pcap', 'synscan.pcap', 'skype.pcap']
FORMAT = 'fmt:%ts|%te|%pr|%sa|%da|%sp|%dp|%ipkt|%ibyt|%opkt|%obyt'


def ms(text):
    """nfdump's 'YYYY-MM-DD HH:MM:SS.mmm' (TZ=UTC) in ms since the epoch."""
    t = time.strptime(text[:19], '%Y-%m-%d %H:%M:%S')
    return (int(time.mktime(t)) - time.timezone) * 1000 + int(text[20:23])


def nfdump_flows(directory):
    files = sorted(glob.glob(os.path.join(directory, 'nfcapd.2*')))
    out = subprocess.run(['nfdump', '-6', '-N', '-q', '-o', FORMAT, '-R', directory], capture_output=True, text=True,
                         env={**os.environ, 'TZ': 'UTC'}, check=True).stdout if files else ''
    flows = []
    for line in out.splitlines():
        f = [x.strip() for x in line.split('|')]
        if len(f) != 11:
            continue
        flows.append((ms(f[0]), ms(f[1]), int(f[2]), ipaddress.ip_address(f[3]), ipaddress.ip_address(f[4]), f[5],
                      f[6], int(f[7]), int(f[8]), int(f[9]), int(f[10])))
    return sorted(flows)


def csv_flows(path):
    flows = []
    with open(path, newline='') as f:
        for r in csv.DictReader(f):
            v6 = r['ip_version'] == '6'
            proto = int(r['protocol'])
            ports = proto in (6, 17, 132)
            flows.append((int(r['bidirectional_first_seen_ms']), int(r['bidirectional_last_seen_ms']), proto,
                          ipaddress.ip_address(r['src_ip']), ipaddress.ip_address(r['dst_ip']),
                          r['src_port'] if ports else None, r['dst_port'] if ports else None,
                          int(r['src2dst_packets']), int(r['src2dst_bytes']) + (40 * int(r['src2dst_packets']) if v6 else 0),
                          int(r['dst2src_packets']), int(r['dst2src_bytes']) + (40 * int(r['dst2src_packets']) if v6 else 0)))
    return sorted(flows)


def check(nfcore, pcap, tmp):
    work = tempfile.mkdtemp(dir=tmp)
    directory = os.path.join(work, 'nfcapd')
    os.mkdir(directory)
    proc, port, log = nfcapd.start(directory)
    try:
        run = subprocess.run([nfcore, '-r', pcap, '--accounting-mode', '1', '--ipfix', f'udp://127.0.0.1:{port}',
                              '-o', os.path.join(work, 'flows.csv')], capture_output=True, text=True)
    finally:
        nfcapd.stop(proc)
    name = os.path.basename(pcap)
    if run.returncode != 0:
        return [f'{name}: nfcore exited {run.returncode}: {run.stderr.strip()}']
    with open(log) as f:
        stats = re.search(r'Flows: (\d+), .*Sequence Errors: (\d+), Bad Packets: (\d+)', f.read())
    want = csv_flows(os.path.join(work, 'flows.csv'))
    got = nfdump_flows(directory)
    problems = []
    if not stats or stats.group(2) != '0' or stats.group(3) != '0':
        problems.append(f'{name}: nfcapd: {stats.group(0) if stats else "no statistics line"}')
    if not want or len(got) != len(want):
        return problems + [f'{name}: {len(want)} flows in the CSV, {len(got)} read back by nfdump']
    for w, g in zip(want, got):
        # nfdump writes ICMP's type and code in place of the destination port: ports only for TCP, UDP and SCTP.
        g = g[:5] + ((None, None) if w[5] is None else g[5:7]) + g[7:]
        if w != g:
            problems.append(f'{name}: CSV {w} != nfdump {g}')
    if not problems:
        print(f'{name}: {len(want)} flows read back by nfdump, equal')
    return problems


def main():
    nfcore, sample = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else None
    if not shutil.which('nfcapd') or not shutil.which('nfdump'):
        print('SKIP: nfcapd or nfdump not found (Debian nfdump)')
        return 77
    return round_trip.run('nfdump', sample, shared, CONFORMANCE, lambda pcap, tmp: check(nfcore, pcap, tmp))


if __name__ == '__main__':
    sys.exit(main())
