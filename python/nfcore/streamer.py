"""NFStreamer: nfstream 6.5.4's streamer (its signature, defaults, validation and outputs) on the nfcore engine.

    from nfcore import NFStreamer
    df = NFStreamer(source="capture.pcap", statistical_analysis=True).to_pandas()
    for flow in NFStreamer(source="eth0"):
        print(flow.src_ip, flow.application_name)
"""
from __future__ import annotations

import json
import os
import socket
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd

from . import _nfcore
from .frame import frame
from .nfplugin import NFPlugin

_UINT64_MAX = 2**64 - 1
_SOURCE_MESSAGE = "Please specify a pcap file path or a valid network interface name as source."


def _is_int(value: Any) -> bool:
    # A bool is an int, as nfstream's checks let it be.
    return isinstance(value, int)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _is_timeout(value: Any) -> bool:
    return _is_int(value) and value >= 0 and value * 1000 <= _UINT64_MAX


def _in_range(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: _is_int(value) and low <= value <= high


class _Parameter:
    """An attribute checked at construction and on every assignment; an invalid value raises ValueError naming
    the parameter and leaves the attribute as it was."""

    def __init__(self, check: Callable[[Any], bool], expected: str,
                 notice: Callable[[Any], None] | None = None) -> None:
        self._check = check
        self._expected = expected
        self._notice = notice

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name
        self._attribute = "_" + name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self._attribute)

    def __set__(self, obj: Any, value: Any) -> None:
        if not self._check(value):
            raise ValueError(f"Please specify a valid {self._name} parameter ({self._expected}).")
        if self._notice:
            self._notice(value)
        setattr(obj, self._attribute, value)


def _warn_long_splt(value: int) -> None:
    if value > 255:
        warnings.warn("The specified splt_analysis parameter is higher than 255. High values can impact the "
                      "performance of the tool.", stacklevel=3)


def _interfaces() -> set[str]:
    return {name for _, name in socket.if_nameindex()} | {"any"}


def _plugin_specs(udps: Any) -> tuple[Any, ...]:
    """udps as nfstream takes it: None, one plugin, or an iterable of plugins, each an nfcore.NFPlugin (Python) or
    an nfcore.Plugin (C)."""
    if udps is None:
        return ()
    from ._plugin import Plugin  # only needed once plugins are given

    kinds = (Plugin, NFPlugin)
    plugins = (udps,) if isinstance(udps, kinds) else udps
    if not isinstance(plugins, Iterable):
        raise ValueError(f"Please specify valid udps: an NFPlugin or an nfcore.Plugin, or a list of them, not {udps!r}.")
    plugins = tuple(plugins)
    for plugin in plugins:
        if not isinstance(plugin, kinds):
            raise ValueError("Please specify valid udps: every plugin must be an NFPlugin or an nfcore.Plugin, "
                             f"not {plugin!r}.")
    return plugins


def _check_count(name: str, value: Any) -> None:
    if not _is_count(value):
        raise ValueError(f"Please specify a valid {name} parameter (>= 0).")


def _anonymized(columns: Iterable[str] | str) -> list[str]:
    """columns_to_anonymize: names of columns (one name alone is taken as a list of it)."""
    names = [columns] if isinstance(columns, str) else list(columns)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"Please specify valid columns_to_anonymize: column names, not {name!r}.")
    return names


class NFStreamer:
    """Network flow streamer: nfstream's NFStreamer, metered by nfcore's C engine.

    source: a capture file, a list of capture files read as one stream, or an interface name (live capture).
    Every parameter is validated as nfstream validates it, at construction and on assignment. n_meters counts
    nfcore's meter threads: 0 (nfstream's auto) is one per available CPU, 1 is the reading thread alone; the flows
    are the same for any value; with a Python plugin (NFPlugin) every flow's work runs on the calling thread, and
    n_meters has no effect. udps (or plugins=) takes NFPlugin and nfcore.Plugin objects, run in that order.
    system_visibility_mode=1 is not supported; system_visibility_poll_ms is accepted and has no effect.
    community_id=True adds the community_id column (Community ID v1 under community_id_seed, as Zeek and Suricata
    compute it), after the identity columns; nfcore's own keywords.
    """

    decode_tunnels = _Parameter(_is_bool, "possible values: True, False")
    bpf_filter = _Parameter(lambda value: value is None or isinstance(value, str), "a str, or None")
    promiscuous_mode = _Parameter(_is_bool, "possible values: True, False")
    snapshot_length = _Parameter(lambda value: _is_int(value) and value > 0, "positive integer")
    socket_buffer_size = _Parameter(_in_range(0, 2**31 - 1), "positive integer <= 2^31-1")
    idle_timeout = _Parameter(_is_timeout, "positive integer in seconds")
    active_timeout = _Parameter(_is_timeout, "positive integer in seconds")
    accounting_mode = _Parameter(lambda value: _is_int(value) and value in (0, 1, 2, 3), "possible values: 0, 1, 2, 3")
    n_dissections = _Parameter(_in_range(0, 255), "possible values in : [0,...,255]")
    statistical_analysis = _Parameter(_is_bool, "possible values: True, False")
    splt_analysis = _Parameter(_in_range(0, 65535), "possible values in : [0,...,65535]", _warn_long_splt)
    n_meters = _Parameter(_is_count, ">=1 or 0 for auto scaling")
    max_nflows = _Parameter(_is_count, ">=0")
    performance_report = _Parameter(
        _is_count, ">=1 for reporting interval (seconds) or 0 to disable; available only for live capture")
    system_visibility_poll_ms = _Parameter(_is_count, "positive integer in milliseconds")
    community_id = _Parameter(_is_bool, "possible values: True, False")
    community_id_seed = _Parameter(_in_range(0, 65535), "possible values in : [0,...,65535]")

    def __init__(
        self,
        source: str | os.PathLike[str] | list[str | os.PathLike[str]] | None = None,
        decode_tunnels: bool = True,
        bpf_filter: str | None = None,
        promiscuous_mode: bool = True,
        snapshot_length: int = 1536,
        socket_buffer_size: int = 0,
        idle_timeout: int = 120,
        active_timeout: int = 1800,
        accounting_mode: int = 0,
        udps: Any = None,
        n_dissections: int = 20,
        statistical_analysis: bool = False,
        splt_analysis: int = 0,
        n_meters: int = 0,
        max_nflows: int = 0,
        performance_report: int = 0,
        system_visibility_mode: int = 0,
        system_visibility_poll_ms: int = 100,
        *,
        plugins: Any = None,
        community_id: bool = False,
        community_id_seed: int = 0,
    ) -> None:
        if udps is not None and plugins is not None:
            raise ValueError("Please specify either udps or plugins (the same parameter), not both.")
        self.source = source
        self.decode_tunnels = decode_tunnels
        self.bpf_filter = bpf_filter
        self.promiscuous_mode = promiscuous_mode
        self.snapshot_length = snapshot_length
        self.socket_buffer_size = socket_buffer_size
        self.idle_timeout = idle_timeout
        self.active_timeout = active_timeout
        self.accounting_mode = accounting_mode
        self.udps = plugins if plugins is not None else udps
        self.n_dissections = n_dissections
        self.statistical_analysis = statistical_analysis
        self.splt_analysis = splt_analysis
        self.n_meters = n_meters
        self.max_nflows = max_nflows
        self.performance_report = performance_report
        self.system_visibility_mode = system_visibility_mode
        self.system_visibility_poll_ms = system_visibility_poll_ms
        self.community_id = community_id
        self.community_id_seed = community_id_seed

    @property
    def source(self) -> str | list[str]:
        return self._source

    @source.setter
    def source(self, value: Any) -> None:
        if isinstance(value, list):
            if not value:
                raise ValueError("Please specify a valid source: a non-empty list of capture files.")
            files = []
            for i, item in enumerate(value):
                try:
                    path = os.fspath(item)
                except TypeError:
                    path = None
                if not isinstance(path, str) or not os.path.isfile(path):
                    raise ValueError(f"Please specify a valid source: invalid pcap file path at index {i}.")
                files.append(path)
            self._source, self._live = files, False
            return
        try:
            path = os.fspath(value)
        except TypeError:
            raise ValueError(_SOURCE_MESSAGE) from None
        if not isinstance(path, str):
            raise ValueError(_SOURCE_MESSAGE)
        if os.path.isfile(path):
            self._source, self._live = path, False
        elif path in _interfaces():
            self._source, self._live = path, True
        else:
            raise ValueError(_SOURCE_MESSAGE)

    @property
    def udps(self) -> tuple[Any, ...]:
        return self._udps

    @udps.setter
    def udps(self, value: Any) -> None:
        self._udps = _plugin_specs(value)

    plugins = udps

    @property
    def system_visibility_mode(self) -> int:
        return self._system_visibility_mode

    @system_visibility_mode.setter
    def system_visibility_mode(self, value: Any) -> None:
        if not _is_int(value) or value not in (0, 1):
            raise ValueError("Please specify a valid system_visibility_mode parameter (0: disable, 1: process "
                             "information).")
        if value == 1:
            raise ValueError("system_visibility_mode=1 (process information) is not supported by nfcore.")
        self._system_visibility_mode = value

    def _options(self) -> dict[str, str]:
        """The engine's options (libnfcore's option table) for these parameters."""
        options = {
            "decode-tunnels": "true" if self.decode_tunnels else "false",
            "idle-timeout": str(int(self.idle_timeout)),
            "active-timeout": str(int(self.active_timeout)),
            "accounting-mode": str(int(self.accounting_mode)),
            "n-dissections": str(int(self.n_dissections)),
            "statistical-analysis": "true" if self.statistical_analysis else "false",
            "splt-analysis": str(int(self.splt_analysis)),
            "n-meters": str(min(int(self.n_meters), _nfcore.NFC_MAX_METERS)),
            "max-nflows": str(int(self.max_nflows)),
            "community-id": "true" if self.community_id else "false",
            "community-id-seed": str(int(self.community_id_seed)),
        }
        if self.bpf_filter is not None:
            options["bpf-filter"] = self.bpf_filter
        if self._live:
            options["promiscuous-mode"] = "true" if self.promiscuous_mode else "false"
            options["snapshot-length"] = str(int(self.snapshot_length))
            options["socket-buffer-size"] = str(int(self.socket_buffer_size))
        return options

    def _open(self, columns_to_anonymize: Iterable[str] | str = ()) -> _nfcore.Engine:
        anonymize = _anonymized(columns_to_anonymize)
        source = self._source
        return _nfcore.Engine(
            self._options(),
            files=None if self._live else (source if isinstance(source, list) else [source]),
            interface=source if self._live else None,
            plugins=[plugin if isinstance(plugin, NFPlugin) else plugin.spec for plugin in self._udps],
            anonymize=anonymize,
        )

    def __iter__(self) -> Iterator[_nfcore.Flow]:
        """The flows, ids 0, 1, 2, ...; the source is read again by every iteration. Leaving the loop early (break,
        an exception) closes the engine; on live capture, Ctrl+C stops the capture and the open flows follow."""
        engine = self._open()
        report = _Report(engine, self.performance_report) if self._live and self.performance_report else None
        try:
            yield from engine
        finally:
            if report:
                report.stop()
            engine.close()

    def to_csv(
        self,
        path: str | os.PathLike[str] | None = None,
        columns_to_anonymize: Iterable[str] | str = (),
        flows_per_file: int = 0,
        rotate_files: int = 0,
    ) -> int:
        """Writes the flows as nfstream's CSV and returns how many; no flow, no file. The default path is the
        (first) source's with ".csv" appended. With flows_per_file = N, each file holds N flows and its own header:
        chunk k goes to the path with its final ".csv" replaced by ".k.csv" (".k.csv" appended when it has
        none), k modulo rotate_files when that is not 0. nfstream replaces every "csv" in the path instead."""
        _check_count("flows_per_file", flows_per_file)
        _check_count("rotate_files", rotate_files)
        if path is None:
            first = self._source[0] if isinstance(self._source, list) else self._source
            path = first + ".csv"
        engine = self._open(columns_to_anonymize)
        try:
            return engine.write(os.fspath(path), int(flows_per_file), int(rotate_files))
        finally:
            engine.close()

    def to_pandas(self, columns_to_anonymize: Iterable[str] | str = ()) -> pd.DataFrame | None:
        """The flows as the DataFrame nfstream returns (pandas' read_csv of its CSV: the same columns, dtypes and
        values), built from the engine's columns in memory; None when there is no flow."""
        engine = self._open(columns_to_anonymize)
        try:
            table = engine.columns()
        finally:
            engine.close()
        return frame(table)


class _Report:
    """nfstream's performance report: every `period` seconds, one JSON line of the live engine's counters on
    standard output, from a thread of its own (libnfcore lets it read them while the capture waits for packets)."""

    def __init__(self, engine: _nfcore.Engine, period: int) -> None:
        self._engine = engine
        self._period = period
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nfcore performance report", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._period):
            try:
                stats = self._engine.stats()
            except ValueError:  # the engine has closed
                return
            print(json.dumps({
                "flows_expired": stats["flows"],
                "packets_processed": stats["packets"],
                "packets_ignored": stats["ignored"],
                "packets_dropped_filtered_by_kernel": stats["kernel_dropped"],
                "meters_packets_processing_balance": stats["worker_packets"],
            }), flush=True)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
