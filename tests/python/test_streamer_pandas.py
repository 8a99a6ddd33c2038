"""to_pandas against pandas.read_csv of the nfcore command's CSV for the same capture and options: the same columns
and order, the same dtypes (int64, float64 with NaN where an integer or text column has missing values, object for
text and lists, float64 for an all-empty column), the same values (floats to 1e-12)."""
import subprocess

import numpy as np
import pandas as pd
import pytest

from nfcore import NFStreamer, _nfcore
from nfcore.frame import _read_as_csv, frame


def command_frame(nfcore_command, sample_pcap, tmp_path, *args):
    path = tmp_path / "cli.csv"
    subprocess.run([nfcore_command, "-r", sample_pcap, "-o", str(path), *args], check=True)
    return pd.read_csv(path)


@pytest.mark.parametrize("args,kwargs", [
    ([], {}),
    (["--statistical-analysis", "--splt-analysis", "10"], {"statistical_analysis": True, "splt_analysis": 10}),
    (["--n-dissections", "0", "--no-decode-tunnels"], {"n_dissections": 0, "decode_tunnels": False}),
    (["--bpf-filter", "udp", "--accounting-mode", "3"], {"bpf_filter": "udp", "accounting_mode": 3}),
], ids=["defaults", "statistics-splt", "no-dpi", "udp-payload"])
def test_equals_read_csv_of_the_command(nfcore_command, sample_pcap, tmp_path, args, kwargs):
    expected = command_frame(nfcore_command, sample_pcap, tmp_path, *args)
    frame = NFStreamer(sample_pcap, **kwargs).to_pandas()
    assert list(frame.columns) == list(expected.columns)
    assert list(frame.dtypes) == list(expected.dtypes)
    pd.testing.assert_frame_equal(frame, expected, check_exact=False, rtol=1e-12)


def test_dtypes_and_values(sample_pcap):
    frame = NFStreamer(sample_pcap, statistical_analysis=True, splt_analysis=10).to_pandas()
    assert frame.shape == (8, 89)
    assert list(frame["id"]) == list(range(8))
    assert frame["bidirectional_packets"].dtype == np.int64
    assert list(frame["bidirectional_packets"]) == [2, 9, 2, 12, 2, 2, 1, 2]
    assert frame["bidirectional_mean_ps"].dtype == np.float64
    assert frame["bidirectional_mean_ps"][0] == 83.0
    assert frame["src_ip"].dtype == object and frame["src_ip"][4] == "2001:db8::10"
    assert frame["splt_ps"][0] == "[75, 91, -1, -1, -1, -1, -1, -1, -1, -1]"  # lists stay their text
    # Some flows have a user agent: the others' empty text is NaN. No flow has a content type: float64.
    assert frame["user_agent"].dtype == object
    assert frame["user_agent"].isna().sum() == 7 and frame["user_agent"][1].startswith("Mozilla/5.0")
    assert frame["content_type"].dtype == np.float64 and frame["content_type"].isna().all()
    assert isinstance(frame.index, pd.RangeIndex)


def test_no_flow_gives_none(sample_pcap):
    assert NFStreamer(sample_pcap, bpf_filter="port 1").to_pandas() is None


def test_max_nflows(sample_pcap):
    frame = NFStreamer(sample_pcap, max_nflows=3).to_pandas()
    assert list(frame["src_port"]) == [45001, 45002, 45003]


def test_anonymized_columns(sample_pcap):
    plain = NFStreamer(sample_pcap).to_pandas()
    frame = NFStreamer(sample_pcap).to_pandas(columns_to_anonymize=["src_ip", "user_agent"])
    assert frame["src_ip"].str.fullmatch("[0-9a-f]{128}").all()
    assert frame["src_ip"].nunique() == plain["src_ip"].nunique() == 2
    assert frame["user_agent"].str.fullmatch("[0-9a-f]{128}").all()  # "" is a value: it is digested
    others = [c for c in plain.columns if c not in ("src_ip", "user_agent")]
    pd.testing.assert_frame_equal(frame[others], plain[others])
    with pytest.raises(ValueError, match="no_such_column"):
        NFStreamer(sample_pcap).to_pandas(columns_to_anonymize=["no_such_column"])


def test_plugin_columns_equal_read_csv(nfcore_command, sample_pcap, build_dir, tmp_path):
    # The test plugin render fills UDP flows only: text with quotes, an empty string, lists of ints and of
    # strings, an optional int never set (float64, all NaN), an optional float set on some flows.
    render = str(build_dir / "tests" / "sdk" / "render.so")
    expected = command_frame(nfcore_command, sample_pcap, tmp_path, "--plugin", render)
    engine = _nfcore.Engine({}, files=[sample_pcap], plugins=[render])
    actual = frame(engine.columns())
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-12)
    assert actual["udps.quote"][0] == 'say "hi"' and np.isnan(actual["udps.quote"][1])
    assert actual["udps.labels"][0] == "['a', \"b's\"]"
    assert actual["udps.unset"].dtype == np.float64 and actual["udps.unset"].isna().all()


@pytest.mark.parametrize("texts", [
    ["1", "2"], ["1", ""], ["-0", "+7"], ["1.5", "2"], ["1e5", "nan"], ["inf", "-Infinity"], ["True", "false"],
    ["True", ""], ["TRUE", "1"], ["18446744073709551615", "1"], ["18446744073709551615", ""], [" 1", "2 "],
    ["1.2.3", "4"], ["", "NA"],
], ids=repr)
def test_text_read_as_read_csv_reads_it(tmp_path, texts):
    # What the engine hands over for read_csv to judge: text columns whose every text might be a number.
    path = tmp_path / "x.csv"
    path.write_text("c\n" + "".join(f'"{text}"\n' for text in texts))
    expected = pd.read_csv(path)["c"].to_numpy()
    actual = _read_as_csv(np.array(texts, dtype=object))
    assert actual.dtype == expected.dtype
    assert [str(v) for v in actual] == [str(v) for v in expected]
