"""nfcore.Plugin and nfcore.plugins: the spec each builds from its arguments, the checks on them, and C plugins run
by the engine from Python (a path, a name on $NFCORE_PLUGIN_PATH, a built-in with arguments) with values checked
against the core's own columns. The sample capture holds 8 flows."""
import os
import pickle
from pathlib import Path

import pytest

import nfcore
from nfcore import NFStreamer
from nfcore.plugins import DHCP, JA4, MDNS, SPLT, FlowSlicer

def test_plugin_spec():
    assert nfcore.Plugin("splt.so").spec == "splt.so"
    plugin = nfcore.Plugin("./ack_count.so", window=10, name="x y", strict=True, off=False, ratio=0.5)
    assert plugin.spec == "./ack_count.so:window=10,name=x y,strict=1,off=0,ratio=0.5"
    assert plugin.window == 10 and plugin.strict is True
    assert "./ack_count.so:window=10" in repr(plugin)
    assert pickle.loads(pickle.dumps(plugin)) == plugin


@pytest.mark.parametrize("arguments", [{"x": None}, {"x": [1]}, {"x": "a,b"}, {"x": "a=b"}, {"x": b"bytes"}],
                         ids=repr)
def test_plugin_arguments_must_be_text(arguments):
    with pytest.raises(ValueError, match="x"):
        nfcore.Plugin("splt.so", **arguments)


@pytest.mark.parametrize("path", ["", "a:b.so", 11, None], ids=repr)
def test_plugin_path(path):
    with pytest.raises(ValueError, match="path"):
        nfcore.Plugin(path)


def test_plugin_classes_as_nfstream_builds_them():
    assert SPLT().spec == "splt.so:sequence_length=5,accounting_mode=0"
    assert SPLT(sequence_length=10, accounting_mode=2).spec == "splt.so:sequence_length=10,accounting_mode=2"
    assert SPLT(sequence_length=10).sequence_length == 10
    assert FlowSlicer(limit=4).spec == "flow_slicer.so:limit=4" and FlowSlicer(limit=4).limit == 4
    assert FlowSlicer().spec == "flow_slicer.so:limit=1"
    assert (DHCP().spec, MDNS().spec, JA4().spec) == ("dhcp.so", "mdns.so", "ja4.so")
    assert JA4(throw_warns=True).throw_warns is True
    assert all(isinstance(p, nfcore.Plugin) for p in (SPLT(), FlowSlicer(), DHCP(), MDNS(), JA4()))


@pytest.mark.parametrize("make,name", [
    (lambda: SPLT(sequence_length=0), "sequence_length"),
    (lambda: SPLT(sequence_length=65536), "sequence_length"),
    (lambda: SPLT(sequence_length="10"), "sequence_length"),
    (lambda: SPLT(accounting_mode=4), "accounting_mode"),
    (lambda: SPLT(accounting_mode=-1), "accounting_mode"),
    (lambda: FlowSlicer(limit=0), "limit"),
    (lambda: FlowSlicer(limit="4"), "limit"),
])
def test_plugin_class_arguments_checked(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.fixture
def examples():
    return Path(os.environ["NFC_BUILD_DIR"]) / "examples"


def test_plugin_from_a_path(sample_pcap, examples):
    df = NFStreamer(sample_pcap, statistical_analysis=True,
                    udps=[nfcore.Plugin(str(examples / "ack_count.so"))]).to_pandas()
    assert df.columns[-1] == "udps.ack_count" and len(df) == 8
    assert (df["udps.ack_count"] == df["bidirectional_ack_packets"]).all()
    assert df["udps.ack_count"].sum() > 0


def test_plugin_by_name_on_the_search_path(sample_pcap, examples, monkeypatch):
    monkeypatch.setenv("NFCORE_PLUGIN_PATH", str(examples))
    df = NFStreamer(sample_pcap, statistical_analysis=True, udps=nfcore.Plugin("ack_count.so")).to_pandas()
    assert (df["udps.ack_count"] == df["bidirectional_ack_packets"]).all()


def test_builtin_with_arguments_and_order(sample_pcap):
    streamer = NFStreamer(sample_pcap, splt_analysis=4, accounting_mode=1,
                          udps=[nfcore.Plugin("splt.so", sequence_length=4, accounting_mode=1), MDNS()])
    df = streamer.to_pandas()
    assert list(df.columns[-4:]) == ["udps.splt_direction", "udps.splt_ps", "udps.splt_piat_ms", "udps.mdns_ptr"]
    for core in ["splt_direction", "splt_ps", "splt_piat_ms"]:
        assert (df[core] == df[f"udps.{core}"]).all(), core
    dns = next(f for f in streamer if f.dst_port == 53)
    assert dns.udps.splt_ps == [61, 77, -1, -1]  # IP sizes of the query and the answer (wire size less 14)
    assert dns.udps.mdns_ptr == []


@pytest.mark.parametrize("plugin,message", [
    (nfcore.Plugin("splt.so", sequence_length=0), "sequence_length"),
    (nfcore.Plugin("splt.so", sequence_lenght=3), "sequence_lenght"),
    (nfcore.Plugin("no_such_plugin.so"), "no_such_plugin.so"),
], ids=repr)
def test_refused_when_the_engine_opens(sample_pcap, plugin, message):
    with pytest.raises(ValueError, match=message):
        NFStreamer(sample_pcap, udps=[plugin]).to_pandas()
