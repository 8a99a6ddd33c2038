"""Fixtures shared by the Python suites: the build's sample capture and nfcore command.

ctest sets NFC_BUILD_DIR and PYTHONPATH=<build>/python; run by hand, the build folder is found from the imported
package (<build>/python/nfcore).
"""
import os
from pathlib import Path

import pytest

import nfcore


def _build_dir() -> Path:
    if "NFC_BUILD_DIR" in os.environ:
        return Path(os.environ["NFC_BUILD_DIR"])
    return Path(nfcore.__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def build_dir() -> Path:
    return _build_dir()


@pytest.fixture(scope="session")
def sample_pcap(build_dir: Path) -> str:
    """<build>/sample.pcap, written by tools/make_sample_pcap: 8 flows (DNS, HTTP, DNS, TLS, DNS over IPv6, NTP on
    VLAN 100, mDNS, ICMP)."""
    path = build_dir / "sample.pcap"
    assert path.is_file(), f"{path} is missing: build the sample_pcap target"
    return str(path)


@pytest.fixture(scope="session")
def nfcore_command(build_dir: Path) -> str:
    path = build_dir / "nfcore"
    assert path.is_file(), f"{path} is missing: build the nfcore target"
    return str(path)
