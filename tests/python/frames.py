"""Comparing a DataFrame from nfcore with pandas.read_csv of nfstream's CSV, and where the shared conformance data
lies. Used by the conformance suites."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(os.environ.get("NFC_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
CONFORMANCE = SHARED / "conformance"
PCAPS = CONFORMANCE / "nfstream" / "pcaps"
SKIP_REASON = f"conformance data not found at {CONFORMANCE} (set NFC_SHARED_DIR to the shared folder)"


def captures(suite: str = "nfstream") -> list[str]:
    """The names of a conformance suite's captures (nfstream or edge), sorted; empty when the data is absent."""
    folder = CONFORMANCE / suite / "pcaps"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def read_expected(path: Path) -> pd.DataFrame | None:
    """nfstream's to_pandas for a capture: read_csv of its CSV, None for a capture without flows (empty file)."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return None


def _unequal(expected: pd.Series, actual: pd.Series) -> np.ndarray:
    e, a = expected.to_numpy(), actual.to_numpy()
    both_missing = pd.isna(e) & pd.isna(a)
    if e.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            close = np.abs(e - a) <= 1e-9 * np.maximum(np.abs(e), np.abs(a))
        return ~(both_missing | close)
    return ~(both_missing | (e == a))


def differences(actual: pd.DataFrame | None, expected: pd.DataFrame | None) -> list[str]:
    """What differs: the columns and their order, the dtypes, the row count, then per column how many flows differ
    and the first of them. Floats agree to 1e-9 relative; missing values must be missing on both sides."""
    if expected is None or actual is None:
        if expected is None and actual is None:
            return []
        if expected is None:
            return [f"expected None (no flow), got a DataFrame of {len(actual)} rows"]
        return [f"expected {len(expected)} flows, got {actual!r}"]
    if not isinstance(actual, pd.DataFrame):
        return [f"expected a DataFrame, got {type(actual).__name__}"]
    if list(actual.columns) != list(expected.columns):
        missing = [c for c in expected.columns if c not in actual.columns]
        extra = [c for c in actual.columns if c not in expected.columns]
        return [f"columns differ: missing {missing}, extra {extra}"
                + ("" if missing or extra else f", order {list(actual.columns)}")]
    if len(actual) != len(expected):
        return [f"{len(actual)} flows, expected {len(expected)}"]
    problems = []
    if not actual.index.equals(pd.RangeIndex(len(expected))):
        problems.append(f"index {actual.index!r}, expected a RangeIndex of {len(expected)}")
    for name in expected.columns:
        e, a = expected[name], actual[name]
        if a.dtype != e.dtype:
            problems.append(f"{name}: dtype {a.dtype}, expected {e.dtype}")
            continue
        unequal = _unequal(e, a)
        if unequal.any():
            row = int(np.flatnonzero(unequal)[0])
            problems.append(f"{name}: {int(unequal.sum())} flows differ; row {row}: "
                            f"expected {e.iloc[row]!r}, got {a.iloc[row]!r}")
    return problems
