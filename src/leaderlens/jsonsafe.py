"""Results as plain JSON: NumPy scalars as Python ones, NaN, infinities and missing times as
None, instants as ISO 8601 text, arrays and tuples as lists. Every ``to_dict()`` and
``--json`` output goes through these, so that ``json.dumps(..., allow_nan=False)`` holds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python, NaN as None, times as ISO text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (:func:`plain` on every cell)."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
