"""NFPlugin's contract on the engine, on the sample capture (8 flows of 2, 9, 2, 12, 2, 2, 1 and 2 packets, 3 ms apart):
keywords as attributes; ending flows from Python (as the C plugin tests/sdk/expire.c does); Python and C plugins mixed
in list order; the older style's volatile values; a plugin that raises; cleanup() once; values kept in flow.udps
released with their flow."""
from __future__ import annotations

import gc
import subprocess
import weakref
from pathlib import Path

import pandas as pd
import pytest
from thread_count import settled_threads, threads

import nfcore
from frames import differences
from nfcore import NFPlugin, NFStreamer

PACKETS = [2, 9, 2, 12, 2, 2, 1, 2]


@pytest.fixture
def build_plugin(build_dir: Path):
    def plugin(relative: str, **arguments) -> nfcore.Plugin:
        path = build_dir / relative
        assert path.is_file(), f"{path} is missing: build the tree"
        return nfcore.Plugin(str(path), **arguments)
    return plugin


class Tagged(NFPlugin):
    def on_init(self, packet, flow):
        flow.udps.tag = f"{self.label}/{self.limit}"


def test_keywords_become_attributes(sample_pcap):
    plugin = Tagged(label="x", limit=4)
    assert (plugin.label, plugin.limit) == ("x", 4)
    df = NFStreamer(sample_pcap, udps=[plugin]).to_pandas()
    assert df["udps.tag"].tolist() == ["x/4"] * 8


class EndAt(NFPlugin):
    """FlowSlicer's rule: ends a flow at its at-th packet."""

    def on_init(self, packet, flow):
        if self.at == 1:
            flow.expiration_id = -1

    def on_update(self, packet, flow):
        if flow.bidirectional_packets == self.at:
            flow.expiration_id = -1


@pytest.mark.parametrize("at,rows,ended", [(1, 32, 32), (2, 17, 15), (3, 13, 7)])
def test_expiry_from_python(sample_pcap, build_plugin, at, rows, ended):
    # Every flow ends at its at-th packet (expiration_id -1) and the next packet of its key starts a new one: flows
    # of n packets give ceil(n / at) rows, floor(n / at) of them ended by the plugin. The same flows as the C
    # plugin that asks the host for the same.
    df = NFStreamer(sample_pcap, udps=[EndAt(at=at)]).to_pandas()
    assert len(df) == rows and (df["expiration_id"] == -1).sum() == ended
    assert (df["bidirectional_packets"] <= at).all() and df["bidirectional_packets"].sum() == sum(PACKETS)
    assert df["id"].tolist() == list(range(rows))
    by_c = NFStreamer(sample_pcap, udps=[build_plugin("tests/sdk/expire.so", at=at)]).to_pandas()
    assert differences(df, by_c) == []


class Seen(NFPlugin):
    """The flow's packet count as each hook sees it: the flow stands after the current packet."""

    def on_init(self, packet, flow):
        flow.udps.seen = [flow.bidirectional_packets]

    def on_update(self, packet, flow):
        flow.udps.seen.append(flow.bidirectional_packets)


class Application(NFPlugin):
    def on_init(self, packet, flow):
        flow.udps.application = None

    def on_expire(self, flow):
        flow.udps.application = flow.application_name


def test_python_and_c_plugins_in_list_order(sample_pcap, build_plugin):
    core = list(NFStreamer(sample_pcap, statistical_analysis=True).to_pandas().columns)
    streamer = NFStreamer(sample_pcap, statistical_analysis=True,
                          udps=[Seen(), build_plugin("examples/ack_count.so"), Application()])
    df = streamer.to_pandas()
    assert list(df.columns) == core + ["udps.seen", "udps.ack_count", "udps.application"]
    assert df["udps.seen"].tolist() == [str(list(range(1, n + 1))) for n in PACKETS]
    assert df["udps.ack_count"].tolist() == df["bidirectional_ack_packets"].tolist()
    assert df["bidirectional_ack_packets"].sum() == 19  # all but the two SYNs of the HTTP and TLS flows
    assert df["udps.application"].tolist() == df["application_name"].tolist()
    flows = list(streamer)
    assert [f.udps.seen for f in flows] == [list(range(1, n + 1)) for n in PACKETS]
    assert [f.udps.ack_count for f in flows] == df["udps.ack_count"].tolist()


def test_plugins_keyword(sample_pcap):
    df = NFStreamer(sample_pcap, plugins=[Seen()]).to_pandas()
    assert df.columns[-1] == "udps.seen" and len(df) == 8


class first_seen(NFPlugin):
    def on_init(self, pkt):
        return pkt.time

    def on_update(self, pkt, flow):
        pass


class elapsed(NFPlugin):
    def on_init(self, pkt):
        return 0

    def on_update(self, pkt, flow):
        setattr(flow, self.name, pkt.time - flow.first_seen)


def test_volatile_values_are_read_but_not_exported(sample_pcap):
    df = NFStreamer(sample_pcap, udps=[first_seen(volatile=True), elapsed(name="span")]).to_pandas()
    assert "first_seen" not in df.columns and "udps.first_seen" not in df.columns
    assert df.columns[-1] == "span"
    assert df["span"].tolist() == [3 * (n - 1) for n in PACKETS]
    assert df["span"].tolist() == df["bidirectional_duration_ms"].tolist()
    exported = NFStreamer(sample_pcap, udps=[first_seen(), elapsed(name="span")]).to_pandas()
    assert list(exported.columns[-2:]) == ["first_seen", "span"]
    assert exported["first_seen"].tolist() == exported["bidirectional_first_seen_ms"].tolist()


class Failure(Exception):
    pass


class Raising(NFPlugin):
    """Raises once, in the hook named `hook`, on the third flow; later streams run through."""

    raised: list[Failure] = []

    def fail(self, flow, hook):
        if hook == self.hook and flow.src_port == 45003 and not Raising.raised:
            Raising.raised.append(Failure("third flow"))
            raise Raising.raised[-1]

    def on_init(self, packet, flow):
        flow.udps.hooks = 1
        self.fail(flow, "on_init")

    def on_update(self, packet, flow):
        flow.udps.hooks += 1
        self.fail(flow, "on_update")

    def on_expire(self, flow):
        self.fail(flow, "on_expire")


def consume(streamer: NFStreamer, how: str, tmp_path: Path):
    if how == "to_pandas":
        return streamer.to_pandas()
    if how == "to_csv":
        streamer.to_csv(path=str(tmp_path / "flows.csv"))
        return pd.read_csv(tmp_path / "flows.csv")
    return list(streamer)


@pytest.mark.parametrize("how", ["to_pandas", "to_csv", "iteration"])
@pytest.mark.parametrize("hook", ["on_init", "on_update", "on_expire"])
def test_a_raising_plugin(sample_pcap, tmp_path, hook, how):
    Raising.raised.clear()
    streamer = NFStreamer(sample_pcap, udps=[Raising(hook=hook)])
    before = threads()
    with pytest.raises(Failure) as caught:
        consume(streamer, how, tmp_path)
    assert caught.value is Raising.raised[0]
    notes = getattr(caught.value, "__notes__", [])
    assert any("Raising" in note and hook in note for note in notes), notes
    assert settled_threads(before) == before
    # The engine was closed: the same streamer runs again from the start.
    result = consume(streamer, how, tmp_path)
    assert len(result) == 8
    hooks = [f.udps.hooks for f in result] if how == "iteration" else result["udps.hooks"].tolist()
    assert hooks == PACKETS


class Counted(NFPlugin):
    cleanups: list[str] = []

    def cleanup(self):
        Counted.cleanups.append(self.tag)


@pytest.mark.parametrize("how", ["to_pandas", "to_csv", "iteration"])
def test_cleanup_once(sample_pcap, tmp_path, how):
    Counted.cleanups.clear()
    result = consume(NFStreamer(sample_pcap, udps=[Counted(tag="a"), Counted(tag="b")]), how, tmp_path)
    assert len(result) == 8
    assert Counted.cleanups == ["a", "b"]


class Token:
    alive = 0
    most = 0

    def __init__(self) -> None:
        Token.alive += 1
        Token.most = max(Token.most, Token.alive)
        weakref.finalize(self, Token.gone)

    @staticmethod
    def gone() -> None:
        Token.alive -= 1

    def __str__(self) -> str:
        return "token"


class Holder(NFPlugin):
    """Keeps an object per flow in flow.udps; with end=True, ends each flow at its first packet."""

    def on_init(self, packet, flow):
        flow.udps.token = Token()
        if self.end:
            flow.expiration_id = -1


@pytest.fixture
def tokens():
    gc.collect()
    Token.alive = Token.most = 0
    yield Token
    gc.collect()


def test_values_released_with_exported_flows(sample_pcap, tokens):
    df = NFStreamer(sample_pcap, udps=[Holder(end=False)]).to_pandas()
    assert df["udps.token"].tolist() == ["token"] * 8
    gc.collect()
    assert tokens.alive == 0 and tokens.most > 0
    previous = None
    for flow in NFStreamer(sample_pcap, udps=[Holder(end=False)]):
        assert isinstance(flow.udps.token, Token)
        gc.collect()
        assert previous is None or previous() is None  # the flow before this one is gone, and its token with it
        previous = weakref.ref(flow.udps.token)
    del flow
    gc.collect()
    assert tokens.alive == 0


def test_no_growth_over_many_flows(build_dir, tmp_path, tokens):
    capture = tmp_path / "one_packet_flows.pcap"
    subprocess.run([str(build_dir / "tools" / "make_traffic_pcap"), "--one-packet", "--flows", "20000", str(capture)],
                   check=True)
    flows = 0
    for flow in NFStreamer(str(capture), udps=[Holder(end=True)]):
        flows += 1
        assert flow.expiration_id == -1
    assert flows == 20000
    del flow
    gc.collect()
    assert tokens.alive == 0
    assert tokens.most <= 100, f"{tokens.most} flows' values held at once"
