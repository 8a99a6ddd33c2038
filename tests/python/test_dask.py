"""nfcore.dask.read_pcaps on a LocalCluster of 2 worker processes (127.0.0.1, free ports): the frame equals the
concatenation of NFStreamer(capture).to_pandas() per stream, cast to the configuration's dtypes, with the stream
column added; partitions as documented; empty captures; plugins pickled to the workers; unreadable captures; and
no process left once the clusters are closed. The conformance part is skipped without ../shared."""
from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="python3-distributed is not installed")
pytest.importorskip("dask.dataframe", reason="python3-dask is not installed")
psutil = pytest.importorskip("psutil", reason="python3-psutil is not installed")

import nfcore  # noqa: E402
import nfcore.dask  # noqa: E402
from frames import CONFORMANCE, PCAPS, SKIP_REASON, captures  # noqa: E402
from nfcore import NFPlugin, NFStreamer  # noqa: E402

SAMPLE_FLOWS = 8  # tools/make_sample_pcap


class PacketCount(NFPlugin):
    """udps.packets: the flow's packets, counted in Python on the worker."""

    def on_init(self, packet, flow):
        flow.udps.packets = 1

    def on_update(self, packet, flow):
        flow.udps.packets += 1


def children() -> set[int]:
    """The processes this one started and that still run, but multiprocessing's resource tracker (started with
    the first worker process, it lives as long as this process)."""
    running = []
    for process in psutil.Process().children(recursive=True):
        try:
            if process.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(process.cmdline()):
                running.append(process.pid)
        except psutil.NoSuchProcess:
            pass
    return set(running)


@pytest.fixture(scope="module")
def client():
    """A cluster as users start one; its client is dask's default (the frames compute on it)."""
    before = children()
    with nfcore.dask.local_cluster(2) as cluster, distributed.Client(cluster, timeout=30) as client:
        client.wait_for_workers(2, timeout=30)
        yield client
    assert children() <= before


@pytest.fixture(scope="module")
def empty_pcap(tmp_path_factory) -> str:
    """A capture without packets: a classic pcap header alone."""
    path = tmp_path_factory.mktemp("captures") / "empty.pcap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    return str(path)


def cast(frame: pd.DataFrame | None, meta: pd.DataFrame, stream: int) -> pd.DataFrame:
    """to_pandas' frame for one stream as read_pcaps gives it: the meta's columns and dtypes, stream added."""
    if frame is None:
        return meta.iloc[:0]
    frame = frame.copy()
    for name, dtype in meta.dtypes.items():
        if name == "stream":
            frame[name] = stream
        elif dtype == object:
            # A column without any value is float64 NaN in to_pandas.
            frame[name] = frame[name].astype(object).where(frame[name].notna(), np.nan)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame[list(meta.columns)]


def expected(sources: list, meta: pd.DataFrame, **options) -> pd.DataFrame:
    frames = [cast(NFStreamer(source, **options).to_pandas(), meta, stream) for stream, source in enumerate(sources)]
    return pd.concat(frames, ignore_index=True)


def check(flows, sources: list, lengths: list[int], **options) -> pd.DataFrame:
    """The computed frame against the streams' to_pandas; lengths: each partition's flows."""
    assert flows.map_partitions(len).compute().tolist() == lengths
    result = flows.compute().reset_index(drop=True)
    assert len(result) == sum(lengths) > 0
    assert result.dtypes.to_dict() == flows._meta.dtypes.to_dict()
    assert list(result.columns[-1:]) == ["stream"]
    pd.testing.assert_frame_equal(result, expected(sources, flows._meta, **options), check_exact=False, rtol=1e-12)
    return result


def test_without_a_client_a_local_cluster_for_the_call(sample_pcap):
    # First, before the module's cluster: without any client, read_pcaps starts and closes a cluster of its own.
    with pytest.raises(ValueError):
        distributed.default_client()
    before = children()
    flows = nfcore.dask.read_pcaps([sample_pcap, sample_pcap, sample_pcap], captures_per_partition=2)
    assert children() <= before
    assert flows.npartitions == 2
    check(flows, [sample_pcap] * 3, [2 * SAMPLE_FLOWS, SAMPLE_FLOWS])


def test_one_partition_per_capture(client, sample_pcap):
    flows = nfcore.dask.read_pcaps([sample_pcap, sample_pcap], client=client)
    assert flows.npartitions == 2
    with distributed.get_task_stream(client) as tasks:
        result = check(flows, [sample_pcap, sample_pcap], [SAMPLE_FLOWS, SAMPLE_FLOWS])
    # Metered on the cluster's workers: one task per partition (the partitions' lengths fused theirs with len).
    metered = [task for task in tasks.data if "read-pcaps" in task["key"]]
    assert len(metered) == 2
    assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()["workers"])
    # Ids as NFStreamer numbers them, (stream, id) unique.
    assert result["id"].tolist() == list(range(SAMPLE_FLOWS)) * 2
    assert result["stream"].tolist() == [0] * SAMPLE_FLOWS + [1] * SAMPLE_FLOWS
    assert not result.duplicated(["stream", "id"]).any()
    assert result["application_name"].iloc[0] == "DNS"


def test_a_client_that_is_not_the_default(client, sample_pcap):
    with distributed.Client(client.scheduler.address, timeout=30, set_as_default=False) as other:
        flows = nfcore.dask.read_pcaps([sample_pcap], client=other)
        result = flows.compute(scheduler=other)
    assert len(result) == SAMPLE_FLOWS and result["id"].tolist() == list(range(SAMPLE_FLOWS))


def test_dtypes_fixed_by_the_configuration(client, sample_pcap, empty_pcap):
    flows = nfcore.dask.read_pcaps([empty_pcap, sample_pcap], client=client, statistical_analysis=True,
                                   splt_analysis=4)
    meta = flows._meta.dtypes
    assert meta["id"] == np.int64 and meta["bidirectional_mean_ps"] == np.float64
    # to_pandas reads content_type as float64 NaN on the sample (no value); here it is text.
    assert meta["src_ip"] == object and meta["splt_ps"] == object and meta["content_type"] == object
    assert NFStreamer(sample_pcap).to_pandas()["content_type"].dtype == np.float64
    # The empty capture: an empty partition with the meta's dtypes.
    empty = flows.get_partition(0).compute()
    assert len(empty) == 0 and empty.dtypes.to_dict() == meta.to_dict()
    check(flows, [empty_pcap, sample_pcap], [0, SAMPLE_FLOWS], statistical_analysis=True, splt_analysis=4)


def test_lists_and_groups(client, sample_pcap, empty_pcap):
    # [a] [b, empty as one stream] [empty, a]: a list is a partition of its own; single captures are grouped by 2.
    paths = [sample_pcap, [sample_pcap, empty_pcap], empty_pcap, sample_pcap]
    flows = nfcore.dask.read_pcaps(paths, client=client, captures_per_partition=2)
    assert flows.npartitions == 3
    check(flows, paths, [SAMPLE_FLOWS, SAMPLE_FLOWS, SAMPLE_FLOWS])
    # A capture read twice as one stream: its second copy's packets join the first copy's flows.
    twice = nfcore.dask.read_pcaps([[sample_pcap, sample_pcap]], client=client)
    result = check(twice, [[sample_pcap, sample_pcap]], [SAMPLE_FLOWS])
    single = NFStreamer(sample_pcap).to_pandas()
    assert (result["bidirectional_packets"] == 2 * single["bidirectional_packets"]).all()


def test_plugins_travel_to_the_workers(client, sample_pcap):
    udps = [nfcore.Plugin("splt.so", sequence_length=3), PacketCount()]
    flows = nfcore.dask.read_pcaps([sample_pcap], client=client, udps=udps, udps_dtypes={"packets": "int64"})
    result = check(flows, [sample_pcap], [SAMPLE_FLOWS], udps=udps)
    assert (result["udps.packets"] == result["bidirectional_packets"]).all()
    assert result.filter(like="udps.splt").shape[1] > 0


def test_python_plugin_fields_must_be_named(client, sample_pcap):
    flows = nfcore.dask.read_pcaps([sample_pcap], client=client, udps=PacketCount())
    with pytest.raises(ValueError, match="udps_dtypes"):
        flows.compute()


def test_unreadable_capture_raises_with_its_path(client, sample_pcap, tmp_path):
    missing = str(tmp_path / "missing.pcap")
    with pytest.raises(FileNotFoundError, match=missing):
        nfcore.dask.read_pcaps([sample_pcap, missing], client=client).compute()
    garbage = tmp_path / "garbage.pcap"
    garbage.write_bytes(b"not a capture at all, not even its header")
    with pytest.raises(Exception, match=str(garbage)):
        nfcore.dask.read_pcaps([str(garbage)], client=client).compute()


def test_invalid_arguments_raise_at_once(sample_pcap):
    with pytest.raises(ValueError, match="captures_per_partition"):
        nfcore.dask.read_pcaps([sample_pcap], captures_per_partition=0)
    with pytest.raises(ValueError, match="idle_timeout"):
        nfcore.dask.read_pcaps([sample_pcap], idle_timeout=-1)
    with pytest.raises(ValueError, match="empty list"):
        nfcore.dask.read_pcaps([[]])


@pytest.mark.skipif(not PCAPS.is_dir(), reason=SKIP_REASON)
def test_conformance_captures(client):
    # 20 of nfstream's captures, and one of the edge cases in which nfstream finds no flow.
    sources = [str(PCAPS / name) for name in captures("nfstream")[::11]]
    empty = CONFORMANCE / "edge" / "expected_full" / "gate_27.pcap.csv"
    assert empty.stat().st_size == 0
    sources.append(str(CONFORMANCE / "edge" / "pcaps" / "gate_27.pcap"))
    options = {"statistical_analysis": True, "splt_analysis": 10}
    flows = nfcore.dask.read_pcaps(sources, client=client, **options)
    assert flows.npartitions == len(sources) == 21
    lengths = [len(frame) if frame is not None else 0
               for frame in (NFStreamer(source).to_pandas() for source in sources)]
    assert lengths[-1] == 0
    check(flows, sources, lengths, **options)
