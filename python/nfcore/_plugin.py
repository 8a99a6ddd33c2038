"""nfcore.Plugin: a C plugin (a path, or the file name of a built-in such as "splt.so") for NFStreamer's udps.

The engine loads it exactly as the command's `--plugin PATH:key=value,...` does and runs it on the meter threads;
its columns come out as `udps.<field>`.
"""
from __future__ import annotations

import os
from typing import Any, Union

Argument = Union[str, int, float, bool, "os.PathLike[str]"]


def _argument_text(key: str, value: Argument) -> str:
    """A keyword's value as the plugin reads it: ints and strings as text, bools as 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, os.PathLike):
        text = os.fspath(value)
        if not isinstance(text, str):
            raise ValueError(f"plugin argument {key}: a path must be text, not bytes")
    else:
        raise ValueError(f"plugin argument {key}: {type(value).__name__} {value!r} cannot be passed as text "
                         "(use a str, int, float or bool)")
    # The engine splits "key=value,key=value" on these characters, so a value cannot hold them.
    if "," in text or "=" in text:
        raise ValueError(f"plugin argument {key}: {text!r} contains ',' or '='")
    return text


class Plugin:
    """A C plugin for NFStreamer(udps=[...]).

    `path` is a plugin file ("./ack_count.so") or the file name of a plugin on the engine's search path
    ($NFCORE_PLUGIN_PATH, then the built-in folder: "splt.so", "dhcp.so", ...). Keyword arguments become the
    plugin's arguments; each is readable as an attribute, as nfstream's plugins store theirs.

        Plugin("splt.so", sequence_length=10).spec == "splt.so:sequence_length=10"
    """

    def __init__(self, path: str | os.PathLike[str], /, **arguments: Argument) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"plugin path must be a str or a path, not {type(path).__name__}")
        text = os.fspath(path)
        if not isinstance(text, str) or not text:
            raise ValueError(f"plugin path must be a non-empty text path, not {path!r}")
        if ":" in text:  # the engine reads what follows the first ':' as the arguments
            raise ValueError(f"plugin path {text!r} contains ':'")
        self._path = text
        self._arguments = {key: _argument_text(key, value) for key, value in arguments.items()}
        self._values = dict(arguments)

    @property
    def path(self) -> str:
        return self._path

    @property
    def arguments(self) -> dict[str, str]:
        """The arguments as the engine receives them (text)."""
        return dict(self._arguments)

    @property
    def spec(self) -> str:
        """The engine's "PATH[:key=value,...]" text, as --plugin takes it."""
        if not self._arguments:
            return self._path
        return self._path + ":" + ",".join(f"{k}={v}" for k, v in self._arguments.items())

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found normally: the keyword arguments, as nfstream's NFPlugin exposes them.
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plugin):
            return NotImplemented
        return self.spec == other.spec

    def __hash__(self) -> int:
        return hash(self.spec)
