"""nfstream's published NFPlugin classes (SPLT, FlowSlicer, DHCP, MDNS), with only their import line changed, on nfcore
against nfstream 6.5.4's output with those very classes on the conformance captures (../shared/conformance/plugins):
DHCP()+MDNS(), FlowSlicer(limit=4), SPLT(sequence_length=10, accounting_mode=0); n_dissections=20, n_meters=1. The
whole DataFrame must match, as for nfcore's C built-ins (test_plugins_conformance.py): every column of every flow, and
the flows that DHCP and FlowSlicer split. In the sanitizer build (libasan preloaded) a representative subset runs.

nfstream's DHCP class raises on an option 53 outside 1-8 (MsgType), which no capture of the corpus carries: that case
runs on captures the test writes, where the ValueError must reach the caller with a note naming DHCP and the hook."""
import os

import pytest

from frames import CONFORMANCE, PCAPS, SKIP_REASON, captures, differences, read_expected
from nfcore import NFStreamer
from published_plugins import PUBLISHED, load

EXPECTED = CONFORMANCE / "plugins"

if not EXPECTED.is_dir() or not PCAPS.is_dir() or not PUBLISHED.is_dir():
    pytest.skip(f"{SKIP_REASON}; nfstream's plugin classes are in {PUBLISHED}", allow_module_level=True)

import dpkt  # noqa: E402  (Debian's python3-dpkt, which nfstream's DHCP and MDNS classes import)

splt, slicer, dhcp, mdns = (load(name) for name in ("splt", "slicer", "dhcp", "mdns"))

CONFIGURATIONS = {
    "dhcp_mdns": lambda: [dhcp.DHCP(), mdns.MDNS()],
    "slicer4": lambda: [slicer.FlowSlicer(limit=4)],
    "splt10": lambda: [splt.SPLT(sequence_length=10, accounting_mode=0)],
}

# DHCP (with REQUEST, INFORM and a 0.0.0.0 source), mDNS PTR answers, a DHCP flow in CAPWAP, tunnels, IPv6,
# malformed packets, and a capture that FlowSlicer splits into hundreds of flows.
SANITIZER_CAPTURES = ["1kxun.pcap", "4in4tunnel.pcap", "6in6tunnel.pcap", "capwap.pcap", "dhcp.pcapng",
                      "ipv6_in_gtp.pcap", "malformed_icmp.pcap", "mdns.pcap", "telegram.pcap", "zoom.pcap"]
SANITIZED = "libasan" in os.environ.get("LD_PRELOAD", "")
CASES = [(config, name) for config in CONFIGURATIONS
         for name in (SANITIZER_CAPTURES if SANITIZED else captures())]


def test_corpus_is_complete():
    assert len(captures()) == 220
    assert set(SANITIZER_CAPTURES) <= set(captures())


@pytest.mark.parametrize("config,capture", CASES, ids=[f"{config}/{name}" for config, name in CASES])
def test_published_plugin_columns_match_nfstream(config, capture):
    streamer = NFStreamer(str(PCAPS / capture), n_dissections=20, n_meters=1, udps=CONFIGURATIONS[config]())
    expected = read_expected(EXPECTED / config / f"{capture}.csv")
    assert differences(streamer.to_pandas(), expected) == []


def write_dhcp_capture(path, msg_types):
    """One DHCP message per option-53 value, a second apart, from 192.0.2.10:68 to 192.0.2.1:67 (a non-zero source,
    so that a DISCOVER does not end the flow)."""
    with open(path, "wb") as f:
        writer = dpkt.pcap.Writer(f)
        for i, msg_type in enumerate(msg_types):
            message = dpkt.dhcp.DHCP(op=dpkt.dhcp.DHCP_OP_REQUEST, xid=0x1234, chaddr=bytes.fromhex("020000000010"),
                                     opts=((dpkt.dhcp.DHCP_OPT_MSGTYPE, bytes([msg_type])),))
            udp = dpkt.udp.UDP(sport=68, dport=67, data=bytes(message))
            udp.ulen = len(udp)
            ip = dpkt.ip.IP(src=bytes([192, 0, 2, 10]), dst=bytes([192, 0, 2, 1]), p=dpkt.ip.IP_PROTO_UDP, data=udp)
            frame = dpkt.ethernet.Ethernet(src=bytes.fromhex("020000000010"), dst=bytes.fromhex("020000000001"),
                                           data=ip)
            writer.writepkt(bytes(frame), ts=1700000000 + i)


@pytest.mark.parametrize("msg_types,hook", [([9], "on_init"), ([1, 0], "on_update")], ids=["on_init", "on_update"])
def test_dhcp_raising_reaches_the_caller(tmp_path, msg_types, hook):
    capture = tmp_path / "dhcp_bad_type.pcap"
    write_dhcp_capture(capture, msg_types)
    with pytest.raises(ValueError, match=f"{msg_types[-1]} is not a valid MsgType") as raised:
        NFStreamer(str(capture), udps=[dhcp.DHCP(), mdns.MDNS()]).to_pandas()
    notes = getattr(raised.value, "__notes__", [])
    assert any("DHCP" in note and hook in note for note in notes), notes


def test_dhcp_capture_as_written(tmp_path):
    # The written capture is a DHCP flow that nfstream's class reads: one DISCOVER, typed, the flow not ended.
    capture = tmp_path / "dhcp_discover.pcap"
    write_dhcp_capture(capture, [1])
    flows = list(NFStreamer(str(capture), udps=[dhcp.DHCP()]))
    assert len(flows) == 1
    flow = flows[0]
    assert (flow.src_ip, flow.src_port, flow.dst_ip, flow.dst_port) == ("192.0.2.10", 68, "192.0.2.1", 67)
    assert flow.udps.dhcp_msg_type is dhcp.MsgType.DISCOVER
    assert flow.udps.dhcp_options == [] and flow.expiration_id == 0
