"""NFStreamer's parameters as nfstream 6.5.4 validates them (spec §1): each invalid value raises a ValueError that
names the parameter, at construction and on reassignment (the attribute keeps its value); each valid value is
accepted and read back."""
import pytest

import nfcore
from nfcore import NFStreamer
from nfcore.plugins import DHCP, MDNS, SPLT

TIMEOUT_MAX = (2**64 - 1) // 1000  # value x 1000 must fit in 64 bits

# name: (default, valid values, invalid values); the invalid ones in italics in the spec's table come first.
PARAMETERS = {
    "decode_tunnels": (True, [True, False], [33, "True", None]),
    "bpf_filter": (None, [None, "tcp", "udp port 53"], [11, b"tcp"]),
    "promiscuous_mode": (True, [True, False], ["yes", 89]),
    "snapshot_length": (1536, [1, 1536, 65535, True], ["largest", -1, 0, 1.5]),
    "socket_buffer_size": (0, [0, 1, 2**31 - 1], ["largest", -1, 2**31]),
    "idle_timeout": (120, [0, 1, TIMEOUT_MAX], [-1, "idle", TIMEOUT_MAX + 1, 1.5]),
    "active_timeout": (1800, [0, 1, TIMEOUT_MAX], [-1, "active", TIMEOUT_MAX + 1]),
    "accounting_mode": (0, [0, 1, 2, 3], [-1, 5, "ip", 4]),
    "n_dissections": (20, [0, 1, 255, True], ["yes", -1, 256]),
    "statistical_analysis": (False, [True, False], ["yes", 89, 1]),
    "splt_analysis": (0, [0, 10, 255, 65535], [-1, 70000, "yes", 65536]),
    "n_meters": (0, [0, 1, 2, 64], ["yes", -1]),
    "max_nflows": (0, [0, 1, 10**9], ["yes", -1]),
    "performance_report": (0, [0, 1, 60], ["yes", -1]),
    "system_visibility_mode": (0, [0], ["yes", -1, 3]),
    "system_visibility_poll_ms": (100, [0, 100, 5000], ["yes", -1]),
}
VALID = [(name, value) for name, (_, values, _) in PARAMETERS.items() for value in values]
INVALID = [(name, value) for name, (_, _, values) in PARAMETERS.items() for value in values]


def case_id(case):
    return f"{case[0]}={case[1]!r}"


@pytest.fixture
def streamer(sample_pcap):
    return NFStreamer(sample_pcap)


@pytest.mark.parametrize("name", PARAMETERS)
def test_defaults(streamer, name):
    assert getattr(streamer, name) == PARAMETERS[name][0]


@pytest.mark.parametrize("name,value", VALID, ids=map(case_id, VALID))
def test_valid_value_accepted_at_construction(sample_pcap, name, value):
    assert getattr(NFStreamer(sample_pcap, **{name: value}), name) == value


@pytest.mark.parametrize("name,value", VALID, ids=map(case_id, VALID))
def test_valid_value_accepted_on_reassignment(streamer, name, value):
    setattr(streamer, name, value)
    assert getattr(streamer, name) == value


@pytest.mark.parametrize("name,value", INVALID, ids=map(case_id, INVALID))
def test_invalid_value_refused_at_construction(sample_pcap, name, value):
    with pytest.raises(ValueError, match=name):
        NFStreamer(sample_pcap, **{name: value})


@pytest.mark.parametrize("name,value", INVALID, ids=map(case_id, INVALID))
def test_invalid_value_refused_on_reassignment(streamer, name, value):
    with pytest.raises(ValueError, match=name):
        setattr(streamer, name, value)
    assert getattr(streamer, name) == PARAMETERS[name][0]


def test_system_visibility_mode_1_is_not_supported(sample_pcap, streamer):
    with pytest.raises(ValueError, match="system_visibility_mode.*not supported"):
        NFStreamer(sample_pcap, system_visibility_mode=1)
    with pytest.raises(ValueError, match="system_visibility_mode.*not supported"):
        streamer.system_visibility_mode = 1
    assert streamer.system_visibility_mode == 0


def test_bpf_filter_that_does_not_compile(sample_pcap):
    # nfstream compiles the filter when the capture opens: the error may come at construction or at iteration.
    with pytest.raises(ValueError, match="bpf_filter|filter"):
        list(NFStreamer(sample_pcap, bpf_filter="my filter"))


@pytest.mark.parametrize("source", [11, 1.5, None, "inexisting.pcap", [], ["inexisting.pcap"], [11]],
                         ids=repr)
def test_invalid_source(sample_pcap, source):
    with pytest.raises(ValueError, match="source"):
        NFStreamer(source)


def test_source_list_and_reassignment(sample_pcap, tmp_path):
    streamer = NFStreamer([sample_pcap, sample_pcap])
    assert streamer.source == [sample_pcap, sample_pcap]
    with pytest.raises(ValueError, match="source"):
        streamer.source = [sample_pcap, str(tmp_path)]  # a folder is not a capture file
    assert streamer.source == [sample_pcap, sample_pcap]
    streamer.source = sample_pcap
    assert streamer.source == sample_pcap


@pytest.mark.parametrize("udps", [lambda: None, "NFPlugin", [SPLT(), "splt.so"], 11], ids=repr)
def test_udps_must_be_plugins(sample_pcap, streamer, udps):
    with pytest.raises(ValueError, match="udps"):
        NFStreamer(sample_pcap, udps=udps)
    with pytest.raises(ValueError, match="udps"):
        streamer.udps = udps


@pytest.mark.parametrize("udps", [None, SPLT(), [SPLT()], (DHCP(), MDNS()), [nfcore.Plugin("splt.so")]],
                         ids=repr)
def test_udps_accepted(sample_pcap, udps):
    NFStreamer(sample_pcap, udps=udps)


def test_plugins_is_an_alias_of_udps(sample_pcap):
    df = NFStreamer(sample_pcap, plugins=[SPLT(sequence_length=3)]).to_pandas()
    assert list(df.columns[-3:]) == ["udps.splt_direction", "udps.splt_ps", "udps.splt_piat_ms"]
    assert df["udps.splt_direction"].iloc[0] == "[0, 1, -1]"  # a 2-packet DNS exchange


def test_to_csv_counts_are_validated(streamer, tmp_path):
    for name, value in [("flows_per_file", -1), ("flows_per_file", "yes"), ("rotate_files", -1),
                        ("rotate_files", 1.5)]:
        with pytest.raises(ValueError, match=name):
            streamer.to_csv(str(tmp_path / "x.csv"), **{name: value})
    assert list(tmp_path.iterdir()) == []


def test_splt_analysis_above_255_warns(sample_pcap):
    with pytest.warns(UserWarning, match="splt_analysis"):
        NFStreamer(sample_pcap, splt_analysis=256)
