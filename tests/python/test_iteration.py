"""Iterating a streamer: an interrupted loop (break, an exception in its body) closes the engine and leaves no
thread behind, and the streamer can be iterated again; flows stay readable after the loop, and survive pickling.
The sample capture holds 8 flows."""
import gc
import pickle
import warnings

import pytest
from thread_count import settled_threads, threads

from nfcore import NFStreamer, _nfcore
from nfcore.plugins import SPLT

FLOWS = 8


@pytest.fixture
def streamer(sample_pcap):
    # Several meters, so that an engine left open would show as threads.
    return NFStreamer(sample_pcap, n_meters=2, statistical_analysis=True, splt_analysis=4,
                      udps=[SPLT(sequence_length=3)])


def ids(streamer):
    return [flow.id for flow in streamer]


def test_break_closes_the_engine(streamer):
    before = threads()
    for flow in streamer:
        assert flow.id == 0
        assert threads() > before  # the meters run while the loop does
        break
    assert settled_threads(before) == before
    assert sorted(ids(streamer)) == list(range(FLOWS))
    assert settled_threads(before) == before


def test_exception_in_the_loop_closes_the_engine(streamer):
    before = threads()
    with pytest.raises(ZeroDivisionError):
        for flow in streamer:
            if flow.id == 2:
                1 / 0
    assert settled_threads(before) == before
    assert sorted(ids(streamer)) == list(range(FLOWS))


def test_an_abandoned_iterator_closes_the_engine(streamer):
    before = threads()
    iterator = iter(streamer)
    next(iterator)
    del iterator
    gc.collect()
    assert settled_threads(before) == before


def test_reiteration_after_a_change(sample_pcap):
    streamer = NFStreamer(sample_pcap, n_meters=1)
    first = [(f.id, f.src_port, f.bidirectional_packets) for f in streamer]
    assert first == [(f.id, f.src_port, f.bidirectional_packets) for f in streamer]
    assert [i for i, _, _ in first] == list(range(FLOWS))
    streamer.bpf_filter = "udp"
    assert 0 < len(list(streamer)) < FLOWS
    assert {f.protocol for f in streamer} == {17}
    assert ids(streamer)[0] == 0  # ids restart with each iteration


def test_flows_readable_after_the_loop(sample_pcap, streamer):
    flows = list(streamer)
    gc.collect()
    frame = NFStreamer(sample_pcap, n_meters=1, statistical_analysis=True, splt_analysis=4,
                       udps=[SPLT(sequence_length=3)]).to_pandas()
    assert len(flows) == FLOWS == len(frame)
    by_key = {(f.src_ip, f.src_port, f.dst_ip, f.dst_port, f.protocol): f for f in flows}
    assert len(by_key) == FLOWS
    for row in frame.itertuples(index=False):
        flow = by_key[(row.src_ip, row.src_port, row.dst_ip, row.dst_port, row.protocol)]
        assert flow.keys() == list(frame.columns)
        assert flow.bidirectional_packets == row.bidirectional_packets
        assert flow.bidirectional_bytes == row.bidirectional_bytes
        assert flow.bidirectional_mean_ps == pytest.approx(row.bidirectional_mean_ps, rel=1e-12)
        assert str(flow.splt_ps) == getattr(row, "splt_ps")
        assert isinstance(flow.splt_ps, list) and len(flow.splt_ps) == 4
        assert flow.udps.splt_ps == flow.splt_ps[:3]
        assert flow.application_name == row.application_name
    dns = by_key[("192.0.2.10", 45001, "198.51.100.53", 53, 17)]
    assert (dns.bidirectional_packets, dns.bidirectional_bytes, dns.application_name) == (2, 166, "DNS")
    assert dns.udps.splt_direction == [0, 1, -1]


def test_flows_pickle(streamer):
    flows = list(streamer)
    copies = pickle.loads(pickle.dumps(flows))
    assert len(copies) == FLOWS
    for flow, copy in zip(flows, copies):
        assert copy.keys() == flow.keys()
        assert copy.values() == flow.values()
        assert str(copy) == str(flow)
        assert copy.udps.splt_ps == flow.udps.splt_ps
    assert sorted(c.id for c in copies) == list(range(FLOWS))


def test_engine_closed_by_a_warnings_handler(sample_pcap, tmp_path):
    # A capture cut off inside its last record warns while the flows come out; the handler closes the engine.
    cut = tmp_path / "cut.pcap"
    with open(sample_pcap, "rb") as f:
        cut.write_bytes(f.read()[:-5])
    engine = _nfcore.Engine({}, files=[str(cut)])
    shown = []

    def show(message, *args, **kwargs):
        shown.append(str(message))
        engine.close()

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        flows = list(engine)
    assert shown and "damaged record" in shown[0]
    assert engine.closed
    assert len(flows) < FLOWS


def test_no_flow_from_a_warnings_handler(sample_pcap, tmp_path):
    # The flow being handed out when the warning is shown would not survive a second pull: the handler's is refused,
    # and the iteration goes on with every flow the cut capture holds (its last packet is lost, not its flow).
    cut = tmp_path / "cut.pcap"
    with open(sample_pcap, "rb") as f:
        cut.write_bytes(f.read()[:-5])
    whole = [flow.id for flow in _nfcore.Engine({}, files=[str(cut)])]
    engine = _nfcore.Engine({}, files=[str(cut)])
    refused = []

    def show(message, *args, **kwargs):
        with pytest.raises(RuntimeError, match="warning or signal handler") as info:
            next(engine)
        refused.append(info.value)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        flows = [flow.id for flow in engine]
    assert len(refused) == 1
    assert flows == whole and len(flows) == FLOWS
