#!/usr/bin/env python3
"""Writes the ja4 plugin's test capture: TCP connections carrying TLS hellos built byte by byte.

Usage: make_ja4_pcap.py OUT.pcap

Every byte is fixed (timestamps, addresses, sequence numbers, the stand-ins for random values), so the
fingerprints that test_ja4.py expects can be worked out by hand. Client ports tell the flows apart:

  50001  IPv4  ClientHello (FoxIO's published JA4 example, plus GREASE) and a TLS 1.3 ServerHello
  50002  IPv6  the same two hellos
  50003  IPv4  SMTP STARTTLS: each hello follows plaintext; the ServerHello's record continues past the segment
  50004  IPv4  a ClientHello split over two segments; FoxIO's published JA4S example as the ServerHello
  50005  IPv4  a ClientHello whose extension runs past its extensions block
  50006  IPv4  TLS 1.0 hellos without extensions; an alert record comes before the ServerHello in its segment
  50007  IPv6  a ClientHello whose first ALPN value is not alphanumeric, and no ServerHello
"""

import struct
import sys

START_SEC = 1700000000
GAP_US = 1000
CLIENT_MAC = bytes.fromhex("020000000010")
SERVER_MAC = bytes.fromhex("020000000001")
IP4_CLIENT, IP4_SERVER = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20])
IP6_CLIENT = bytes.fromhex("20010db8000000000000000000000010")
IP6_SERVER = bytes.fromhex("20010db8000000000000000000000020")

FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10


# ---- TLS building blocks ----------------------------------------------------------------------------------

def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def vec8(body):
    return u8(len(body)) + body


def vec16(body):
    return u16(len(body)) + body


def u16s(values):
    return b"".join(u16(v) for v in values)


def ext(kind, body=b""):
    return u16(kind) + vec16(body)


def handshake(kind, body):
    return u8(kind) + struct.pack("!I", len(body))[1:] + body


def record(body, version=0x0301, length=None):
    """A handshake record; `length` overrides the length field (a record that goes on in later segments)."""
    return u8(22) + u16(version) + u16(len(body) if length is None else length) + body


def client_hello(ciphers, extensions, version=0x0303, session_id=b""):
    body = u16(version) + bytes(range(32)) + vec8(session_id) + vec16(u16s(ciphers)) + vec8(b"\x00")
    if extensions is not None:
        body += vec16(b"".join(extensions))
    return handshake(1, body)


def server_hello(cipher, extensions, version=0x0303, session_id=b""):
    body = u16(version) + bytes(range(0x40, 0x60)) + vec8(session_id) + u16(cipher) + b"\x00"
    if extensions is not None:
        body += vec16(b"".join(extensions))
    return handshake(2, body)


def server_name(host):
    return ext(0x0000, vec16(u8(0) + vec16(host)))


def alpn(*protocols):
    return ext(0x0010, vec16(b"".join(vec8(p) for p in protocols)))


# FoxIO's JA4 example (technical_details/JA4.md): 15 ciphers, 16 extensions and 8 signature algorithms, in the
# order given there, with GREASE added as browsers send it: a cipher, two extensions, a key share group, a
# signature algorithm, a supported version and a supported group.
MAIN_CLIENT_HELLO = client_hello(
    [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C,
     0x009D, 0x002F, 0x0035],
    [
        ext(0x0A0A),
        ext(0x001B, vec8(u16(0x0002))),                                   # compress_certificate: brotli
        server_name(b"www.example.com"),
        ext(0x0033, vec16(u16(0x3A3A) + vec16(b"\x00") + u16(0x001D) + vec16(bytes(range(32))))),
        alpn(b"h2", b"http/1.1"),
        ext(0x4469, vec16(vec8(b"h2"))),                                  # application_settings
        ext(0x0017),                                                      # extended_master_secret
        ext(0x002D, vec8(b"\x01")),                                       # psk_key_exchange_modes
        ext(0x000D, vec16(u16s([0x4A4A, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]))),
        ext(0x0005, b"\x01\x00\x00\x00\x00"),                             # status_request
        ext(0x0023),                                                      # session_ticket
        ext(0x0012),                                                      # signed_certificate_timestamp
        ext(0x002B, vec8(u16s([0x5A5A, 0x0304, 0x0303]))),                # supported_versions
        ext(0xFF01, b"\x00"),                                             # renegotiation_info
        ext(0x000B, vec8(b"\x00")),                                       # ec_point_formats
        ext(0x000A, vec16(u16s([0x6A6A, 0x001D, 0x0017, 0x0018]))),       # supported_groups
        ext(0x0015, bytes(12)),                                           # padding
        ext(0x1A1A, b"\x00"),
    ],
    session_id=bytes(range(0x80, 0xA0)))

MAIN_SERVER_HELLO = server_hello(
    0x1301,
    [ext(0x002B, u16(0x0304)), ext(0x0033, u16(0x001D) + vec16(bytes(range(0x20, 0x40))))],
    session_id=bytes(range(0x80, 0xA0)))

STARTTLS_CLIENT_HELLO = client_hello(
    [0xC02F, 0xFAFA, 0xC030, 0x009C, 0x00FF],
    [
        ext(0x000A, vec16(u16s([0x001D, 0x0017]))),
        ext(0x000B, vec8(b"\x00")),
        ext(0xBABA),
        alpn(b"http/1.1"),
        ext(0x0023),
    ])

STARTTLS_SERVER_HELLO = server_hello(0xC02F, [ext(0xFF01, b"\x00"), alpn(b"http/1.1"), ext(0x000B, vec8(b"\x00"))])

# FoxIO's JA4S example (technical_details/JA4S.md): TLS 1.2, cipher c030, extensions 0005,0017,ff01,0000.
EXAMPLE_SERVER_HELLO = server_hello(0xC030, [ext(0x0005), ext(0x0017), ext(0xFF01, b"\x00"), ext(0x0000)])

# Extension 000a claims 255 bytes where 4 follow; every enclosing length is consistent.
MALFORMED_CLIENT_HELLO = client_hello([0xC02F], [u16(0x000A) + u16(0x00FF) + u16s([0x0002, 0x001D])])

MINIMAL_CLIENT_HELLO = client_hello([0x002F, 0x0035], None, version=0x0301)
MINIMAL_SERVER_HELLO = server_hello(0x002F, None, version=0x0301)

HEX_ALPN_CLIENT_HELLO = client_hello([0x0A0A, 0x1301], [server_name(b"example.com"), alpn(b"\x30\xab", b"h2")])


# ---- packets ----------------------------------------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Capture:
    def __init__(self):
        self.packets = []
        self.now_us = START_SEC * 1_000_000
        self.ip_id = 1

    def frame(self, src, dst, sport, dport, seq, ack, flags, payload):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        if len(src) == 4:
            pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
            tcp = tcp[:16] + u16(checksum(pseudo + tcp)) + tcp[18:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ip_id, 0x4000, 64, 6, 0, src, dst)
            ip = ip[:10] + u16(checksum(ip)) + ip[12:]
            ethertype = 0x0800
            self.ip_id += 1
        else:
            pseudo = src + dst + struct.pack("!I3xB", len(tcp), 6)
            tcp = tcp[:16] + u16(checksum(pseudo + tcp)) + tcp[18:]
            ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, src, dst)
            ethertype = 0x86DD
        macs = SERVER_MAC + CLIENT_MAC if src in (IP4_CLIENT, IP6_CLIENT) else CLIENT_MAC + SERVER_MAC
        self.packets.append((self.now_us, macs + u16(ethertype) + ip + tcp))
        self.now_us += GAP_US

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, data in self.packets:
                f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), len(data)) + data)


class Connection:
    """One TCP connection: the three-way handshake, data segments each acknowledged, then both FINs."""

    def __init__(self, cap, ipv6, client_port, server_port):
        self.cap = cap
        self.client = (IP6_CLIENT if ipv6 else IP4_CLIENT, client_port)
        self.server = (IP6_SERVER if ipv6 else IP4_SERVER, server_port)
        self.seq = {True: 1000 * client_port, False: 7000 * client_port}   # keyed by "from the client"
        self.send(True, SYN)
        self.send(False, SYN | ACK)
        self.send(True, ACK)

    def send(self, from_client, flags, payload=b""):
        (src, sport), (dst, dport) = (self.client, self.server) if from_client else (self.server, self.client)
        ack = self.seq[not from_client] if flags & ACK else 0
        self.cap.frame(src, dst, sport, dport, self.seq[from_client], ack, flags, payload)
        self.seq[from_client] = (self.seq[from_client] + len(payload) + (1 if flags & (SYN | FIN) else 0)) % 2**32

    def data(self, from_client, payload):
        self.send(from_client, PSH | ACK, payload)
        self.send(not from_client, ACK)

    def close(self):
        self.send(True, FIN | ACK)
        self.send(False, FIN | ACK)
        self.send(True, ACK)


def build():
    cap = Capture()
    change_cipher_spec = b"\x14\x03\x03\x00\x01\x01"

    for ipv6, port in ((False, 50001), (True, 50002)):
        c = Connection(cap, ipv6, port, 443)
        c.data(True, record(MAIN_CLIENT_HELLO))
        c.data(False, record(MAIN_SERVER_HELLO, 0x0303) + change_cipher_spec)
        c.close()

    c = Connection(cap, False, 50003, 25)
    for from_client, line in ((False, b"220 mail.example.net ESMTP\r\n"), (True, b"EHLO client.example.net\r\n"),
                              (False, b"250-mail.example.net\r\n250 STARTTLS\r\n"), (True, b"STARTTLS\r\n"),
                              (False, b"220 2.0.0 Ready to start TLS\r\n")):
        c.data(from_client, line)
    c.data(True, record(STARTTLS_CLIENT_HELLO))
    certificate_start = handshake(11, bytes(2000))[:40]
    c.data(False, record(STARTTLS_SERVER_HELLO + certificate_start, 0x0303, len(STARTTLS_SERVER_HELLO) + 2004))
    c.close()

    c = Connection(cap, False, 50004, 443)
    hello = record(MAIN_CLIENT_HELLO)
    c.data(True, hello[:100])
    c.data(True, hello[100:])
    c.data(False, record(EXAMPLE_SERVER_HELLO, 0x0303))
    c.close()

    c = Connection(cap, False, 50005, 443)
    c.data(True, record(MALFORMED_CLIENT_HELLO))
    c.close()

    c = Connection(cap, False, 50006, 443)
    c.data(True, record(MINIMAL_CLIENT_HELLO))
    unrecognized_name_warning = b"\x15\x03\x01\x00\x02\x01\x70"
    c.data(False, unrecognized_name_warning + record(MINIMAL_SERVER_HELLO))
    c.close()

    c = Connection(cap, True, 50007, 443)
    c.data(True, record(HEX_ALPN_CLIENT_HELLO))
    c.close()
    return cap


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_ja4_pcap.py OUT.pcap")
    build().write(sys.argv[1])
