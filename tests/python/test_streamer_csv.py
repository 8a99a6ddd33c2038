"""to_csv: the command's CSV byte for byte, nfstream's default path and return value, no file without a flow."""
import shutil
import subprocess

import pytest

from nfcore import NFStreamer


def test_equals_the_command(nfcore_command, sample_pcap, tmp_path):
    streamer = NFStreamer(sample_pcap, statistical_analysis=True, splt_analysis=10)
    assert streamer.to_csv(tmp_path / "py.csv") == 8
    subprocess.run([nfcore_command, "-r", sample_pcap, "--statistical-analysis", "--splt-analysis", "10",
                    "-o", str(tmp_path / "cli.csv")], check=True)
    written = (tmp_path / "py.csv").read_bytes()
    assert written == (tmp_path / "cli.csv").read_bytes()
    assert written.count(b"\n") == 9 and written.startswith(b"id,expiration_id,src_ip,")


def test_default_path(sample_pcap, tmp_path):
    capture = tmp_path / "capture.pcap"
    shutil.copy(sample_pcap, capture)
    assert NFStreamer([str(capture), sample_pcap]).to_csv() == 8
    assert (tmp_path / "capture.pcap.csv").read_text().count("\n") == 9


def test_chunks(sample_pcap, tmp_path):
    assert NFStreamer(sample_pcap).to_csv(str(tmp_path / "x.csv"), flows_per_file=5) == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.0.csv", "x.1.csv"]
    assert (tmp_path / "x.1.csv").read_text().count("\n") == 4  # a header and flows 5, 6, 7


def test_no_flow_no_file(sample_pcap, tmp_path):
    assert NFStreamer(sample_pcap, bpf_filter="port 1").to_csv(str(tmp_path / "x.csv")) == 0
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path(sample_pcap, tmp_path):
    with pytest.raises(OSError, match="no_such_folder"):
        NFStreamer(sample_pcap).to_csv(str(tmp_path / "no_such_folder" / "x.csv"))


@pytest.mark.parametrize("name,value", [("flows_per_file", -1), ("rotate_files", "2")])
def test_counts_are_validated(sample_pcap, tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        NFStreamer(sample_pcap).to_csv(str(tmp_path / "x.csv"), **{name: value})
