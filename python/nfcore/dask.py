"""nfcore.dask: many captures metered on a Dask cluster, as one dask DataFrame of nfstream's columns.

    from distributed import Client
    import nfcore.dask
    client = Client("tcp://scheduler:8786")
    flows = nfcore.dask.read_pcaps(["/data/a.pcap", "/data/b.pcap"], client=client, statistical_analysis=True)
    flows.groupby("application_name").bidirectional_bytes.sum().compute()

Paths travel to the workers, not packets: each worker opens the captures of its partition itself. The dtypes are
fixed by the configuration (the meta), whatever each capture holds:
- an integer column is int64, or float64 (NaN where missing) when the engine says its value may be missing;
- a float column is float64;
- a text column (names, addresses, MACs, lists) is object: str, NaN where missing; a text stays text even where
  pandas' read_csv (and so to_pandas) would read every text of one capture as numbers;
- the udps columns that Python plugins name at their first flow are not known from the configuration: their
  dtypes come as udps_dtypes, and their values are read as to_pandas reads them (read_csv's rules), then cast.
Every flow keeps the id its stream gives it (0, 1, 2, ... as NFStreamer numbers them), and the column `stream`
(int64, last) holds the position in `paths` of the item it comes from: (stream, id) is unique in the frame.
"""
from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any, Union

import dask
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES  # read_csv's default na_values

from ._nfcore import EngineError
from .frame import _read_as_csv
from .streamer import NFStreamer

__all__ = ["read_pcaps", "local_cluster"]

Capture = Union[str, "os.PathLike[str]"]
# (position in paths, source): a capture, or a list of captures read as one stream.
Stream = tuple[int, Union[str, list[str]]]

# A classic pcap file's global header (microseconds, version 2.4, snaplen 65535, Ethernet) and no packet: a
# source for the engine to name its columns on the client without reading any of the user's captures.
_EMPTY_PCAP = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def _partitions(paths: Capture | Sequence[Capture | Sequence[Capture]],
                captures_per_partition: int) -> list[list[Stream]]:
    """The streams of each partition: a list item is one stream and one partition of its own; runs of single
    captures are cut into partitions of captures_per_partition captures, each capture a stream of its own."""
    if not isinstance(captures_per_partition, int) or isinstance(captures_per_partition, bool) \
            or captures_per_partition < 1:
        raise ValueError(f"captures_per_partition must be an int >= 1, not {captures_per_partition!r}")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    partitions: list[list[Stream]] = []
    run: list[Stream] = []
    for position, item in enumerate(paths):
        if isinstance(item, (str, os.PathLike)):
            run.append((position, os.fspath(item)))
            if len(run) == captures_per_partition:
                partitions.append(run)
                run = []
            continue
        if run:
            partitions.append(run)
            run = []
        captures = [os.fspath(capture) for capture in item]
        if not captures:
            raise ValueError(f"paths[{position}] is an empty list: a stream needs at least one capture")
        partitions.append([(position, captures)])
    if run:
        partitions.append(run)
    if not partitions:
        raise ValueError("paths holds no capture")
    return partitions


def _dtype(kind: str, may_be_missing: bool) -> np.dtype:
    if kind in ("int", "uint"):
        return np.dtype("float64" if may_be_missing else "int64")
    if kind == "float":
        return np.dtype("float64")
    return np.dtype(object)


def _meta(options: Mapping[str, Any], udps_dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """The empty frame of the configuration's columns and dtypes, named by an engine opened on an empty capture
    (which also checks the options here, before any task runs)."""
    with tempfile.TemporaryDirectory(prefix="nfcore-dask-") as folder:
        empty = os.path.join(folder, "empty.pcap")
        with open(empty, "wb") as file:
            file.write(_EMPTY_PCAP)
        engine = NFStreamer(empty, **options)._open()
        try:
            dtypes = {name: _dtype(*kind) for name, kind in zip(engine.names, engine.types)}
        finally:
            engine.close()
    dtypes.update({"udps." + field: np.dtype(dtype) for field, dtype in udps_dtypes.items()})
    dtypes["stream"] = np.dtype("int64")
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})


def _text(values: np.ndarray) -> np.ndarray:
    """A text column handed over as str ("" where missing): NaN where read_csv would read a missing value."""
    values = values.astype(object)
    values[np.isin(values, list(STR_NA_VALUES))] = np.nan
    return values


def _stream_frame(table: tuple[tuple[str, ...], list[np.ndarray], list[int]], meta: pd.DataFrame,
                  position: int, source: str | list[str]) -> pd.DataFrame:
    names, arrays, texts = table
    unknown = [name for name in names if name not in meta.columns]
    if unknown:
        raise ValueError(f"{source}: columns {unknown} are not in the configuration's columns: name the udps "
                         "fields of Python plugins, with their dtypes, in read_pcaps(udps_dtypes={...})")
    raw = set(texts)
    columns: dict[str, Any] = {}
    for i, (name, values) in enumerate(zip(names, arrays)):
        dtype = meta.dtypes[name]
        if dtype == object:
            columns[name] = _text(values) if i in raw else values.astype(object)
        else:
            # "safe": an unsigned value above int64's range raises rather than wraps.
            columns[name] = _read_as_csv(values).astype(dtype) if i in raw else values.astype(dtype, casting="safe")
    columns["stream"] = np.full(len(arrays[0]), position, dtype="int64")
    # A configured column the stream did not name (a Python plugin that set no field): missing throughout.
    return pd.DataFrame(columns, copy=False).reindex(columns=meta.columns).astype(meta.dtypes.to_dict())


def _meter(streams: list[Stream], meta: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """One partition, on a worker: each stream metered in turn, its flows cast to the meta."""
    frames = []
    for position, source in streams:
        for capture in source if isinstance(source, list) else [source]:
            if not os.path.isfile(capture):
                raise FileNotFoundError(f"{capture}: no such capture file on worker {os.uname().nodename}")
        try:
            engine = NFStreamer(source, **options)._open()
            try:
                table = engine.columns()
            finally:
                engine.close()
        except (EngineError, ValueError) as error:
            raise type(error)(f"{source}: {error}") from error
        if table is not None:
            frames.append(_stream_frame(table, meta, position, source))
    if not frames:
        return meta.copy()
    return pd.concat(frames, ignore_index=True)


def read_pcaps(
    paths: Capture | Sequence[Capture | Sequence[Capture]],
    *,
    client: distributed.Client | None = None,
    captures_per_partition: int = 1,
    n_workers: int = 2,
    udps_dtypes: Mapping[str, Any] | None = None,
    **options: Any,
) -> dd.DataFrame:
    """The flows of many captures as one dask DataFrame, metered on a Dask cluster's workers.

    paths: captures readable on the workers; an item that is itself a list is one stream (its captures read in
    order, as NFStreamer(source=[...]) reads them) and one partition. Runs of single captures make partitions of
    captures_per_partition captures each, every capture a stream of its own. The frame has one partition per
    such group, in the order of paths; a stream without flows adds no row, a partition without any is empty.
    options: NFStreamer's parameters (udps, statistical_analysis, splt_analysis, ...); n_meters is 1 unless
    given, for one task per worker thread. Plugins (nfcore.Plugin, NFPlugin objects) are pickled to the workers.

    client: a distributed.Client whose cluster computes the frame; the frame is then lazy, as dd.read_csv's is
    (nothing is metered until it is computed or persisted), and computed where dask computes: on the default
    client (the latest Client() made), or as frame.compute(scheduler=client) says. Without one, dask's default
    client when there is one, in the same way; else a LocalCluster of n_workers processes on 127.0.0.1
    (local_cluster()), started for this call and closed before it returns a frame over the flows it computed.
    """
    options.setdefault("n_meters", 1)
    partitions = _partitions(paths, captures_per_partition)
    meta = _meta(options, udps_dtypes or {})
    frame = dd.from_map(_meter, partitions, meta=meta, enforce_metadata=False, label="read-pcaps",
                        args=(meta, options))
    if client is None:
        try:
            distributed.default_client()
        except ValueError:  # no client: a cluster of our own
            return _on_local_cluster(frame, meta, n_workers)
    return frame


def local_cluster(n_workers: int = 2) -> distributed.LocalCluster:
    """The cluster read_pcaps starts without a client: n_workers processes of one thread each, every port a free
    one on 127.0.0.1, no dashboard (the scheduler's HTTP server, which serves only its health routes then, would
    take 8787 or warn)."""
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    scheduler_port=0, dashboard_address=None,
                                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def _on_local_cluster(frame: dd.DataFrame, meta: pd.DataFrame, n_workers: int) -> dd.DataFrame:
    with local_cluster(n_workers) as cluster, distributed.Client(cluster, set_as_default=False) as client:
        parts = client.gather(client.compute(frame.to_delayed()))
    return dd.from_delayed([dask.delayed(part) for part in parts], meta=meta, verify_meta=False)
