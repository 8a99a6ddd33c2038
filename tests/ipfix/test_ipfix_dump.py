#!/usr/bin/python3
"""An IPFIX file export read back by libfixbuf's ipfixDump --rfc5610: every column of every flow, found by its
element's name (the enterprise ones named by the file's own RFC 5610 type records), equals the CSV of the same run;
octetDeltaCount and its reverse, beside the default accounting mode's layer2 ones, equal RFC 7012's IP bytes (the
CSV's of --accounting-mode 1, plus 40 per IPv6 packet).

On the build's sample capture with statistics, SPLT, community_id and the splt, dhcp and mdns plugins, and on
conformance captures (TLS server names, IPv6, tunnels, DHCP and mDNS: plugin lists of integers and of strings) when
../shared is there.

usage: test_ipfix_dump.py NFCORE SAMPLE_PCAP [SHARED_DIR]
"""
import ast
import csv
import ipaddress
import os
import re
import shutil
import subprocess
import sys

import round_trip
from ipfix_columns import IDLE_TIMEOUT_MS, element, end_reason, ms_text

CONFORMANCE = ['443-chrome.pcap', 'quic_0RTT.pcap', '6in6tunnel.pcap', 'teredo.pcap', 'dns_long_domainname.pcap',
               'instagram.pcap', 'dhcp.pcap', 'mdns.pcap']
OPTIONS = ['--statistical-analysis', '--splt-analysis', '5', '--community-id', '--plugin', 'splt.so', '--plugin',
           'dhcp.so', '--plugin', 'mdns.so']
# mdns.pcap's idle flows wait behind a busy older one (spec 5.4) and so end with the capture: with an idle timeout
# longer than the capture, every flow still open at its end is one the input ended.
PER_CAPTURE = {'mdns.pcap': ['--idle-timeout', '1000']}
FIELD = re.compile(r'^\t\((?:\d+/)?\d+\)(?: \(S\))?\s*(\S+) : ?(.*)$')
LIST_ITEM = re.compile(r'^\t\t\t\d+\s+: (.*)$')
STRING = re.compile(r'^\(len: (\d+)\) ?(.*)$', re.DOTALL)


def data_records(text):
    """The data records of ipfixDump's output: {element name: value}, a basicList's value a list of its items."""
    records, record, current = [], None, None
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith('--- data record'):
            record = {}
            records.append(record)
            continue
        m = FIELD.match(line)
        if record is not None and m:
            current, value = m.group(1), m.group(2)
            s = STRING.match(value)
            if s:  # a string may hold newlines: its length says where it ends
                value = s.group(2)
                while len(value.encode()) < int(s.group(1)) and i < len(lines):
                    value += '\n' + lines[i]
                    i += 1
            record[current] = [] if value == '' else value
            continue
        item = LIST_ITEM.match(line)
        if record is not None and item and isinstance(record.get(current), list):
            record[current].append(item.group(1))
    return [r for r in records if 'flowId' in r]


def expected_text(column, value, row, capture_end_ms, idle_timeout_ms):
    """The CSV value as ipfixDump prints the column's element."""
    if column == 'expiration_id':
        return end_reason(row, capture_end_ms, idle_timeout_ms)
    if column.endswith('first_seen_ms') or column.endswith('last_seen_ms'):
        return ms_text(value) if column.startswith(('bidirectional', 'dst2src')) else value
    if column in ('src_oui', 'dst_oui') and value:  # an octetArray of 3: ipfixDump 2.4.1 prints a little-endian number
        return str(int.from_bytes(bytes.fromhex(value.replace(':', '')), 'little'))
    if value in ('True', 'False'):
        return '1' if value == 'True' else '0'
    return value


def same(column, want, got):
    if want == '':  # a missing value: a template has none, so 0, or an empty string or list (docs/IPFIX.md)
        return got in ('0', '', [])
    if column.endswith('_ip') and not isinstance(got, list):  # ipfixDump writes IPv6 groups with leading zeros
        return ipaddress.ip_address(want) == ipaddress.ip_address(got)
    if want.startswith("['"):  # a list of strings, as Python writes one; each item as ipfixDump writes a string
        return ast.literal_eval(want) == [STRING.match(item).group(2) for item in got]
    if isinstance(got, list) or want.startswith('['):
        items = [x.strip() for x in want.strip('[]').split(',') if x.strip()]
        return items == got
    if re.fullmatch(r'-?\d+\.\d+(e[-+]\d+)?', want):
        return abs(float(want) - float(got)) <= 1e-6 * max(1.0, abs(float(want)))
    return want == got


def check(nfcore, pcap, options, tmp):
    base = os.path.join(tmp, os.path.basename(pcap))
    options = options + PER_CAPTURE.get(os.path.basename(pcap), [])
    idle_timeout_ms = (int(options[options.index('--idle-timeout') + 1]) * 1000 if '--idle-timeout' in options
                       else IDLE_TIMEOUT_MS)
    run = subprocess.run([nfcore, '-r', pcap, *options, '--ipfix', f'file:{base}.ipfix', '-o', f'{base}.csv'],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return [f'{pcap}: nfcore exited {run.returncode}: {run.stderr.strip()}']
    with open(f'{base}.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    dump = subprocess.run(['ipfixDump', '--rfc5610', '-i', f'{base}.ipfix'], capture_output=True, text=True,
                          errors='replace', check=True).stdout
    records = data_records(dump)
    if not rows or len(records) != len(rows):
        return [f'{pcap}: {len(rows)} flows in the CSV, {len(records)} records in the IPFIX file']
    problems = []
    capture_end_ms = max(int(row['bidirectional_last_seen_ms']) for row in rows)
    for row, record in zip(rows, records):
        for column, value in row.items():
            name = element(column, row)
            if name not in record:
                problems.append(f'{pcap}: flow {row["id"]}: no element {name} for {column}')
            elif not same(column, expected_text(column, value, row, capture_end_ms, idle_timeout_ms), record[name]):
                problems.append(f'{pcap}: flow {row["id"]}: {column} is {value!r} in the CSV, {name} is '
                                f'{record[name]!r}')
    problems += check_ip_octets(nfcore, pcap, options, base, records)
    if not problems:
        print(f'{os.path.basename(pcap)}: {len(rows)} flows, {len(rows[0])} columns each, equal')
    return problems


def check_ip_octets(nfcore, pcap, options, base, records):
    """octetDeltaCount (default accounting mode) against the bytes of an --accounting-mode 1 run."""
    subprocess.run([nfcore, '-r', pcap, *options, '--accounting-mode', '1', '-o', f'{base}.ip.csv'], check=True)
    with open(f'{base}.ip.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    problems = []
    for row, record in zip(rows, records):
        for direction, element in (('src2dst', 'octetDeltaCount'), ('dst2src', 'reverseOctetDeltaCount')):
            want = int(row[f'{direction}_bytes']) + (40 * int(row[f'{direction}_packets'])
                                                     if row['ip_version'] == '6' else 0)
            if record.get(element) != str(want):
                problems.append(f'{pcap}: flow {row["id"]}: {element} is {record.get(element)!r}, IP bytes {want}')
    return problems


def main():
    nfcore, sample = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else None
    if not shutil.which('ipfixDump'):
        print('SKIP: ipfixDump not found (Debian libfixbuf-tools)')
        return 77
    return round_trip.run('ipfixDump', sample, shared, CONFORMANCE,
                          lambda pcap, tmp: check(nfcore, pcap, OPTIONS, tmp))


if __name__ == '__main__':
    sys.exit(main())
