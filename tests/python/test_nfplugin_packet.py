"""Every packet field a Python plugin sees (nfstream's packet) against what a C plugin sees of the same packet, both in
one stream, C first: tests/plugins/packet_fields.c writes one line per packet into udps.packets, and PythonDump below
writes the same line from its own packet into udps.python_packets (`name=value` separated by spaces, fields in FIELDS'
order, ip_packet as hex). Addresses and MACs are the flow's, swapped for a packet from the flow's destination
(nfstream's rule); ports, protocol, VLAN, IP version and tunnel are the packet's own. On the sample capture, and on
conformance captures with IPv6, VLANs, tunnels (IP in IP, GTP, CAPWAP, TZSP) and no link layer. The C plugin's lines
are first checked against values worked out by hand on the sample capture."""
from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

import nfcore
from frames import CONFORMANCE, SKIP_REASON
from nfcore import NFPlugin, NFStreamer

# nfstream's packet fields, in its order, with the type a plugin gets.
FIELDS = {"time": int, "delta_time": int, "direction": int, "raw_size": int, "ip_size": int, "transport_size": int,
          "payload_size": int, "src_ip": str, "src_mac": str, "src_oui": str, "dst_ip": str, "dst_mac": str,
          "dst_oui": str, "src_port": int, "dst_port": int, "protocol": int, "vlan_id": int, "ip_version": int,
          "ip_packet": bytes, "syn": int, "cwr": int, "ece": int, "urg": int, "ack": int, "psh": int, "rst": int,
          "fin": int, "tunnel_id": int}

CAPTURES = ["nfstream/pcaps/4in4tunnel.pcap", "nfstream/pcaps/4in6tunnel.pcap", "nfstream/pcaps/6in4tunnel.pcap",
            "nfstream/pcaps/6in6tunnel.pcap", "nfstream/pcaps/capwap.pcap", "nfstream/pcaps/gtp-u.pcap",
            "nfstream/pcaps/ipv6_in_gtp.pcap", "nfstream/pcaps/raw.pcap", "edge/pcaps/qinq_8100_8100.pcap",
            "edge/pcaps/tzsp_vlan_outer.pcap"]


def packet_line(packet) -> str:
    items = []
    for name, kind in FIELDS.items():
        value = getattr(packet, name)
        if type(value) is not kind:
            raise TypeError(f"packet.{name} is {value!r}, expected a {kind.__name__}")
        items.append(f"{name}={value.hex() if kind is bytes else value}")
    return " ".join(items)


class PythonDump(NFPlugin):
    def on_init(self, packet, flow):
        flow.udps.python_packets = [packet_line(packet)]

    def on_update(self, packet, flow):
        flow.udps.python_packets.append(packet_line(packet))


def parse(line: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in line.split(" "))


@pytest.fixture(scope="module")
def packet_fields(build_dir: Path) -> nfcore.Plugin:
    path = build_dir / "tests" / "plugins" / "packet_fields.so"
    assert path.is_file(), f"{path} is missing: build the test_plugin_packet_fields target"
    return nfcore.Plugin(str(path))


def sample_frames(path: str) -> list[bytes]:
    """The frames of a classic little-endian pcap file, as tools/pcap_writer writes the sample capture."""
    data = Path(path).read_bytes()
    assert data[:4] == bytes.fromhex("d4c3b2a1"), "not a little-endian classic pcap file"
    frames, offset = [], 24
    while offset < len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        frames.append(data[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return frames


CLIENT = {"ip": "192.0.2.10", "mac": "02:00:00:00:00:10", "oui": "02:00:00"}
ROUTER = {"mac": "02:00:00:00:00:01", "oui": "02:00:00"}
NO_FLAGS = dict.fromkeys(["syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin"], "0")


def hand_line(frame: bytes, link: int, time: int, delta: int, direction: int, sizes: tuple[int, int, int, int],
              src: dict, dst: dict, ports: tuple[int, int], protocol: int, vlan: int = 0, version: int = 4,
              **flags: str) -> dict[str, str]:
    raw, ip, transport, payload = sizes
    assert raw == len(frame)
    line = {"time": str(1700000000000 + time), "delta_time": str(delta), "direction": str(direction),
            "raw_size": str(raw), "ip_size": str(ip), "transport_size": str(transport), "payload_size": str(payload),
            "src_ip": src["ip"], "src_mac": src["mac"], "src_oui": src["oui"],
            "dst_ip": dst["ip"], "dst_mac": dst["mac"], "dst_oui": dst["oui"],
            "src_port": str(ports[0]), "dst_port": str(ports[1]), "protocol": str(protocol), "vlan_id": str(vlan),
            "ip_version": str(version), "ip_packet": frame[link:].hex()}
    return line | NO_FLAGS | flags | {"tunnel_id": "0"}


def test_c_plugin_lines_by_hand(sample_pcap, packet_fields):
    # The sample capture sends a packet every 3 ms: frame i at 1700000000000 + 3 i ms. Sizes: the frame, the IPv4
    # total length (the IPv6 payload length), the L4 header and data, the data.
    frames = sample_frames(sample_pcap)
    assert len(frames) == 32
    resolver = ROUTER | {"ip": "198.51.100.53"}
    web = ROUTER | {"ip": "203.0.113.80"}
    expected = {
        # DNS A query for www.example.com (33 bytes) and its answer (+16: one A record).
        0: [hand_line(frames[0], 14, 0, 0, 0, (75, 61, 41, 33), CLIENT, resolver, (45001, 53), 17),
            hand_line(frames[1], 14, 3, 3, 1, (91, 77, 57, 49), resolver, CLIENT, (53, 45001), 17)],
        # HTTP: SYN and SYN-ACK with a 4-byte MSS option, then the ACK.
        1: [hand_line(frames[2], 14, 6, 0, 0, (58, 44, 24, 0), CLIENT, web, (45002, 80), 6, syn="1"),
            hand_line(frames[3], 14, 9, 3, 1, (58, 44, 24, 0), web, CLIENT, (80, 45002), 6, syn="1", ack="1"),
            hand_line(frames[4], 14, 12, 3, 0, (54, 40, 20, 0), CLIENT, web, (45002, 80), 6, ack="1")],
        # DNS AAAA over IPv6: ip_size is the payload length (8 + 33), the 40-byte header aside.
        4: [hand_line(frames[25], 14, 75, 0, 0, (95, 41, 41, 33), CLIENT | {"ip": "2001:db8::10"},
                      ROUTER | {"ip": "2001:db8::53"}, (45005, 53), 17, version=6)],
        # NTP on VLAN 100: the IP header follows the 4-byte tag.
        5: [hand_line(frames[27], 18, 81, 0, 0, (94, 76, 56, 48), CLIENT, ROUTER | {"ip": "198.51.100.123"},
                      (45006, 123), 17, vlan=100)],
        # mDNS to the group's multicast MAC.
        6: [hand_line(frames[29], 14, 87, 0, 0, (76, 62, 42, 34), CLIENT,
                      {"ip": "224.0.0.251", "mac": "01:00:5e:00:00:fb", "oui": "01:00:5e"}, (5353, 5353), 17)],
        # ICMP echo reply: no ports.
        7: [hand_line(frames[30], 14, 90, 0, 0, (98, 84, 64, 56), CLIENT, ROUTER | {"ip": "198.51.100.1"}, (0, 0), 1),
            hand_line(frames[31], 14, 93, 3, 1, (98, 84, 64, 56), ROUTER | {"ip": "198.51.100.1"}, CLIENT, (0, 0), 1)],
    }
    flows = {flow.id: flow for flow in NFStreamer(sample_pcap, udps=[packet_fields])}
    assert len(flows) == 8
    for flow_id, lines in expected.items():
        seen = [parse(line) for line in flows[flow_id].udps.packets]
        assert len(seen) == flows[flow_id].bidirectional_packets
        assert seen[:len(lines)] == lines, flow_id


def mismatches(flow) -> list[str]:
    c_lines, python_lines = flow.udps.packets, flow.udps.python_packets
    if len(c_lines) != len(python_lines) or len(c_lines) != flow.bidirectional_packets:
        return [f"flow {flow.id}: {len(c_lines)} lines from C, {len(python_lines)} from Python, "
                f"{flow.bidirectional_packets} packets"]
    problems = []
    for number, (c_line, python_line) in enumerate(zip(c_lines, python_lines)):
        c_fields, python_fields = parse(c_line), parse(python_line)
        for name in FIELDS:
            if c_fields.get(name) != python_fields.get(name):
                problems.append(f"flow {flow.id} packet {number} {name}: C {c_fields.get(name)!r}, "
                                f"Python {python_fields.get(name)!r}")
    return problems


def compare_stream(path: str, packet_fields: nfcore.Plugin) -> int:
    problems, packets, flows = [], 0, 0
    for flow in NFStreamer(path, udps=[packet_fields, PythonDump()]):
        flows += 1
        packets += flow.bidirectional_packets
        problems += mismatches(flow)
    assert problems == [], "\n".join(problems[:20])
    assert flows > 0
    return packets


def test_python_sees_what_c_sees_on_the_sample(sample_pcap, packet_fields):
    assert compare_stream(sample_pcap, packet_fields) == 32


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=SKIP_REASON)
@pytest.mark.parametrize("capture", CAPTURES, ids=os.path.basename)
def test_python_sees_what_c_sees(capture, packet_fields):
    assert compare_stream(str(CONFORMANCE / capture), packet_fields) > 0


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=SKIP_REASON)
def test_captures_cover_the_cases(packet_fields):
    # Among the captures: IPv6, VLAN-tagged and tunnelled packets, MAC-less ones, and both directions.
    seen = {"ip_version": set(), "vlan_id": set(), "tunnel_id": set(), "src_mac": set(), "direction": set()}
    for capture in CAPTURES:
        for flow in NFStreamer(str(CONFORMANCE / capture), udps=[packet_fields]):
            for line in flow.udps.packets:
                fields = parse(line)
                for name, values in seen.items():
                    values.add(fields[name])
    assert seen["ip_version"] == {"4", "6"} and seen["direction"] == {"0", "1"}
    assert len(seen["vlan_id"]) > 1 and {"1", "2", "3"} <= seen["tunnel_id"]
    assert "00:00:00:00:00:00" in seen["src_mac"]
