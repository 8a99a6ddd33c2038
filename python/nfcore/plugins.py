"""nfstream's plugin classes (nfstream.plugins) on nfcore's built-in C plugins.

`from nfcore.plugins import SPLT, FlowSlicer, DHCP, MDNS, JA4` replaces nfstream's import: the same constructor
arguments and the same `udps.*` columns, computed inside the engine.
"""
from __future__ import annotations

from ._plugin import Plugin

__all__ = ["SPLT", "FlowSlicer", "DHCP", "MDNS", "JA4"]


def _checked_int(name: str, value: object, low: int, high: int | None = None) -> int:
    # bool passes, as nfstream's own int checks let it.
    if not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an int {bounds}, not {value!r}")
    return int(value)


class SPLT(Plugin):
    """Sequence of packet length and time: udps.splt_direction, udps.splt_ps and udps.splt_piat_ms, lists of
    `sequence_length` items (-1 past the flow's last packet); sizes counted as `accounting_mode` says (0 raw, 1 IP,
    2 transport, 3 payload)."""

    def __init__(self, sequence_length: int = 5, accounting_mode: int = 0) -> None:
        super().__init__("splt.so",
                         sequence_length=_checked_int("sequence_length", sequence_length, 1, 65535),
                         accounting_mode=_checked_int("accounting_mode", accounting_mode, 0, 3))


class FlowSlicer(Plugin):
    """Ends every flow at its `limit`-th packet (both directions together); the next packet opens a new flow.
    No column."""

    def __init__(self, limit: int = 1) -> None:
        super().__init__("flow_slicer.so", limit=_checked_int("limit", limit, 1))


class DHCP(Plugin):
    """DHCP client information (udps.dhcp_12, dhcp_50, dhcp_55, dhcp_57, dhcp_60, dhcp_77, dhcp_options, dhcp_addr,
    dhcp_msg_type, dhcp_oui) on flows to port 67; a flow ends on ACK, NACK, INFORM or DECLINE."""

    def __init__(self) -> None:
        super().__init__("dhcp.so")


class MDNS(Plugin):
    """udps.mdns_ptr: the PTR answers of flows to port 5353, in first-seen order."""

    def __init__(self) -> None:
        super().__init__("mdns.so")


class JA4(Plugin):
    """udps.ja4 and udps.ja4s: the TLS client and server hello fingerprints of TCP flows. `throw_warns` is
    accepted for nfstream's signature; its plugin never uses it either."""

    def __init__(self, throw_warns: bool = False) -> None:
        super().__init__("ja4.so")
        self.throw_warns = throw_warns
