"""FlowRecord: a flow detached from its engine, holding its columns' names and values.

A flow from NFStreamer reads its values from the engine's record; pickling it (multiprocessing, Dask) gives a
FlowRecord, which reads the same: every column as an attribute, flow.udps.<field>, keys(), values() and str().
"""
from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from ._nfcore import flow_text


@functools.lru_cache(maxsize=64)
def _index(names: tuple[str, ...]) -> dict[str, int]:
    """Column positions by attribute name; records of one stream share their names, hence this table."""
    return {name: i for i, name in enumerate(names) if not name.startswith("udps.")}


class FlowRecord:
    """A flow's names and values, as nfstream's NFlow shows them."""

    __slots__ = ("_names", "_values", "_has_udps", "_index")

    def __init__(self, names: tuple[str, ...], values: list[Any] | tuple[Any, ...], has_udps: bool = False) -> None:
        if len(names) != len(values):
            raise ValueError(f"{len(names)} names for {len(values)} values")
        self._names = tuple(names)
        self._values = tuple(values)
        self._has_udps = has_udps
        self._index = _index(self._names)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not slots: the columns, and udps when plugins ran.
        if not name.startswith("_"):
            position = self._index.get(name)
            if position is not None:
                return self._values[position]
            if name == "udps" and self._has_udps:
                return SimpleNamespace(
                    **{n[5:]: v for n, v in zip(self._names, self._values) if n.startswith("udps.")})
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return [*object.__dir__(self), *self._index, *(["udps"] if self._has_udps else [])]

    def keys(self) -> list[str]:
        return list(self._names)

    def values(self) -> list[Any]:
        return list(self._values)

    def __str__(self) -> str:
        return flow_text(self._names, self._values)

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...], tuple[Any, ...], bool]]:
        return FlowRecord, (self._names, self._values, self._has_udps)
