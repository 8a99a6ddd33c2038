"""nfcore.plugins (nfstream's plugin classes on nfcore's built-ins) against nfstream 6.5.4's output with its own
classes on the 220 conformance captures: DHCP()+MDNS(), FlowSlicer(limit=4), SPLT(sequence_length=10,
accounting_mode=0); n_dissections=20, n_meters=1, other parameters at their defaults. The whole DataFrame must
match (the udps columns, and the flows that DHCP and FlowSlicer split)."""
import pytest

from frames import CONFORMANCE, PCAPS, SKIP_REASON, captures, differences, read_expected
from nfcore import NFStreamer
from nfcore.plugins import DHCP, MDNS, SPLT, FlowSlicer

EXPECTED = CONFORMANCE / "plugins"

if not EXPECTED.is_dir() or not PCAPS.is_dir():
    pytest.skip(SKIP_REASON, allow_module_level=True)

CONFIGURATIONS = {
    "dhcp_mdns": lambda: [DHCP(), MDNS()],
    "slicer4": lambda: [FlowSlicer(limit=4)],
    "splt10": lambda: [SPLT(sequence_length=10, accounting_mode=0)],
}
CASES = [(config, name) for config in CONFIGURATIONS for name in captures()]


def expected_frame(config, capture):
    return read_expected(EXPECTED / config / f"{capture}.csv")


@pytest.mark.parametrize("config,capture", CASES, ids=[f"{config}/{name}" for config, name in CASES])
def test_plugin_columns_match_nfstream(config, capture):
    streamer = NFStreamer(str(PCAPS / capture), n_dissections=20, n_meters=1, udps=CONFIGURATIONS[config]())
    assert differences(streamer.to_pandas(), expected_frame(config, capture)) == []


@pytest.mark.parametrize("config,columns", [
    ("dhcp_mdns", ["udps.dhcp_12", "udps.dhcp_50", "udps.dhcp_55", "udps.dhcp_57", "udps.dhcp_60", "udps.dhcp_77",
                   "udps.dhcp_options", "udps.dhcp_addr", "udps.dhcp_msg_type", "udps.dhcp_oui", "udps.mdns_ptr"]),
    ("slicer4", []),
    ("splt10", ["udps.splt_direction", "udps.splt_ps", "udps.splt_piat_ms"]),
])
def test_expected_outputs_are_not_vacuous(config, columns):
    # The comparison covers every plugin column, and values other than the initial ones occur in them.
    frames = [f for f in (expected_frame(config, name) for name in captures()) if f is not None]
    assert len(frames) == 220
    if columns:
        assert all(list(f.columns[-len(columns):]) == columns for f in frames)
    for column in columns:
        values = {v for f in frames for v in f[column].dropna()}
        # No capture of the corpus carries DHCP option 77.
        assert bool(values - {"[]"}) == (column != "udps.dhcp_77"), column
    if config == "slicer4":
        assert sum(len(f) for f in frames) == 28079
