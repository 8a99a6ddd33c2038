"""The tutorial notebook, examples/notebook/nfcore_notebook.ipynb, executed as a reader would run it: Debian's
jupyter-nbconvert on the python3 kernel, with the package as built (PYTHONPATH=<build>/python, NFC_BUILD_DIR set by
ctest). Its outputs are then checked against the nfcore command's CSV for the same capture: nfstream's
instagram.pcap from ../shared when present, else the build's sample.pcap.

The cells whose outputs are read carry a tag (cell metadata "tags"); DataFrames are read from their HTML form,
where every cell is a table cell of its own.
"""
from __future__ import annotations

import ast
import csv
import math
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2]
NOTEBOOK = SOURCE / "examples" / "notebook" / "nfcore_notebook.ipynb"
SHARED = Path(os.environ.get("NFC_SHARED_DIR", SOURCE.parent / "shared"))
BUILD = Path(os.environ.get("NFC_BUILD_DIR", SOURCE / "build"))
NBCONVERT = os.environ.get("NFC_JUPYTER_NBCONVERT", "/usr/bin/jupyter-nbconvert")


class _TableReader(HTMLParser):
    """The cells of an HTML table, row by row, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def frame_rows(html: str) -> list[dict[str, str]]:
    """A displayed DataFrame's rows as {column: text}, its index left out."""
    reader = _TableReader()
    reader.feed(html)
    header, *rows = reader.rows
    return [dict(zip(header[1:], row[1:])) for row in rows]


def _expected_capture() -> Path:
    shared = SHARED / "conformance" / "nfstream" / "pcaps" / "instagram.pcap"
    return shared if shared.is_file() else BUILD / "sample.pcap"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The executed notebook's outputs by cell tag."""
    if not (BUILD / "plugins" / "onnx.so").is_file():
        pytest.skip(f"{BUILD}/plugins/onnx.so was not built (scripts/install-onnxruntime.sh installs ONNX Runtime): "
                    "the notebook's model cells need it")
    try:
        import onnx  # noqa: F401  (the notebook converts its model with it)
    except ImportError:
        pytest.skip("python3-onnx is not installed: the notebook's model cells need it")
    import nbformat

    folder = BUILD / "tests" / "notebook"
    folder.mkdir(parents=True, exist_ok=True)
    scratch = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ, NFC_SHARED_DIR=str(SHARED), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
               IPYTHONDIR=str(scratch / "ipython"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    run = subprocess.run([NBCONVERT, "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=python3",
                          "--ExecutePreprocessor.timeout=120", "--output-dir", str(folder),
                          "--output", NOTEBOOK.name, str(NOTEBOOK)],
                         env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, f"jupyter-nbconvert failed:\n{run.stdout}{run.stderr}"
    executed = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    tagged = {}
    for cell in executed.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            tagged[tag] = cell.get("outputs", [])
    return tagged


def printed(outputs: dict[str, list[dict]], tag: str) -> str:
    """What the cell printed."""
    return "".join(o["text"] for o in outputs[tag] if o["output_type"] == "stream").strip()


def result(outputs: dict[str, list[dict]], tag: str, kind: str = "text/plain") -> str:
    """The cell's value, as text or as HTML."""
    values = [o["data"][kind] for o in outputs[tag] if o["output_type"] == "execute_result"]
    assert len(values) == 1, f"cell {tag}: no result"
    return values[0]


def shown(outputs: dict[str, list[dict]], tag: str) -> list[dict[str, str]]:
    """The DataFrame the cell shows (head(): its first five rows)."""
    rows = frame_rows(result(outputs, tag, "text/html"))
    assert rows, f"cell {tag}: an empty DataFrame"
    return rows


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, str]]:
    """The nfcore command's flows on the capture, by id, with the statistical columns and 4-packet SPLT."""
    out = tmp_path_factory.mktemp("cli") / "flows.csv"
    subprocess.run([str(BUILD / "nfcore"), "-r", str(_expected_capture()), "--statistical-analysis",
                    "--splt-analysis", "4", "-j", "1", "-o", str(out)], check=True)
    with open(out, newline="") as f:
        rows = {int(row["id"]): row for row in csv.DictReader(f)}
    assert rows, f"no flow in {_expected_capture()}"
    return rows


def test_kernel_is_debian_python(outputs):
    assert printed(outputs, "interpreter") == "/usr/bin/python3"


def test_capture(outputs):
    assert printed(outputs, "capture") == str(_expected_capture())


def test_flow_count(outputs, flows):
    assert int(result(outputs, "flow-count")) == len(flows)


def test_ratios(outputs, flows):
    rows = shown(outputs, "ratios")
    assert [int(row["id"]) for row in rows] == sorted(flows)[:5]
    for row in rows:
        cli = flows[int(row["id"])]
        for column in ("src2dst_bytes", "dst2src_bytes", "bidirectional_bytes"):
            assert row[column] == cli[column]
        total = int(cli["bidirectional_bytes"])
        # pandas shows six decimals
        assert math.isclose(float(row["src2dst_bytes_data_ratio"]), int(cli["src2dst_bytes"]) / total, abs_tol=1e-6)
        assert math.isclose(float(row["dst2src_bytes_data_ratio"]), int(cli["dst2src_bytes"]) / total, abs_tol=1e-6)


def test_https_filter(outputs, flows):
    rows = shown(outputs, "https")
    https = [i for i in sorted(flows) if flows[i]["dst_port"] == "443"]
    assert [int(row["id"]) for row in rows] == https[:5]
    for row in rows:
        cli = flows[int(row["id"])]
        assert (row["src_ip"], row["dst_ip"], row["dst_port"]) == (cli["src_ip"], cli["dst_ip"], "443")


def _max_gap(cli: dict[str, str]) -> str:
    """The largest gap between two packets, -1 for a flow of one packet (bidirectional_max_piat_ms says 0)."""
    return "-1" if cli["bidirectional_packets"] == "1" else cli["bidirectional_max_piat_ms"]


def test_ack_count_older_style(outputs, flows):
    for row in shown(outputs, "ack-count"):
        cli = flows[int(row["id"])]
        assert row["bidirectional_packets"] == cli["bidirectional_packets"]
        assert row["ack_count"] == row["bidirectional_ack_packets"] == cli["bidirectional_ack_packets"]
    assert ast.literal_eval(result(outputs, "ack-count-check")) == (["content_type", "ack_count"], True)


def test_maximum_iat_older_style(outputs, flows):
    for row in shown(outputs, "maximum-iat"):
        assert row["maximum_iat_ms"] == _max_gap(flows[int(row["id"])])
    # equal to bidirectional_max_piat_ms on every flow of several packets, -1 on the others, iat not a column
    assert ast.literal_eval(result(outputs, "maximum-iat-check")) == (True, True, False)


def test_nfstream6_style(outputs, flows):
    for row in shown(outputs, "udps"):
        cli = flows[int(row["id"])]
        assert row["udps.ack_count"] == cli["bidirectional_ack_packets"]
        assert row["udps.maximum_iat_ms"] == _max_gap(cli)
    assert ast.literal_eval(result(outputs, "udps-check")) == (["udps.ack_count", "udps.maximum_iat_ms"], True, True)


def test_c_plugins(outputs, flows):
    for row in shown(outputs, "c-plugins"):
        cli = flows[int(row["id"])]
        assert row["udps.ack_count"] == cli["bidirectional_ack_packets"]
        assert row["udps.splt_direction"] == cli["splt_direction"]
        assert row["udps.splt_ps"] == cli["splt_ps"]


def test_model_in_the_meter(outputs, flows):
    classes = ast.literal_eval(result(outputs, "classes"))
    assert classes and all(isinstance(c, str) and c for c in classes)
    for row in shown(outputs, "predictions"):
        assert row["udps.onnx_label"] in classes
        assert 0 < float(row["udps.onnx_probability"]) <= 1
    # the plugin's labels are scikit-learn's on every flow
    assert float(result(outputs, "predictions-check")) == 1.0
