"""nfcore.NFPlugin: nfstream's plugin class, run by the engine in the udps list's order.

    class ack_count(NFPlugin):
        def on_init(self, packet, flow):
            flow.udps.ack_count = packet.ack
        def on_update(self, packet, flow):
            flow.udps.ack_count += packet.ack

Two styles, told apart by on_init's positional parameters after self:
- (packet, flow): nfstream 6's. Per-flow values go in flow.udps and come out as udps.<name> columns (their
  text, as nfstream writes them; iteration gives the objects). The columns are the udps names the first flow to
  end has, in the order they were made, at the place of the plugin that made them.
- (pkt): nfstream's older style. on_init returns the flow's initial value, read and set later as flow.<name> (the
  class name, or the `name` keyword), exported as the column <name> unless `volatile=True`.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Optional


def _positional_count(function: Callable[..., Any]) -> int:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in inspect.signature(function).parameters.values() if p.kind in kinds)


class NFPlugin:
    """A flow feature or action in Python: override on_init, on_update, on_expire and cleanup (all no-ops here).

    Keyword arguments become attributes. The hooks run after the engine has counted the packet (the flow's columns,
    statistics, SPLT and labels include it); `flow.expiration_id = -1` ends the flow after the current packet.
    cleanup() runs once when the stream ends (nfstream never calls it). The object itself runs, in the caller's
    process: what a hook keeps in self is there after the run, and in the next run of the same object.
    """

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)

    def on_init(self, packet: Any, flow: Any) -> None:
        """The flow's first packet."""

    def on_update(self, packet: Any, flow: Any) -> None:
        """Each later packet of the flow."""

    def on_expire(self, flow: Any) -> None:
        """The flow ends; its columns are final."""

    def cleanup(self) -> None:
        """The stream has ended."""

    def _nfcore_link(self) -> tuple[bool, Optional[tuple[str, bool]], Any, Any, Any]:
        """What the engine needs: the style, the older style's (name, exported), and the overridden hooks."""
        cls = type(self)

        def hook(name: str) -> Any:
            function = getattr(cls, name)
            return None if function is getattr(NFPlugin, name) else function

        old_style = _positional_count(cls.on_init) == 2  # self, pkt
        name = None
        if old_style:
            value_name = self.__dict__.get("name", cls.__name__)
            if not isinstance(value_name, str) or not value_name.isidentifier():
                raise ValueError(f"{cls.__name__}: name must be an identifier, not {value_name!r}")
            name = (value_name, not self.__dict__.get("volatile", False))
        return old_style, name, hook("on_init"), hook("on_update"), hook("on_expire")

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({arguments})"
