"""community_id=True: the Community ID column, as the command writes it, after the identity columns; the seed."""
import csv
import subprocess

import pytest

from nfcore import NFStreamer


def _command_ids(nfcore_command, sample_pcap, tmp_path, *options):
    out = tmp_path / "flows.csv"
    subprocess.run([nfcore_command, "-r", sample_pcap, "--community-id", *options, "-o", str(out)], check=True)
    with open(out, newline="") as f:
        return [row["community_id"] for row in csv.DictReader(f)]


def test_column_equals_the_command(sample_pcap, nfcore_command, tmp_path):
    df = NFStreamer(sample_pcap, community_id=True).to_pandas()
    assert list(df.columns[df.columns.get_loc("tunnel_id") + 1:][:1]) == ["community_id"]
    ids = _command_ids(nfcore_command, sample_pcap, tmp_path)
    assert len(ids) == 8 and all(i.startswith("1:") and len(i) == 30 for i in ids)
    assert df["community_id"].tolist() == ids
    # eight flows, eight endpoint pairs or protocols: eight ids
    assert len(set(ids)) == 8


def test_seed_changes_every_id(sample_pcap, nfcore_command, tmp_path):
    seeded = [flow.community_id for flow in NFStreamer(sample_pcap, community_id=True, community_id_seed=1)]
    assert seeded == _command_ids(nfcore_command, sample_pcap, tmp_path, "--community-id-seed", "1")
    assert not set(seeded) & set(_command_ids(nfcore_command, sample_pcap, tmp_path))


def test_off_by_default(sample_pcap):
    assert "community_id" not in NFStreamer(sample_pcap).to_pandas().columns


@pytest.mark.parametrize("value", [-1, 65536, "0"])
def test_seed_out_of_range(sample_pcap, value):
    with pytest.raises(ValueError, match="community_id_seed"):
        NFStreamer(sample_pcap, community_id_seed=value)
