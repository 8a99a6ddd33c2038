#!/usr/bin/env python3
"""The example plugins on a capture this script writes, checked against values worked out by hand.

The capture (Ethernet, IPv4, every frame captured whole; times in ms):

  A  TCP 10.0.0.1:40000 <-> 10.0.0.2:80      t     dir  size   gap
       A1 SYN                               1000   ->     74     -
       A2 SYN+ACK                           1010   <-    666    10
       A3 ACK                               1030   ->    667    20
       A4 PSH+ACK                           1100   ->   1000    70
       A5 ACK                               1105   <-     60     5
       A6 ACK                               1400   ->    700   295
  B  UDP 10.0.0.3:5000 -> 10.0.0.4:53       1200   ->    700          (between A5 and A6)
  C  UDP 10.0.0.5:6000 <-> 10.0.0.6:7000
       C1                                   2000   ->    100     -
       C2                                   2050   <-     80    50
       C3                                   2300   ->     90   250

With count_pkts_gt_666, fourth_src_to_dst_pkt_size, iat and maximum_iat_ms:
  A: 3 packets over 666 (667, 1000, 700; 666 itself is not), fourth src->dst packet A6 = 700, largest gap 295.
  B: 1 packet over 666, no fourth packet (empty), one packet so maximum_iat_ms -1.
  C: none over 666, only 2 src->dst packets (empty), largest gap 250.
  The volatile iat is not a column. Output is JSON lines, where an empty column (null) differs from "".
With dummy_classifier (bulk when the first three sizes sum to more than 300):
  A ends at A3 (74+666+667: bulk, expiration_id -1); A4 starts a new flow that ends at A6 (1000+60+700: bulk, -1).
  B has one packet: empty label, ends with the capture (expiration_id 0).
  C: 100+80+90 = 270: interactive, -1.

usage: test_examples.py NFCORE EXAMPLES_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

TCP, UDP = 6, 17
SYN, PSH, ACK = 0x02, 0x08, 0x10

# (time ms, src, sport, dst, dport, protocol, tcp flags, frame size)
PACKETS = [
    (1000, '10.0.0.1', 40000, '10.0.0.2', 80, TCP, SYN, 74),
    (1010, '10.0.0.2', 80, '10.0.0.1', 40000, TCP, SYN | ACK, 666),
    (1030, '10.0.0.1', 40000, '10.0.0.2', 80, TCP, ACK, 667),
    (1100, '10.0.0.1', 40000, '10.0.0.2', 80, TCP, PSH | ACK, 1000),
    (1105, '10.0.0.2', 80, '10.0.0.1', 40000, TCP, ACK, 60),
    (1200, '10.0.0.3', 5000, '10.0.0.4', 53, UDP, 0, 700),
    (1400, '10.0.0.1', 40000, '10.0.0.2', 80, TCP, ACK, 700),
    (2000, '10.0.0.5', 6000, '10.0.0.6', 7000, UDP, 0, 100),
    (2050, '10.0.0.6', 7000, '10.0.0.5', 6000, UDP, 0, 80),
    (2300, '10.0.0.5', 6000, '10.0.0.6', 7000, UDP, 0, 90),
]

failures = []


def ip_bytes(text):
    return bytes(int(x) for x in text.split('.'))


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def frame(src, sport, dst, dport, protocol, flags, size):
    if protocol == TCP:
        l4_header = struct.pack('!HHIIBBHHH', sport, dport, 1, 1, 5 << 4, flags, 65535, 0, 0)
    else:
        l4_header = struct.pack('!HHHH', sport, dport, size - 14 - 20, 0)
    payload = bytes(size - 14 - 20 - len(l4_header))
    ip_header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, size - 14, 0, 0x4000, 64, protocol, 0,
                            ip_bytes(src), ip_bytes(dst))
    ip_header = ip_header[:10] + struct.pack('!H', checksum(ip_header)) + ip_header[12:]
    ethernet = bytes.fromhex('020000000002' '020000000001') + struct.pack('!H', 0x0800)
    return ethernet + ip_header + l4_header + payload


def write_pcap(path):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for time_ms, *fields in PACKETS:
            data = frame(*fields)
            assert len(data) == fields[-1]
            f.write(struct.pack('<IIII', time_ms // 1000, time_ms % 1000 * 1000, len(data), len(data)))
            f.write(data)


def run(nfcore, pcap, plugins):
    args = [nfcore, '-r', pcap, '--format', 'jsonl']
    for plugin in plugins:
        args += ['--plugin', plugin]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0 or 'Sanitizer' in result.stderr or 'runtime error' in result.stderr:
        sys.exit(f'{" ".join(args)}: exit status {result.returncode}\n{result.stderr}')
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return list(rows[0]) if rows else [], rows


def expect(what, actual, wanted):
    if actual != wanted:
        failures.append(f'{what}: expected {wanted!r}, got {actual!r}')


def flow_key(row):
    return row['src_ip'], row['src_port'], row['bidirectional_first_seen_ms']


def check_features(nfcore, pcap, examples):
    header, rows = run(nfcore, pcap, [os.path.join(examples, name + '.so') for name in
                                      ('count_pkts_gt_666', 'fourth_src_to_dst_pkt_size', 'iat', 'maximum_iat_ms')])
    expect('plugin columns', header[-3:],
           ['udps.count_pkts_gt_666', 'udps.fourth_src_to_dst_pkt_size', 'udps.maximum_iat_ms'])
    expect('iat is volatile', [c for c in header if 'iat' in c and c.startswith('udps.')], ['udps.maximum_iat_ms'])
    # (packets, count_pkts_gt_666, fourth_src_to_dst_pkt_size, maximum_iat_ms); None is an empty column
    wanted = {
        ('10.0.0.1', 40000, 1000): (6, 3, 700, 295),
        ('10.0.0.3', 5000, 1200): (1, 1, None, -1),
        ('10.0.0.5', 6000, 2000): (3, 0, None, 250),
    }
    got = {flow_key(r): (r['bidirectional_packets'], r['udps.count_pkts_gt_666'],
                         r['udps.fourth_src_to_dst_pkt_size'], r['udps.maximum_iat_ms']) for r in rows}
    expect('features per flow', got, wanted)


def check_classifier(nfcore, pcap, examples):
    header, rows = run(nfcore, pcap, [os.path.join(examples, 'dummy_classifier.so')])
    expect('classifier columns', header[-1:], ['udps.label'])
    # (packets, expiration_id, label); the TCP conversation is cut after its third packet
    wanted = {
        ('10.0.0.1', 40000, 1000): (3, -1, 'bulk'),
        ('10.0.0.1', 40000, 1100): (3, -1, 'bulk'),
        ('10.0.0.3', 5000, 1200): (1, 0, None),
        ('10.0.0.5', 6000, 2000): (3, -1, 'interactive'),
    }
    got = {flow_key(r): (r['bidirectional_packets'], r['expiration_id'], r['udps.label']) for r in rows}
    expect('classifier per flow', got, wanted)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    nfcore, examples = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, 'examples.pcap')
        write_pcap(pcap)
        check_features(nfcore, pcap, examples)
        check_classifier(nfcore, pcap, examples)
    for failure in failures:
        print('FAIL', failure)
    print('examples:', 'failed' if failures else 'passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
