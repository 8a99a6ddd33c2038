"""NFStreamer.to_csv (the default path, chunks, rotation, contents equal to the command's CSV, no file without flows)
and columns_to_anonymize in to_csv and to_pandas. The sample capture holds 8 flows."""
import csv
import re
import shutil
import subprocess

import pandas as pd
import pytest

from nfcore import NFStreamer
from nfcore.plugins import DHCP

FLOWS = 8
DIGEST = re.compile(r"[0-9a-f]{128}")


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def flow_ids(path):
    header, *body = rows(path)
    assert header[0] == "id"
    return [int(r[0]) for r in body]


@pytest.fixture
def streamer(sample_pcap):
    return NFStreamer(sample_pcap, n_meters=1)


def test_default_path_is_the_source_with_csv(sample_pcap, tmp_path):
    capture = tmp_path / "capture.pcap"
    shutil.copy(sample_pcap, capture)
    assert NFStreamer(str(capture)).to_csv() == FLOWS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["capture.pcap", "capture.pcap.csv"]
    assert len(rows(tmp_path / "capture.pcap.csv")) == FLOWS + 1


def test_contents_equal_the_command(streamer, sample_pcap, nfcore_command, tmp_path):
    assert streamer.to_csv(str(tmp_path / "py.csv")) == FLOWS
    subprocess.run([nfcore_command, "-r", sample_pcap, "-j", "1", "-o", str(tmp_path / "cli.csv")], check=True)
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    assert flow_ids(tmp_path / "py.csv") == list(range(FLOWS))


def test_chunks_replace_the_final_csv(streamer, tmp_path):
    whole = tmp_path / "whole.csv"
    streamer.to_csv(str(whole))
    assert streamer.to_csv(str(tmp_path / "x.csv"), flows_per_file=3) == FLOWS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whole.csv", "x.0.csv", "x.1.csv", "x.2.csv"]
    chunks = [rows(tmp_path / f"x.{k}.csv") for k in range(3)]
    header, *body = rows(whole)
    assert all(chunk[0] == header for chunk in chunks)  # each file has its own header
    assert [len(chunk) - 1 for chunk in chunks] == [3, 3, 2]
    assert [r for chunk in chunks for r in chunk[1:]] == body


def test_rotation_overwrites_modulo(streamer, tmp_path):
    assert streamer.to_csv(str(tmp_path / "x.csv"), flows_per_file=3, rotate_files=2) == FLOWS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.0.csv", "x.1.csv"]
    assert flow_ids(tmp_path / "x.0.csv") == [6, 7]  # chunk 2 overwrote chunk 0
    assert flow_ids(tmp_path / "x.1.csv") == [3, 4, 5]


def test_rotation_without_chunks_writes_one_file(streamer, tmp_path):
    assert streamer.to_csv(str(tmp_path / "x.csv"), rotate_files=2) == FLOWS
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.parametrize("name,chunks", [
    ("flows", ["flows.0.csv", "flows.1.csv"]),
    ("flows.txt", ["flows.txt.0.csv", "flows.txt.1.csv"]),
    ("csv.csv", ["csv.0.csv", "csv.1.csv"]),
    ("flows.csv.gz", ["flows.csv.gz.0.csv", "flows.csv.gz.1.csv"]),
])
def test_chunk_names(streamer, tmp_path, name, chunks):
    assert streamer.to_csv(str(tmp_path / name), flows_per_file=5) == FLOWS
    assert sorted(p.name for p in tmp_path.iterdir()) == chunks


def test_folders_named_csv_are_untouched(streamer, tmp_path):
    # nfstream replaces every "csv" of the path, folders included; only the file name's final .csv changes here.
    folder = tmp_path / "csv" / "my.csv.d"
    folder.mkdir(parents=True)
    assert streamer.to_csv(str(folder / "flows.csv"), flows_per_file=4) == FLOWS
    assert sorted(p.name for p in folder.iterdir()) == ["flows.0.csv", "flows.1.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]


def test_no_flow_no_file(sample_pcap, tmp_path):
    streamer = NFStreamer(sample_pcap, bpf_filter="port 1")
    assert streamer.to_csv(str(tmp_path / "x.csv")) == 0
    assert streamer.to_csv(str(tmp_path / "y.csv"), flows_per_file=2) == 0
    assert list(tmp_path.iterdir()) == []
    assert streamer.to_pandas() is None


ANONYMIZED = ["src_ip", "dst_ip", "src_mac", "src_port", "requested_server_name", "user_agent",
              "udps.dhcp_12", "udps.dhcp_options"]


@pytest.fixture
def plain(sample_pcap):
    return NFStreamer(sample_pcap, n_meters=1, udps=[DHCP()]).to_pandas()


def check_anonymized(df, plain):
    assert list(df.columns) == list(plain.columns) and len(df) == FLOWS
    others = [c for c in plain.columns if c not in ANONYMIZED]
    pd.testing.assert_frame_equal(df[others], plain[others])
    for column in ANONYMIZED:
        originals, digests = plain[column], df[column]
        if column == "udps.dhcp_12":  # None in every flow (no DHCP here): missing stays missing
            assert originals.isna().all() and digests.isna().all()
            continue
        assert digests.map(lambda v: bool(DIGEST.fullmatch(v))).all(), column
        # One key for the whole export: equal values give equal digests, different values different ones.
        pairs = set(zip(originals.astype(str), digests))
        assert len(pairs) == len(set(originals.astype(str))) == len(set(digests)), column
    # An empty string and an empty list are values, not missing ones: they are digested as nfstream does.
    assert plain["user_agent"].isna().any() and not df["user_agent"].isna().any()
    assert (plain["udps.dhcp_options"] == "[]").all() and df["udps.dhcp_options"].nunique() == 1


def test_to_pandas_anonymizes(sample_pcap, plain):
    df = NFStreamer(sample_pcap, n_meters=1, udps=[DHCP()]).to_pandas(columns_to_anonymize=ANONYMIZED)
    check_anonymized(df, plain)


def test_to_csv_anonymizes(sample_pcap, plain, tmp_path):
    streamer = NFStreamer(sample_pcap, n_meters=1, udps=[DHCP()])
    assert streamer.to_csv(str(tmp_path / "x.csv"), columns_to_anonymize=ANONYMIZED) == FLOWS
    check_anonymized(pd.read_csv(tmp_path / "x.csv"), plain)


def test_each_export_draws_its_own_key(streamer):
    first = streamer.to_pandas(columns_to_anonymize=["src_ip"])["src_ip"]
    second = streamer.to_pandas(columns_to_anonymize=["src_ip"])["src_ip"]
    assert not set(first) & set(second)


@pytest.mark.parametrize("columns", [["no_such_column"], ["src_ip", "udps.dhcp_12"], ["SRC_IP"]], ids=repr)
def test_unknown_column_is_refused(streamer, tmp_path, columns):
    with pytest.raises(ValueError, match=columns[-1]):
        streamer.to_pandas(columns_to_anonymize=columns)
    with pytest.raises(ValueError, match=columns[-1]):
        streamer.to_csv(str(tmp_path / "x.csv"), columns_to_anonymize=columns)
    assert list(tmp_path.iterdir()) == []
