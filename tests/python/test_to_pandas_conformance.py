"""NFStreamer.to_pandas() against nfstream's own DataFrame (pandas.read_csv of its CSV) on the conformance
captures (nfstream's 220 and the 68 edge cases): the same columns in the same order, the same dtypes, equal values
(floats to 1e-9 relative), and None where nfstream finds no flow."""
import pytest

from frames import CONFORMANCE, PCAPS, SKIP_REASON, captures, differences, read_expected
from nfcore import NFStreamer

if not PCAPS.is_dir():
    pytest.skip(SKIP_REASON, allow_module_level=True)

SUITES = ("nfstream", "edge")
CASES = [(suite, name) for suite in SUITES for name in captures(suite)]


def expected_frame(suite, capture):
    return read_expected(CONFORMANCE / suite / "expected_full" / f"{capture}.csv")


def test_corpus_is_complete():
    assert len(captures("nfstream")) == 220
    for suite, name in CASES:
        assert (CONFORMANCE / suite / "expected_full" / f"{name}.csv").is_file(), (suite, name)


@pytest.mark.parametrize("suite,capture", CASES, ids=[f"{suite}/{name}" for suite, name in CASES])
def test_to_pandas_matches_nfstream(suite, capture):
    streamer = NFStreamer(str(CONFORMANCE / suite / "pcaps" / capture), n_dissections=20, n_meters=1,
                          statistical_analysis=True, splt_analysis=10)
    assert differences(streamer.to_pandas(), expected_frame(suite, capture)) == []


def test_expected_outputs_are_not_vacuous():
    # Both kinds of expected output occur: thousands of flows, and captures without any (to_pandas gives None).
    frames = [expected_frame(suite, name) for suite, name in CASES]
    with_flows = [f for f in frames if f is not None]
    assert sum(len(f) for f in with_flows) > 5000
    assert 0 < len(frames) - len(with_flows) < 20
