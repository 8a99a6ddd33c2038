"""The seed notebook's plugins in nfstream's older style (on_init(pkt) returns the first value, on_update(pkt, flow)
sets flow.<class name>), as its cells 7 and 10 write them, against nfstream 6.5.4's own columns on the conformance
captures (expected_full: statistical_analysis=True, n_dissections=20): ack_count is bidirectional_ack_packets,
maximum_iat_ms is bidirectional_max_piat_ms (-1 for a one-packet flow); iat(volatile=True) feeds maximum_iat_ms and is
never exported. The two columns follow the core columns, in plugin order, under the notebook's names."""
import pytest

from frames import CONFORMANCE, PCAPS, SKIP_REASON, captures, differences, read_expected
from nfcore import NFPlugin, NFStreamer

EXPECTED = CONFORMANCE / "nfstream" / "expected_full"

needs_conformance = pytest.mark.skipif(not EXPECTED.is_dir() or not PCAPS.is_dir(), reason=SKIP_REASON)


# The notebook's cell 7, as written there.
class ack_count(NFPlugin):
    def on_init(self, pkt): # flow creation with the first packet
        if pkt.tcpflags.ack == 1:
            return 1
        else:
            return 0
    def on_update(self, pkt, flow): # flow update with each packet belonging to the flow
        if pkt.tcpflags.ack == 1:
            flow.ack_count += 1


# The notebook's cell 10, as written there.
class iat(NFPlugin):
    def on_init(self, pkt):
        return [-1, pkt.time] # [iat value, last packet timestamp]
    def on_update(self, pkt, flow):
        flow.iat = [pkt.time - flow.iat[1], pkt.time]

class maximum_iat_ms(NFPlugin):
    def on_init(self, pkt):
        return -1 # we will set it as -1 as init value
    def on_update(self, pkt, flow):
        if flow.iat[0] > flow.maximum_iat_ms:
            flow.maximum_iat_ms = flow.iat[0]


SPLT_COLUMNS = ["splt_direction", "splt_ps", "splt_piat_ms"]


def expected_frame(capture):
    return read_expected(EXPECTED / f"{capture}.csv")


@needs_conformance
@pytest.mark.parametrize("capture", captures())
def test_notebook_plugins_match_nfstream_columns(capture):
    streamer = NFStreamer(str(PCAPS / capture), n_dissections=20, statistical_analysis=True,
                          udps=[ack_count(), iat(volatile=True), maximum_iat_ms()])
    df, expected = streamer.to_pandas(), expected_frame(capture)
    if expected is None:
        assert df is None
        return
    core = [c for c in expected.columns if c not in SPLT_COLUMNS]
    assert list(df.columns) == core + ["ack_count", "maximum_iat_ms"]
    assert differences(df[core], expected[core]) == []
    assert df["ack_count"].tolist() == expected["bidirectional_ack_packets"].tolist()
    one_packet = expected["bidirectional_packets"] == 1
    assert df["maximum_iat_ms"].tolist() == expected["bidirectional_max_piat_ms"].mask(one_packet, -1).tolist()


@needs_conformance
def test_expected_columns_are_not_vacuous():
    # Over the corpus, flows with ACKs, one-packet flows, and gaps longer than a second occur.
    frames = [f for f in (expected_frame(name) for name in captures()) if f is not None]
    assert len(captures()) == 220 and sum(len(f) for f in frames) > 5000
    assert sum((f["bidirectional_ack_packets"] > 0).sum() for f in frames) > 1000
    assert sum((f["bidirectional_packets"] == 1).sum() for f in frames) > 100
    assert max(f["bidirectional_max_piat_ms"].max() for f in frames) > 1000


def test_iat_is_readable_but_not_exported(sample_pcap):
    # The volatile value is read by the plugin after it: the maximum is the largest gap it held (3 ms between any two
    # packets of the sample capture; -1 for its one-packet mDNS flow).
    flows = list(NFStreamer(sample_pcap, udps=[iat(volatile=True), maximum_iat_ms()]))
    assert len(flows) == 8
    dns = flows[0]
    assert dns.bidirectional_packets == 2 and dns.maximum_iat_ms == 3  # the answer 3 ms after the query
    df = NFStreamer(sample_pcap, udps=[iat(volatile=True), maximum_iat_ms()]).to_pandas()
    assert "iat" not in df.columns and df.columns[-1] == "maximum_iat_ms"
    assert df["maximum_iat_ms"].tolist() == [3, 3, 3, 3, 3, 3, -1, 3]
