"""nfstream's published NFPlugin classes (../shared/nfstream_plugins: splt, slicer, dhcp, mdns) as a user runs them on
nfcore: the source as nfstream ships it, with only its `from nfstream import NFPlugin` line changed to
`from nfcore import NFPlugin`, executed into a module of its own."""
from __future__ import annotations

import types

from frames import SHARED

PUBLISHED = SHARED / "nfstream_plugins"
NFSTREAM_IMPORT = "from nfstream import NFPlugin\n"
NFCORE_IMPORT = "from nfcore import NFPlugin\n"


def load(name: str) -> types.ModuleType:
    """The module PUBLISHED/<name>.py with its import line changed; fails when that line is not there once."""
    path = PUBLISHED / f"{name}.py"
    lines = path.read_text().splitlines(keepends=True)
    assert lines.count(NFSTREAM_IMPORT) == 1, f"{path}: expected one line {NFSTREAM_IMPORT!r}"
    lines[lines.index(NFSTREAM_IMPORT)] = NFCORE_IMPORT
    module = types.ModuleType(f"nfstream_plugins_{name}")
    module.__file__ = str(path)
    exec(compile("".join(lines), str(path), "exec"), module.__dict__)
    return module
