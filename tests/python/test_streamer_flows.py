"""Iterating NFStreamer on the build's sample capture: exact flows, attributes that exist only with their feature,
nfstream's keys(), values() and str(), flows that outlive the loop, the streamer and pickling, re-iteration, and
a loop left early closing the engine."""
import gc
import pickle

import pytest
from thread_count import settled_threads, threads

import nfcore
from nfcore import NFStreamer

# (src_ip, src_port, dst_ip, dst_port, protocol, bidirectional_packets, bidirectional_bytes, application_name)
SAMPLE = [
    ("192.0.2.10", 45001, "198.51.100.53", 53, 17, 2, 166, "DNS"),
    ("192.0.2.10", 45002, "203.0.113.80", 80, 6, 9, 1031, "HTTP"),
    ("192.0.2.10", 45003, "198.51.100.53", 53, 17, 2, 166, "DNS"),
    ("192.0.2.10", 45004, "203.0.113.43", 443, 6, 12, 2896, "TLS"),
    ("2001:db8::10", 45005, "2001:db8::53", 53, 17, 2, 218, "DNS"),
    ("192.0.2.10", 45006, "198.51.100.123", 123, 17, 2, 188, "NTP"),
    ("192.0.2.10", 5353, "224.0.0.251", 5353, 17, 1, 76, "MDNS"),
    ("192.0.2.10", 0, "198.51.100.1", 0, 1, 2, 196, "ICMP"),
]


def summary(flow):
    return (flow.src_ip, flow.src_port, flow.dst_ip, flow.dst_port, flow.protocol, flow.bidirectional_packets,
            flow.bidirectional_bytes, flow.application_name)


@pytest.fixture
def flows(sample_pcap):
    return list(NFStreamer(sample_pcap, statistical_analysis=True, splt_analysis=4))


def test_flows_of_the_sample(flows):
    assert [flow.id for flow in flows] == list(range(len(SAMPLE)))
    assert [summary(flow) for flow in flows] == SAMPLE
    http = flows[1]
    assert (http.src2dst_packets, http.dst2src_packets, http.src2dst_bytes, http.dst2src_bytes) == (5, 4, 524, 507)
    assert http.splt_ps == [58, 58, 54, 304]
    assert http.splt_direction == [0, 1, 0, 0]
    assert http.bidirectional_mean_ps == pytest.approx(1031 / 9, rel=1e-15)
    assert http.requested_server_name == "www.example.com"
    assert http.src_mac == "02:00:00:00:00:10" and http.src_oui == "02:00:00"
    assert flows[5].vlan_id == 100
    assert flows[4].ip_version == 6


def test_types_of_values(flows):
    http = flows[1]
    assert type(http.id) is int and type(http.src_ip) is str
    assert type(http.bidirectional_mean_ps) is float
    assert type(http.splt_piat_ms) is list and all(type(v) is int for v in http.splt_piat_ms)
    assert http.client_fingerprint == ""


def test_a_feature_that_is_off_has_no_attribute(sample_pcap):
    flow = next(iter(NFStreamer(sample_pcap, decode_tunnels=False, n_dissections=0)))
    for name in ["tunnel_id", "splt_ps", "bidirectional_mean_ps", "application_name", "udps", "no_such_column"]:
        assert not hasattr(flow, name)
        with pytest.raises(AttributeError, match=name):
            getattr(flow, name)
    assert flow.src_port == 45001
    assert "tunnel_id" not in flow.keys() and "src_port" in dir(flow)


def test_keys_values_and_str(flows):
    dns = flows[0]
    keys, values = dns.keys(), dns.values()
    assert keys[:6] == ["id", "expiration_id", "src_ip", "src_mac", "src_oui", "src_port"]
    assert keys[-9:] == ["application_name", "application_category_name", "application_is_guessed",
                         "application_confidence", "requested_server_name", "client_fingerprint",
                         "server_fingerprint", "user_agent", "content_type"]
    assert len(keys) == len(values) == 14 + 15 + 48 + 3 + 9
    assert values[:6] == [0, 0, "192.0.2.10", "02:00:00:00:00:10", "02:00:00", 45001]
    assert values == [getattr(dns, key) for key in keys]
    text = str(dns)
    assert text.startswith("NFlow(id=0,\n      expiration_id=0,\n      src_ip=192.0.2.10,\n")
    assert "\n      splt_ps=[75, 91, -1, -1],\n" in text
    assert "\n      bidirectional_mean_ps=83.0,\n" in text
    assert text.endswith(",\n      user_agent=,\n      content_type=)")
    assert text == "NFlow(" + ",\n      ".join(f"{k}={v}" for k, v in zip(keys, values)) + ")"


def test_flows_outlive_the_loop_and_the_streamer(sample_pcap):
    streamer = NFStreamer(sample_pcap, n_meters=2)
    kept = []
    for flow in streamer:
        kept.append(flow)
    del streamer, flow
    gc.collect()
    assert [summary(flow) for flow in kept] == SAMPLE
    assert [flow.id for flow in kept] == list(range(len(SAMPLE)))


def test_flows_kept_while_the_loop_moves_on(sample_pcap):
    first = None
    for flow in NFStreamer(sample_pcap):
        if first is None:
            first = flow
        assert summary(first) == SAMPLE[0]  # the engine has recycled nothing of a flow still held


def test_pickle_round_trip(flows):
    copies = pickle.loads(pickle.dumps(flows))
    for flow, copy in zip(flows, copies):
        assert isinstance(copy, nfcore.FlowRecord)
        assert copy.keys() == flow.keys()
        assert copy.values() == flow.values()
        assert str(copy) == str(flow)
        assert summary(copy) == summary(flow)
        assert copy.splt_ps == flow.splt_ps
    with pytest.raises(AttributeError, match="tunnel"):
        copies[0].tunnel_idx
    assert pickle.loads(pickle.dumps(copies[1])).values() == flows[1].values()


def test_udps_namespace_and_its_pickle(sample_pcap):
    Plugin = pytest.importorskip("nfcore._plugin").Plugin
    flows = list(NFStreamer(sample_pcap, udps=[Plugin("splt.so", sequence_length=3)]))
    http = flows[1]
    assert http.udps.splt_ps == [58, 58, 54]
    assert http.keys()[-3:] == ["udps.splt_direction", "udps.splt_ps", "udps.splt_piat_ms"]
    assert str(http).endswith(",\n      udps.splt_piat_ms=[0, 3, 3])")
    copy = pickle.loads(pickle.dumps(http))
    assert vars(copy.udps) == vars(http.udps) == {"splt_direction": [0, 1, 0], "splt_ps": [58, 58, 54],
                                                  "splt_piat_ms": [0, 3, 3]}


def test_reiteration_reads_the_source_again(sample_pcap):
    streamer = NFStreamer(sample_pcap)
    assert [summary(flow) for flow in streamer] == SAMPLE
    streamer.bpf_filter = "tcp"
    assert [(flow.id, flow.src_port) for flow in streamer] == [(0, 45002), (1, 45004)]


def test_a_list_of_files_is_one_stream(sample_pcap):
    # The same packets twice, in one clock: each flow goes on in the second copy (idle timeout 120 s).
    flows = list(NFStreamer([sample_pcap, sample_pcap]))
    assert [flow.bidirectional_packets for flow in flows] == [2 * s[5] for s in SAMPLE]


@pytest.mark.parametrize("leave", ["break", "exception", "abandon"])
def test_leaving_the_loop_closes_the_engine(sample_pcap, leave):
    before = threads()
    streamer = NFStreamer(sample_pcap, n_meters=2)
    if leave == "break":
        for flow in streamer:
            assert threads() > before  # the meter threads run while the loop does
            break
    elif leave == "exception":
        with pytest.raises(ZeroDivisionError):
            for flow in streamer:
                1 / 0
    else:
        iterator = iter(streamer)
        flow = next(iterator)
        del iterator
    assert settled_threads(before) == before
    assert flow.src_port == 45001  # the flow still reads after its engine closed
    assert [f.id for f in streamer] == list(range(len(SAMPLE)))


def test_engine_error_at_iteration(sample_pcap):
    with pytest.raises(ValueError, match="filter"):
        list(NFStreamer(sample_pcap, bpf_filter="my filter"))
    assert issubclass(nfcore.EngineError, OSError)


def test_engine_options_are_libnfcore_s(sample_pcap):
    engine = nfcore._nfcore.Engine({"n-meters": "1", "splt-analysis": "3"}, files=[sample_pcap])
    assert engine.names[-12:-9] == ("splt_direction", "splt_ps", "splt_piat_ms")
    assert [flow.splt_ps for flow in engine][0] == [75, 91, -1]
    assert engine.closed
    with pytest.raises(ValueError, match="^n-dissections: "):
        nfcore._nfcore.Engine({"n-dissections": "256"}, files=[sample_pcap])
    with pytest.raises(ValueError, match="no-such-option"):
        nfcore._nfcore.Engine({"no-such-option": "1"}, files=[sample_pcap])
    with pytest.raises(nfcore.EngineError, match="inexisting.pcap"):
        nfcore._nfcore.Engine({}, files=["inexisting.pcap"])
