"""nfcore: network flows with nfstream's semantics, metered by a C engine (libnfcore).

A drop-in for nfstream's streamer: `from nfcore import NFStreamer` in place of `from nfstream import NFStreamer`,
with the same parameters, flows, DataFrames and CSV files; Python plugins are nfstream's NFPlugin classes
(`from nfcore import NFPlugin`), C plugins come as `nfcore.Plugin("plugin.so", key=value)`, and nfstream's
plugin classes as `nfcore.plugins` (on built-in C plugins).
"""
from typing import Any

from ._nfcore import NFC_VERSION, EngineError, Flow
from .flow import FlowRecord
from .nfplugin import NFPlugin
from .streamer import NFStreamer

__version__ = NFC_VERSION
__all__ = ["NFStreamer", "NFPlugin", "Plugin", "Flow", "FlowRecord", "EngineError", "__version__"]


def __getattr__(name: str) -> Any:
    # nfcore.Plugin is imported on first use, as nfcore.plugins is.
    if name == "Plugin":
        from ._plugin import Plugin

        return Plugin
    raise AttributeError(f"module 'nfcore' has no attribute {name!r}")
