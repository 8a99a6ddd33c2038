"""The DataFrame of to_pandas from the engine's columns: what pandas' read_csv makes of nfstream's CSV."""
from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd


def _read_as_csv(texts: np.ndarray) -> np.ndarray:
    """A column of str ("" where missing) as read_csv reads it: the engine hands over the text columns read_csv
    might turn into numbers or booleans (every text digits, signs, points, exponents, inf or true/false), and
    read_csv itself decides, so that its rules hold to the letter."""
    lines = ['"' + text.replace('"', '""') + '"' for text in texts]
    csv = "c\n" + "\n".join(lines) + "\n"
    return pd.read_csv(io.StringIO(csv), engine="c")["c"].to_numpy()


def frame(table: tuple[tuple[str, ...], list[np.ndarray], list[int]] | None) -> pd.DataFrame | None:
    """The DataFrame of Engine.columns()' result (None when there was no flow)."""
    if table is None:
        return None
    names, arrays, texts = table
    for i in texts:
        arrays[i] = _read_as_csv(arrays[i])
    columns: dict[str, Any] = dict(zip(names, arrays))
    return pd.DataFrame(columns, copy=False)
