#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora, one folder per target, from the project's own captures.

usage: make_seeds.py OUT_DIR SAMPLE.pcap TRAFFIC.pcap FLOOD.pcap JA4.pcap

The captures come from tools/make_sample_pcap, tools/make_traffic_pcap (a small run, and a --one-packet flood) and
tests/ja4/make_ja4_pcap.py. From them: the pipeline's seeds (each capture as classic pcap, in the other byte order
and as nanosecond pcap, which libpcap reads, and as pcapng, plus a capture of DHCP and mDNS for those plugins); the
decoder's (each distinct frame under several link types); and hand-written inputs for the parsers.
"""
import hashlib
import os
import struct
import sys

DLT_EN10MB, DLT_NULL, DLT_RAW, DLT_LINUX_SLL, DLT_IPV4, DLT_IPV6 = 1, 0, 101, 113, 228, 229
# The decoder target's link types by the index its first byte holds (fuzz/decode.c).
DECODE_INDEX = {DLT_EN10MB: 0, DLT_NULL: 1, DLT_RAW: 2, DLT_LINUX_SLL: 6, DLT_IPV4: 8, DLT_IPV6: 9}


def read_pcap(path):
    """(link type, [(sec, usec, frame, wire length)]) of a classic little-endian microsecond pcap file."""
    data = open(path, 'rb').read()
    magic, _, _, _, _, _, dlt = struct.unpack_from('<IHHiIII', data)
    assert magic == 0xa1b2c3d4, path
    records, pos = [], 24
    while pos + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack_from('<IIII', data, pos)
        records.append((sec, usec, data[pos + 16:pos + 16 + caplen], wirelen))
        pos += 16 + caplen
    return dlt, records


def pcap(dlt, records, endian='<', nanoseconds=False):
    magic = 0xa1b23c4d if nanoseconds else 0xa1b2c3d4
    out = [struct.pack(endian + 'IHHiIII', magic, 2, 4, 0, 0, 65535, dlt)]
    for sec, usec, frame, wirelen in records:
        frac = usec * 1000 if nanoseconds else usec
        out.append(struct.pack(endian + 'IIII', sec, frac, len(frame), wirelen) + frame)
    return b''.join(out)


def pcapng_block(kind, body):
    body += b'\0' * (-len(body) % 4)
    return struct.pack('<II', kind, len(body) + 12) + body + struct.pack('<I', len(body) + 12)


def pcapng(dlt, records):
    out = [pcapng_block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)),
           pcapng_block(1, struct.pack('<HHI', dlt, 0, 65535))]
    for sec, usec, frame, wirelen in records:
        ts = sec * 1000000 + usec
        out.append(pcapng_block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, len(frame), wirelen) + frame))
    return b''.join(out)


def checksum(data):
    data += b'\0' * (len(data) % 2)
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


def udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    udp = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b'\x08\x00' + ip + udp


def dhcp_mdns_capture():
    """A DHCP discover and offer, and an mDNS query and answer: what the dhcp and mdns plugins read."""
    client_mac, server_mac = bytes.fromhex('02000000aa01'), bytes.fromhex('02000000aa02')
    options = (b'\x63\x82\x53\x63' + b'\x35\x01\x01' + b'\x0c\x06laptop' + b'\x3c\x08MSFT 5.0' +
               b'\x37\x04\x01\x03\x06\x0f' + b'\x3d\x07\x01' + client_mac + b'\xff')
    bootp = lambda op: (struct.pack('!BBBBIHH4s4s4s4s', op, 1, 6, 0, 0x1234, 0, 0, b'\0' * 4, b'\0' * 4,
                                    b'\0' * 4, b'\0' * 4) + client_mac + b'\0' * 10 + b'\0' * 192 + options)
    name = b'\x07printer\x05_http\x04_tcp\x05local\x00'
    query = struct.pack('!HHHHHH', 0, 0, 1, 0, 0, 0) + name + struct.pack('!HH', 12, 1)
    answer = (struct.pack('!HHHHHH', 0, 0x8400, 0, 1, 0, 0) + name + struct.pack('!HHIH', 12, 1, 120, 2) + b'\xc0\x0c')
    mdns_mac = bytes.fromhex('01005e0000fb')
    frames = [
        udp_frame(client_mac, b'\xff' * 6, b'\0\0\0\0', b'\xff\xff\xff\xff', 68, 67, bootp(1)),
        udp_frame(server_mac, client_mac, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 50]), 67, 68, bootp(2)),
        udp_frame(client_mac, mdns_mac, bytes([192, 0, 2, 50]), bytes([224, 0, 0, 251]), 5353, 5353, query),
        udp_frame(server_mac, mdns_mac, bytes([192, 0, 2, 1]), bytes([224, 0, 0, 251]), 5353, 5353, answer),
    ]
    return DLT_EN10MB, [(1700000000 + i, 1000 * i, f, len(f)) for i, f in enumerate(frames)]


def relinked(frame):
    """An Ethernet frame (VLAN tags aside) under the other link types the decoder reads: {link type: frame}."""
    if len(frame) < 15 or frame[12:14] not in (b'\x08\x00', b'\x86\xdd'):
        return {}
    ip, v6 = frame[14:], frame[12:14] == b'\x86\xdd'
    sll = struct.pack('!HHH8s', 0, 1, 6, frame[6:12] + b'\0\0') + frame[12:14]
    return {DLT_RAW: ip, DLT_NULL: struct.pack('!I', 24 if v6 else 2) + ip, DLT_LINUX_SLL: sll + ip,
            DLT_IPV6 if v6 else DLT_IPV4: ip}


def write_seed(folder, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), 'wb') as f:
        f.write(data)


def pipeline_seeds(out, captures):
    for dlt, records in captures:
        for data in (pcap(dlt, records), pcap(dlt, records, '>'), pcap(dlt, records, nanoseconds=True),
                     pcapng(dlt, records)):
            write_seed(out, data)


def decode_seeds(out, captures, limit=120):
    seen = set()
    for _, records in captures:
        for _, _, frame, _ in records:
            key = frame[:54]  # headers: one frame of each kind
            if key in seen:
                continue
            seen.add(key)
            write_seed(out, bytes([DECODE_INDEX[DLT_EN10MB]]) + frame)
            for dlt, relinked_frame in relinked(frame).items():
                write_seed(out, bytes([DECODE_INDEX[dlt]]) + relinked_frame)
            if len(seen) >= limit:
                return


def writers_seeds(out):
    def string(s):
        return bytes([len(s)]) + s
    u64 = lambda v: struct.pack('!Q', v)
    record = (b'\0' + u64(7) + b'\1' + bytes(range(16)) + b'\0' + bytes.fromhex('02000000aa01') + b'\0' + u64(12) +
              b'\0' + struct.pack('!d', 123.25) + b'\0' + string(b'www.example.com') + b'\0' +
              string(b'Mozilla/5.0 "quoted" \\ back\x01\x7f\xc3\x28\xe2\x82\xac') + b'\2' + b'\3' +
              struct.pack('!qqq', -1, 1500, 40) + b'\2' + string(b"it's") + string(b'a,"b"\n\xff') + b'\xff')
    write_seed(out, record)
    write_seed(out, record + record.replace(b'www.example.com', b'\xed\xa0\x80\xef\xbf\xbe\x00\r\n,,,'))
    write_seed(out, b'\xff' * 40)


SEEDS = {
    'cli_options': [
        b'-r\nsample.pcap\n--statistical-analysis\n--splt-analysis\n5\n-f\nudp port 53',
        b'--help', b'--version', b'-r\na.pcap\n-r\nb.pcap\n--format\njsonl\n-o\nout.jsonl\n--flows-per-file\n10',
        b'-i\nlo\n--promiscuous-mode\nfalse\n--snapshot-length\n65535\n--performance-report\n1',
        b'-r\na.pcap\n--plugin\nsplt.so:sequence_length=3\n--describe',
        b'-r\na.pcap\n--anonymize\nsrc_ip,dst_ip\n--anonymize-key-file\n/dev/null',
        b'-r\na.pcap\n--ipfix\nudp://127.0.0.1:4739\n--ipfix-pen\n1\n--observation-domain\n7',
        b'-r\na.pcap\n--kafka\nbrokers=127.0.0.1:9092,topic=flows\n--probe-id\np1\n--kafka-timeout\n3',
        b'-r\na.pcap\n--idle-timeout\n-1', b'-r\na.pcap\n--no-decode-tunnels\n--accounting-mode\n3\n--n-meters\n0',
        b'-r\na.pcap\nextra', b'-Z', b'--max-nflows=18446744073709551616',
    ],
    'plugin_args': [
        b'\x00sequence_length=3,accounting_mode=2', b'\x01limit=5', b'\x02', b'\x03', b'\x04',
        b'\x00sequence_length=0', b'\x01limit=x', b'\x00=1', b'\x00a', b'\x01limit=1,limit=2,unknown=3', b'\x80',
    ],
    'anonymize_key': [
        b'0123456789abcdef' * 8 + b'\n', b'0123456789ABCDEF' * 8 + b'\r\n', b'0123456789abcdef' * 8,
        b'0123456789abcdef' * 8 + b'\n\n', b'0123456789abcdeg' * 8, b'',
    ],
    'ipfix_url': [
        b'file:/tmp/flows.ipfix', b'file:-', b'udp://127.0.0.1:4739', b'udp://[::1]:4739', b'udp://host:0',
        b'tcp://collector:4739', b'udp://a:b:1', b'file:',
    ],
    'kafka_options': [
        b'brokers=127.0.0.1:9092,topic=flows', b'brokers=a:1,b:2,topic=t,key=community_id',
        b'brokers=a:1,topic=t,key=none,compression.codec=lz4,sasl.mechanisms=PLAIN,bootstrap.servers=c',
        b'topic=t', b'brokers=,topic=t', b'=x', b'brokers=a:1,brokers=b:1,topic=t',
    ],
}


def main():
    out, sample, traffic, flood, ja4 = sys.argv[1:]
    captures = [read_pcap(p) for p in (sample, traffic, flood, ja4)] + [dhcp_mdns_capture()]
    pipeline_seeds(os.path.join(out, 'pipeline'), captures)
    decode_seeds(os.path.join(out, 'decode'), captures)
    writers_seeds(os.path.join(out, 'writers'))
    for target, inputs in SEEDS.items():
        for data in inputs:
            write_seed(os.path.join(out, target), data)


if __name__ == '__main__':
    main()
